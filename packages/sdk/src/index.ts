export {
  RosterClient,
  InviteManyError,
  MAX_INVITE_ROWS_PER_CALL,
  type RosterClientOptions,
  type IterateOptions,
  type PageArgs,
  type MemberFilters,
  type TeamFilters,
  type InviteFilters,
  type AuditLogFilters,
  type InviteManyOptions,
  type InviteManyResult,
  type InviteManyRowResult,
} from './client';
export * from './errors';
export { parseInviteCsv, InviteCsvError, type InviteRow } from './invite-csv';
export { paginate, type Page } from './paginate';
export * from './types';
// Enums (as const objects and unions), input types, operation types and typed documents.
export * from './generated/graphql';
