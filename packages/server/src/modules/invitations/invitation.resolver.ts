import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { InvitationService } from './invitation.service';
import {
  AcceptInvitationInput,
  AcceptInvitationPayload,
  EmailDeliveryType,
  InvitationConnection,
  InvitationPreviewType,
  InvitationType,
  InviteUserInput,
  InviteUserPayload,
  InviteUsersInput,
  InviteUsersPayload,
  ResendInvitationInput,
  ResendInvitationPayload,
  RevokeInvitationInput,
  RevokeInvitationPayload,
  UpdateInvitationInput,
  UpdateInvitationPayload,
} from './invitation.types';
import { InvitationStatus, invitationExpired, type InvitationFacts } from './invitation.entity';
import { PageArgs } from '../../graphql/connection';
import { OrganizationType } from '../organizations/organization.types';
import type { Organization } from '../organizations/organization.entity';

@ArgsType()
class InvitationListArgs extends PageArgs {
  @Field(() => [InvitationStatus], { nullable: true, description: 'Only these statuses (default: all).' })
  statuses?: InvitationStatus[] | null;
}

@Resolver(() => InvitationType)
export class InvitationResolver {
  @FieldResolver(() => Boolean, { description: 'Whether the current token has expired (resend to renew).' })
  expired(@Root() invitation: InvitationFacts): boolean {
    return invitationExpired(invitation);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Username of who invited.' })
  invitedBy(@Root() invitation: InvitationFacts): string | null {
    return invitation.invitedByLabel;
  }

  @FieldResolver(() => EmailDeliveryType, {
    nullable: true,
    description: 'Delivery of the latest invitation email; null when it was created with sendEmail: false.',
  })
  delivery(@Ctx() ctx: RequestContext, @Root() invitation: InvitationFacts) {
    return ctx.loaders.latestEmailByInvitation.load(invitation.id);
  }

  @Query(() => InvitationPreviewType, {
    description: 'What an invitation token leads to (public: for the accept page).',
  })
  invitationPreview(@Ctx() ctx: RequestContext, @Arg('token', () => String) token: string) {
    return new InvitationService(ctx).preview(token);
  }

  @Mutation(() => InviteUserPayload, {
    description:
      'Invite one person by email (org admins). CONFLICT when already a member or invited; SEAT_LIMIT_REACHED when ' +
      'no seat is left.',
  })
  inviteUser(@Ctx() ctx: RequestContext, @Arg('input', () => InviteUserInput) input: InviteUserInput) {
    return new InvitationService(ctx).invite(input);
  }

  @Mutation(() => InviteUsersPayload, {
    description: 'Invite many people at once; each row succeeds or fails on its own.',
  })
  inviteUsers(@Ctx() ctx: RequestContext, @Arg('input', () => InviteUsersInput) input: InviteUsersInput) {
    return new InvitationService(ctx).inviteMany(input);
  }

  @Mutation(() => ResendInvitationPayload, {
    description: 'Issue a new token and expiry for a pending invitation and email it again.',
  })
  resendInvitation(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => ResendInvitationInput) input: ResendInvitationInput,
  ) {
    return new InvitationService(ctx).resend(input);
  }

  @Mutation(() => UpdateInvitationPayload, {
    description:
      'Change the role or the teams of a pending invitation (org admins). INVITATION_NOT_PENDING once accepted or ' +
      'revoked; SEAT_LIMIT_REACHED when it would need a seat that is not free.',
  })
  updateInvitation(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => UpdateInvitationInput) input: UpdateInvitationInput,
  ) {
    return new InvitationService(ctx).update(input);
  }

  @Mutation(() => RevokeInvitationPayload, {
    description:
      'Cancel a pending invitation; its token stops working and its seat is freed. Revoking a revoked invitation ' +
      'succeeds with changed: false.',
  })
  revokeInvitation(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => RevokeInvitationInput) input: RevokeInvitationInput,
  ) {
    return new InvitationService(ctx).revoke(input);
  }

  @Mutation(() => AcceptInvitationPayload, {
    description:
      'Accept an invitation: creates the account when new (username, name, password), or attaches the logged-in or ' +
      'password-confirmed account.',
  })
  acceptInvitation(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => AcceptInvitationInput) input: AcceptInvitationInput,
  ) {
    return new InvitationService(ctx).accept(input);
  }
}

@Resolver(() => OrganizationType)
export class OrganizationInvitationsResolver {
  @FieldResolver(() => InvitationConnection, { description: 'Invitations, newest first (org admins).' })
  invitations(
    @Ctx() ctx: RequestContext,
    @Root() org: Organization,
    @Args(() => InvitationListArgs) args: InvitationListArgs,
  ) {
    return new InvitationService(ctx).list(org, args);
  }
}
