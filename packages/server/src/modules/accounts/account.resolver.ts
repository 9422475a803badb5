import type { ServiceAccount } from '../service-accounts/service-account.entity';
import { ServiceAccountType } from '../service-accounts/service-account.types';
import { Arg, Args, Ctx, Field, ArgsType, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { AccountService } from './account.service';
import {
  LogInInput,
  LogInPayload,
  LogOutPayload,
  RevokeSessionsInput,
  RevokeSessionsPayload,
  SignUpInput,
  SignUpPayload,
  UserType,
  ViewerType,
} from './account.types';
import { AuthMethodEnum, PrincipalKind } from '../../graphql/enums';
import type { User } from './user.entity';
import { PageArgs, type Connection } from '../../graphql/connection';
import { ApiKeyConnection } from '../api-keys/api-key.types';
import { ApiKeyService } from '../api-keys/api-key.service';
import { OrganizationMembershipConnection, OrganizationType } from '../organizations/organization.types';
import { OrganizationService } from '../organizations/organization.service';
import type { Organization } from '../organizations/organization.entity';
import type { Membership } from '../organizations/membership.entity';
import { DateTime } from '../../graphql/scalars';

@ArgsType()
class ApiKeyListArgs extends PageArgs {
  @Field(() => Boolean, { nullable: true, description: 'Include revoked and expired keys (default false).' })
  includeInactive?: boolean | null;
}

interface ViewerRoot {
  kind: PrincipalKind;
  authenticatedWith: AuthMethodEnum;
  user: User | null;
  serviceAccount: ServiceAccount | null;
}

@Resolver(() => ViewerType)
export class ViewerResolver {
  @Query(() => ViewerType, { nullable: true, description: 'The calling principal; null when anonymous.' })
  viewer(@Ctx() ctx: RequestContext): ViewerRoot | null {
    const p = ctx.principal;
    if (p.kind === 'anonymous') return null;
    if (p.kind === 'service_account')
      return {
        kind: PrincipalKind.SERVICE_ACCOUNT,
        authenticatedWith: AuthMethodEnum.API_KEY,
        user: null,
        serviceAccount: p.serviceAccount,
      };
    return {
      kind: PrincipalKind.USER,
      authenticatedWith: AuthMethodEnum[p.method],
      user: p.user,
      serviceAccount: null,
    };
  }

  @FieldResolver(() => ServiceAccountType, {
    nullable: true,
    description: 'The service account that made the request (set when kind is SERVICE_ACCOUNT).',
  })
  serviceAccount(@Root() viewer: ViewerRoot): ServiceAccount | null {
    return viewer.serviceAccount;
  }

  @FieldResolver(() => ApiKeyConnection, {
    description: "The caller's own API keys, newest first (metadata only). FORBIDDEN for a service account.",
  })
  apiKeys(@Ctx() ctx: RequestContext, @Args(() => ApiKeyListArgs) args: ApiKeyListArgs) {
    return new ApiKeyService(ctx).listOwn(args);
  }

  @Mutation(() => SignUpPayload, {
    description:
      'Create an account. The first sign-up of a fresh instance becomes instance admin and admin of the first ' +
      'organization; afterwards an invitation token is required.',
  })
  signUp(@Ctx() ctx: RequestContext, @Arg('input', () => SignUpInput) input: SignUpInput) {
    return new AccountService(ctx).signUp(input);
  }

  @Mutation(() => LogInPayload, { description: 'Start a session with an email or username and a password.' })
  logIn(@Ctx() ctx: RequestContext, @Arg('input', () => LogInInput) input: LogInInput) {
    return new AccountService(ctx).logIn(input);
  }

  @Mutation(() => LogOutPayload, { description: 'End the current session (and clear its cookie).' })
  logOut(@Ctx() ctx: RequestContext) {
    return new AccountService(ctx).logOut();
  }

  @Mutation(() => RevokeSessionsPayload, {
    description:
      'End sessions: your own (sign out everywhere; `keepCurrent` keeps this one) or, for instance admins, any ' +
      'user’s. Audited (SESSIONS_REVOKED).',
  })
  revokeSessions(@Ctx() ctx: RequestContext, @Arg('input', () => RevokeSessionsInput) input: RevokeSessionsInput) {
    return new AccountService(ctx).revokeSessions(input);
  }
}

@Resolver(() => UserType)
export class UserResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Email address (lower-cased). Visible to the user themselves and to instance admins; null for everyone else, ' +
      "organization admins included (they see members' emails in the members view: `OrganizationMember.email`, " +
      '`member:read_email`).',
  })
  email(@Ctx() ctx: RequestContext, @Root() user: User): string | null {
    return ctx.authz.canSeeEmailOf(user.id) ? user.email : null;
  }

  @FieldResolver(() => DateTime, {
    nullable: true,
    description:
      'Last authenticated request, to within a few minutes. Null unless the caller is the user, an instance admin, ' +
      'or sees one of their memberships.',
  })
  async lastActiveAt(@Ctx() ctx: RequestContext, @Root() user: User): Promise<Date | null> {
    return (await new OrganizationService(ctx).userDetailsVisible(user.id)) ? user.lastActiveAt : null;
  }

  @FieldResolver(() => OrganizationType, {
    nullable: true,
    description:
      'The organization SSO sign-ins and new sessions land in. Null unless the caller sees that organization and ' +
      "the user's membership in it.",
  })
  defaultOrganization(@Ctx() ctx: RequestContext, @Root() user: User): Promise<Organization | null> {
    return new OrganizationService(ctx).visibleDefaultOrganization(user);
  }

  @FieldResolver(() => OrganizationMembershipConnection, {
    description:
      "The user's organization memberships the caller may see, oldest first: only the user and instance admins get " +
      'any (others an empty connection), and only in organizations the caller sees.',
  })
  memberships(
    @Ctx() ctx: RequestContext,
    @Root() user: User,
    @Args(() => PageArgs) args: PageArgs,
  ): Promise<Connection<Membership>> {
    return new OrganizationService(ctx).visibleMemberships(user.id, args);
  }
}
