import 'reflect-metadata';
import { buildSchema } from 'type-graphql';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import './enums';
import { ViewerResolver, UserResolver } from '../modules/accounts/account.resolver';
import { ApiKeyResolver } from '../modules/api-keys/api-key.resolver';
import { OrganizationResolver, OrganizationMembershipResolver } from '../modules/organizations/organization.resolver';
import { InstanceResolver } from '../modules/instance/instance.resolver';

export const RESOLVERS = [
  ViewerResolver,
  UserResolver,
  ApiKeyResolver,
  OrganizationResolver,
  OrganizationMembershipResolver,
  InstanceResolver,
] as const;

let cached: Promise<GraphQLSchema> | undefined;

/** Built once per process: type-graphql metadata is global. */
export function buildRosterSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({ resolvers: RESOLVERS, validate: false, emitSchemaFile: false });
  return cached;
}

/** The SDL committed in packages/schema: sorted, so the file diffs cleanly. */
export async function printRosterSchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await buildRosterSchema())) + '\n';
}
