export {
  RosterClient,
  RosterOrganization,
  RosterTeam,
  MAX_INVITE_ROWS_PER_CALL,
  CLIENT_HEADER,
  ACTING_USER_HEADER,
  resolveActingUser,
  describeOperation,
  type RosterClientOptions,
  type RetryOptions,
  type GraphQLDocument,
  type RequestArgs,
  type InviteManyArgs,
  type InviteManyResult,
  type InviteManyRowResult,
  auditLogEvents,
  type AuditLogExportFilters,
  type AuditLogExportEvent,
  type MembersExportFilters,
  type MembersExportOptions,
} from './client.js';
export { RosterOperations, OrganizationOperations, TeamOperations, SDK_VERSION } from './generated/sdk.js';
export type { RequestOptions, IterateOptions } from './runtime.js';
export * from './errors.js';
export {
  parseInviteCsv,
  InviteCsvError,
  INVITE_CSV_TEAM_SEPARATOR,
  INVITE_CSV_ROLE_SEPARATOR,
  type InviteRow,
} from './invite-csv.js';
export { paginate, type Page } from './paginate.js';
export * from './types.js';
// Enums (as const objects and unions), input types, operation types and typed document strings.
export * from './generated/graphql.js';
