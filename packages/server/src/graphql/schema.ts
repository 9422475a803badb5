import 'reflect-metadata';
import { buildSchema } from 'type-graphql';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { guardResolvers } from './guards';
import './enums';
import { ViewerResolver, UserResolver } from '../modules/accounts/account.resolver';
import { ApiKeyResolver, OrganizationApiKeysResolver } from '../modules/api-keys/api-key.resolver';
import { OrganizationResolver, OrganizationMembershipResolver } from '../modules/organizations/organization.resolver';
import { InstanceResolver } from '../modules/instance/instance.resolver';
import { SettingsResolver } from '../modules/settings/settings.resolver';
import {
  InstanceUsageFieldResolver,
  InstanceUsageResolver,
  MemberActivityResolver,
  OrganizationUsageResolver,
} from '../modules/usage/usage.resolver';
import { InvitationResolver, OrganizationInvitationsResolver } from '../modules/invitations/invitation.resolver';
import { OrganizationMemberResolver, OrganizationMembersResolver } from '../modules/members/member.resolver';
import { InstanceAuditResolver, OrganizationAuditResolver } from '../modules/audit/audit.resolver';
import { OrganizationTeamsResolver, TeamMemberResolver, TeamResolver } from '../modules/teams/team.resolver';
import { CustomRoleResolver, OrganizationCustomRolesResolver } from '../modules/custom-roles/custom-role.resolver';
import {
  ProjectResolver,
  ReportResolver,
  RunResolver,
  TeamProjectsResolver,
} from '../modules/projects/project.resolver';
import {
  OrganizationServiceAccountsResolver,
  ServiceAccountResolver,
  TeamServiceAccountsResolver,
} from '../modules/service-accounts/service-account.resolver';
import { SsoResolver } from '../modules/sso/sso.resolver';
import { OrganizationScimTokensResolver, ScimTokenResolver } from '../modules/scim/scim-token.resolver';

export const RESOLVERS = [
  ViewerResolver,
  UserResolver,
  ApiKeyResolver,
  OrganizationResolver,
  OrganizationMembershipResolver,
  InstanceResolver,
  SettingsResolver,
  InvitationResolver,
  OrganizationInvitationsResolver,
  OrganizationMemberResolver,
  OrganizationMembersResolver,
  OrganizationAuditResolver,
  InstanceAuditResolver,
  TeamResolver,
  TeamMemberResolver,
  OrganizationTeamsResolver,
  CustomRoleResolver,
  OrganizationCustomRolesResolver,
  ProjectResolver,
  RunResolver,
  ReportResolver,
  TeamProjectsResolver,
  ServiceAccountResolver,
  TeamServiceAccountsResolver,
  OrganizationServiceAccountsResolver,
  OrganizationApiKeysResolver,
  SsoResolver,
  ScimTokenResolver,
  OrganizationScimTokensResolver,
  MemberActivityResolver,
  OrganizationUsageResolver,
  InstanceUsageFieldResolver,
  InstanceUsageResolver,
] as const;

let cached: Promise<GraphQLSchema> | undefined;

/** Built once per process: type-graphql metadata is global. */
export function buildRosterSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({ resolvers: RESOLVERS, validate: false, emitSchemaFile: false }).then((schema) => {
    // type-graphql has no option for root type descriptions; GraphiQL shows these on its docs front page.
    schema.getQueryType()!.description = 'Read operations. Lists are Relay connections (`first` 1-100, `after`).';
    schema.getMutationType()!.description =
      'Write operations. Each takes `input` and returns a payload with the changed objects; errors carry ' +
      '`extensions.code`.';
    guardResolvers(schema);
    return schema;
  });
  return cached;
}

/** The SDL committed in packages/schema: sorted, so the file diffs cleanly. */
export async function printRosterSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildRosterSchema()))}\n`;
}
