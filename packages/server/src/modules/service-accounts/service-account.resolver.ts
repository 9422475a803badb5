import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { PageArgs, type Connection } from '../../graphql/connection';
import { ServiceAccountStatus } from '../../graphql/enums';
import { ServiceAccountService, type DeletedServiceAccount } from './service-account.service';
import type { ServiceAccount } from './service-account.entity';
import {
  CreateServiceAccountInput,
  CreateServiceAccountKeyInput,
  CreateServiceAccountKeyPayload,
  CreateServiceAccountPayload,
  DeleteServiceAccountInput,
  DeleteServiceAccountPayload,
  DisableServiceAccountInput,
  DisableServiceAccountPayload,
  EnableServiceAccountInput,
  EnableServiceAccountPayload,
  ServiceAccountConnection,
  ServiceAccountType,
  UpdateServiceAccountInput,
  UpdateServiceAccountPayload,
} from './service-account.types';
import { ApiKeyService } from '../api-keys/api-key.service';
import type { ApiKey } from '../api-keys/api-key.entity';
import { ApiKeyConnection } from '../api-keys/api-key.types';
import { TeamType } from '../teams/team.types';
import type { Team } from '../teams/team.entity';
import { OrganizationType } from '../organizations/organization.types';
import type { Organization } from '../organizations/organization.entity';

@ArgsType()
class ServiceAccountKeyListArgs extends PageArgs {
  @Field(() => Boolean, { nullable: true, description: 'Include revoked and expired keys (default false).' })
  includeInactive?: boolean | null;
}

@Resolver(() => ServiceAccountType)
export class ServiceAccountResolver {
  @FieldResolver(() => ServiceAccountStatus, { description: 'ACTIVE, or DISABLED (its keys are refused).' })
  status(@Root() account: ServiceAccount): ServiceAccountStatus {
    return account.disabledAt ? ServiceAccountStatus.DISABLED : ServiceAccountStatus.ACTIVE;
  }

  @FieldResolver(() => TeamType, {
    nullable: true,
    description:
      'The team it works in, with the SERVICE role; null for an organization service account (every team of its ' +
      'organization, except RESTRICTED projects).',
  })
  team(@Ctx() ctx: RequestContext, @Root() account: ServiceAccount): Promise<Team | null> | null {
    return account.team ? ctx.loaders.team.load(account.team.id) : null;
  }

  @FieldResolver(() => OrganizationType, { description: 'The organization it belongs to.' })
  organization(@Ctx() ctx: RequestContext, @Root() account: ServiceAccount): Promise<Organization | null> {
    return ctx.loaders.organizationById.load(account.organization.id);
  }

  @FieldResolver(() => ApiKeyConnection, {
    description:
      'Its API keys, newest first, metadata only. FORBIDDEN unless the caller manages the team’s service accounts ' +
      '(service_account:manage: team admins, org admins).',
  })
  apiKeys(
    @Ctx() ctx: RequestContext,
    @Root() account: ServiceAccount,
    @Args(() => ServiceAccountKeyListArgs) args: ServiceAccountKeyListArgs,
  ): Promise<Connection<ApiKey>> {
    return new ApiKeyService(ctx).listOfServiceAccount(account, args);
  }

  @Mutation(() => CreateServiceAccountPayload, {
    description:
      'Create a service account in a team (service_account:manage: team admins, org admins). It holds the SERVICE ' +
      'role there; give it keys with createServiceAccountKey.',
  })
  async createServiceAccount(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => CreateServiceAccountInput) input: CreateServiceAccountInput,
  ): Promise<{ serviceAccount: ServiceAccount }> {
    return { serviceAccount: await new ServiceAccountService(ctx).create(input) };
  }

  @Mutation(() => UpdateServiceAccountPayload, { description: 'Rename a service account or change its description.' })
  updateServiceAccount(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => UpdateServiceAccountInput) input: UpdateServiceAccountInput,
  ): Promise<{ serviceAccount: ServiceAccount; changed: boolean }> {
    return new ServiceAccountService(ctx).update(input);
  }

  @Mutation(() => DisableServiceAccountPayload, {
    description: 'Disable a service account: its keys fail with SERVICE_ACCOUNT_DISABLED from the next request on.',
  })
  disableServiceAccount(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => DisableServiceAccountInput) input: DisableServiceAccountInput,
  ): Promise<{ serviceAccount: ServiceAccount; changed: boolean }> {
    return new ServiceAccountService(ctx).setDisabled(input, true);
  }

  @Mutation(() => EnableServiceAccountPayload, {
    description: 'Enable a disabled service account: its usable keys work again.',
  })
  enableServiceAccount(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => EnableServiceAccountInput) input: EnableServiceAccountInput,
  ): Promise<{ serviceAccount: ServiceAccount; changed: boolean }> {
    return new ServiceAccountService(ctx).setDisabled(input, false);
  }

  @Mutation(() => DeleteServiceAccountPayload, {
    description:
      'Delete a service account and its keys (they stop working at once). What it logged stays, with its name in ' +
      '`loggedByName`.',
  })
  deleteServiceAccount(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => DeleteServiceAccountInput) input: DeleteServiceAccountInput,
  ): Promise<DeletedServiceAccount> {
    return new ServiceAccountService(ctx).delete(input);
  }

  @Mutation(() => CreateServiceAccountKeyPayload, {
    description: 'Create an API key for a service account. The secret is in the payload once and never again.',
  })
  createServiceAccountKey(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => CreateServiceAccountKeyInput) input: CreateServiceAccountKeyInput,
  ): Promise<{ apiKey: ApiKey; secret: string }> {
    return new ApiKeyService(ctx).createForServiceAccount(input);
  }
}

@Resolver(() => TeamType)
export class TeamServiceAccountsResolver {
  @FieldResolver(() => ServiceAccountConnection, {
    description:
      'The team’s service accounts, newest first (those who see the team’s members). They are not members and ' +
      'never appear in `members`.',
  })
  serviceAccounts(
    @Ctx() ctx: RequestContext,
    @Root() team: Team,
    @Args(() => PageArgs) args: PageArgs,
  ): Promise<Connection<ServiceAccount>> {
    return new ServiceAccountService(ctx).listOfTeam(team, args);
  }
}

@Resolver(() => OrganizationType)
export class OrganizationServiceAccountsResolver {
  @FieldResolver(() => ServiceAccountConnection, {
    description:
      'The organization’s own service accounts (those reaching every team; not the teams’ accounts), newest first, ' +
      'for those who see its members.',
  })
  serviceAccounts(
    @Ctx() ctx: RequestContext,
    @Root() org: Organization,
    @Args(() => PageArgs) args: PageArgs,
  ): Promise<Connection<ServiceAccount>> {
    return new ServiceAccountService(ctx).listOfOrganization(org, args);
  }
}
