import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Mutation, Resolver, Root } from 'type-graphql';
import { selectsPath } from '../../graphql/lookahead';
import type { RequestContext } from '../../graphql/context';
import { MemberService, type MemberView } from './member.service';
import {
  DeactivateMemberInput,
  DeactivateMemberPayload,
  MembersArgs,
  OrganizationMemberConnection,
  OrganizationMemberType,
  ReactivateMemberInput,
  ReactivateMemberPayload,
  RemoveMemberInput,
  RemoveMemberPayload,
  UpdateMemberRoleInput,
  UpdateMemberRolePayload,
} from './member.types';
import { OrganizationType } from '../organizations/organization.types';
import type { Organization } from '../organizations/organization.entity';
import type { Invitation } from '../invitations/invitation.entity';
import { UserType } from '../accounts/account.types';
import { InvitationType } from '../invitations/invitation.types';
import { MemberTeamType } from '../teams/team.types';

@Resolver(() => OrganizationMemberType)
export class OrganizationMemberResolver {
  @FieldResolver(() => UserType, { nullable: true, description: 'The user; null for a PENDING invitation.' })
  user(@Ctx() ctx: RequestContext, @Root() member: MemberView) {
    return member.userId ? ctx.loaders.userById.load(member.userId) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "Email: the user's, or the invited address. Visible to org admins only.",
  })
  email(@Ctx() ctx: RequestContext, @Root() member: MemberView): string | null | Promise<string | null> {
    return new MemberService(ctx).emailOf(member);
  }

  @FieldResolver(() => [MemberTeamType], {
    description:
      'Teams the member belongs to, by name (hidden teams only for those who may see them). A PENDING row lists the ' +
      'teams its invitation joins on acceptance.',
  })
  teams(@Ctx() ctx: RequestContext, @Root() member: MemberView) {
    return new MemberService(ctx).teamsOf(member);
  }

  @FieldResolver(() => InvitationType, {
    nullable: true,
    description: 'The pending invitation (PENDING rows, org admins only).',
  })
  invitation(@Ctx() ctx: RequestContext, @Root() member: MemberView): Promise<Invitation | null> {
    return new MemberService(ctx).invitationOf(member);
  }

  @Mutation(() => UpdateMemberRolePayload, {
    description:
      "Change a member's role (org admins). Demoting to VIEWER caps the person's team roles in the organization at " +
      'VIEW_ONLY in the same change (a MEMBER-based custom role is dropped, a VIEW_ONLY-based one kept); promoting ' +
      'again leaves them at VIEW_ONLY. LAST_ADMIN if it would leave the organization without an active admin, or a ' +
      'team without an effective admin (`extensions.teams` names them); SEAT_LIMIT_REACHED when promoting a viewer ' +
      'without a free seat.',
  })
  updateMemberRole(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => UpdateMemberRoleInput) input: UpdateMemberRoleInput,
  ) {
    return new MemberService(ctx).updateRole(input);
  }

  @Mutation(() => RemoveMemberPayload, {
    description:
      'Remove a member from the organization and its teams (org admins; anyone may remove themselves). The account ' +
      'and their work stay.',
  })
  removeMember(@Ctx() ctx: RequestContext, @Arg('input', () => RemoveMemberInput) input: RemoveMemberInput) {
    return new MemberService(ctx).remove(input);
  }

  @Mutation(() => DeactivateMemberPayload, {
    description:
      'Revoke access at once (sessions and API keys stop reaching the organization), keeping the record; frees the ' +
      'seat. A deactivated member: changed: false.',
  })
  deactivateMember(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => DeactivateMemberInput) input: DeactivateMemberInput,
  ) {
    return new MemberService(ctx).deactivate(input);
  }

  @Mutation(() => ReactivateMemberPayload, {
    description:
      'Restore a deactivated member (needs a free seat for ADMIN and MEMBER). An active member: changed: false.',
  })
  reactivateMember(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => ReactivateMemberInput) input: ReactivateMemberInput,
  ) {
    return new MemberService(ctx).reactivate(input);
  }
}

@Resolver(() => OrganizationType)
export class OrganizationMembersResolver {
  @FieldResolver(() => OrganizationMemberConnection, {
    description:
      'The members view: ACTIVE members for everyone; DEACTIVATED members and PENDING invitations for admins. ' +
      'Search, filter, sort, paginate.',
  })
  members(
    @Ctx() ctx: RequestContext,
    @Root() org: Organization,
    @Args(() => MembersArgs) args: MembersArgs,
    @Info() info: GraphQLResolveInfo,
  ) {
    // What the page's one statement also reads, when the document asks for it.
    return new MemberService(ctx).list(
      org,
      { ...args },
      {
        teams: selectsPath(info, ['nodes', 'teams']) || selectsPath(info, ['edges', 'node', 'teams']),
        totalCount: selectsPath(info, ['totalCount']),
      },
    );
  }
}
