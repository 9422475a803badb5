import { Arg, Args, Ctx, Field, ArgsType, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { AccountService } from './account.service';
import { LogInInput, LogInPayload, LogOutPayload, SignUpInput, SignUpPayload, UserType, ViewerType } from './account.types';
import { AuthMethodEnum, PrincipalKind } from '../../graphql/enums';
import type { User } from './user.entity';
import { PageArgs } from '../../graphql/connection';
import { ApiKeyConnection } from '../api-keys/api-key.types';
import { ApiKeyService } from '../api-keys/api-key.service';
import { OrganizationMembershipType, OrganizationType } from '../organizations/organization.types';
import { OrganizationService } from '../organizations/organization.service';

@ArgsType()
class ApiKeyListArgs extends PageArgs {
  @Field(() => Boolean, { nullable: true, description: 'Include revoked and expired keys (default false).' })
  includeInactive?: boolean | null;
}

interface ViewerRoot {
  kind: PrincipalKind;
  authenticatedWith: AuthMethodEnum;
  user: User | null;
}

@Resolver(() => ViewerType)
export class ViewerResolver {
  @Query(() => ViewerType, { nullable: true, description: 'The calling principal; null when anonymous.' })
  viewer(@Ctx() ctx: RequestContext): ViewerRoot | null {
    const p = ctx.principal;
    if (p.kind === 'anonymous') return null;
    return { kind: PrincipalKind.USER, authenticatedWith: AuthMethodEnum[p.method], user: p.user };
  }

  @FieldResolver(() => ApiKeyConnection, { description: "The caller's own API keys, newest first (metadata only)." })
  apiKeys(@Ctx() ctx: RequestContext, @Args(() => ApiKeyListArgs) args: ApiKeyListArgs) {
    return new ApiKeyService(ctx).listOwn(args);
  }

  @Mutation(() => SignUpPayload, { description: 'Create an account. The first sign-up of a fresh instance becomes instance admin and admin of the first organization; afterwards an invitation token is required.' })
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
}

@Resolver(() => UserType)
export class UserResolver {
  @FieldResolver(() => String, { nullable: true, description: 'Email address; visible to the user, instance admins and admins of their organizations.' })
  email(@Ctx() ctx: RequestContext, @Root() user: User): string | null {
    return ctx.authz.canSeeEmailOf(user.id) ? user.email : null;
  }

  @FieldResolver(() => OrganizationType, { nullable: true, description: 'The organization SSO sign-ins and new sessions land in.' })
  async defaultOrganization(@Root() user: User) {
    return user.defaultOrganization ? user.defaultOrganization.load() : null;
  }

  @FieldResolver(() => [OrganizationMembershipType], { description: "The user's organization memberships; only the user and instance admins see them (others get an empty list)." })
  memberships(@Ctx() ctx: RequestContext, @Root() user: User) {
    return new OrganizationService(ctx).ownMemberships(user.id);
  }
}
