import { Kind, print, type DocumentNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  AcceptInviteDocument,
  AddTeamMemberDocument,
  ApiKeysDocument,
  AuditLogDocument,
  CreateApiKeyDocument,
  CreateOrganizationDocument,
  CreateCustomRoleDocument,
  CreateProjectDocument,
  CreateReportDocument,
  CreateTeamDocument,
  CustomRolesDocument,
  DeactivateMemberDocument,
  DeleteCustomRoleDocument,
  DeleteProjectDocument,
  DeleteReportDocument,
  DeleteRunDocument,
  DeleteTeamDocument,
  InstanceDocument,
  InvitationPreviewDocument,
  InvitesDocument,
  InviteUserDocument,
  InviteUsersDocument,
  LeaveTeamDocument,
  LogInDocument,
  LogOutDocument,
  LogRunDocument,
  MembersDocument,
  OrganizationDocument,
  OrganizationPermissionsDocument,
  OrganizationsDocument,
  PermissionCatalogueDocument,
  ProjectsDocument,
  ReactivateMemberDocument,
  RemoveMemberDocument,
  RemoveTeamMemberDocument,
  ReportsDocument,
  ResendInviteDocument,
  RevokeApiKeyDocument,
  RevokeInviteDocument,
  RunsDocument,
  SeatsDocument,
  SignUpDocument,
  TeamDocument,
  TeamMembersDocument,
  TeamPermissionsDocument,
  TeamsDocument,
  UpdateCustomRoleDocument,
  UpdateMemberRoleDocument,
  UpdateOrganizationDocument,
  UpdateTeamDocument,
  UpdateTeamMemberRoleDocument,
  ViewerDocument,
  type AcceptInviteInput,
  type AddTeamMemberInput,
  type ApiKeysQueryVariables,
  type CreateApiKeyInput,
  type CreateCustomRoleInput,
  type CreateOrganizationInput,
  type CreateProjectInput,
  type CreateReportInput,
  type CreateTeamInput,
  type DeactivateMemberInput,
  type DeleteCustomRoleInput,
  type DeleteProjectInput,
  type DeleteReportInput,
  type DeleteRunInput,
  type DeleteTeamInput,
  type InvitationPreviewQueryVariables,
  type InvitationStatus,
  type InviteRowInput,
  type InviteUserInput,
  type InviteUsersInput,
  type LeaveTeamInput,
  type LogInInput,
  type LogRunInput,
  type MemberOrder,
  type MemberStatus,
  type OrganizationQueryVariables,
  type OrganizationsQueryVariables,
  type OrgRole,
  type ReactivateMemberInput,
  type RemoveMemberInput,
  type RemoveTeamMemberInput,
  type ResendInviteInput,
  type RevokeApiKeyInput,
  type RevokeInviteInput,
  type SignUpInput,
  type TeamQueryVariables,
  type UpdateCustomRoleInput,
  type UpdateMemberRoleInput,
  type UpdateOrganizationInput,
  type UpdateTeamInput,
  type UpdateTeamMemberRoleInput,
} from './generated/graphql';
import { errorFromResponse, errorFromUserError, RosterError, RosterNetworkError, UnauthenticatedError, type GraphQLErrorEntry } from './errors';
import { parseInviteCsv, type InviteRow } from './invite-csv';
import { paginate } from './paginate';
import type {
  AcceptInvitePayload,
  AddTeamMemberPayload,
  ApiKey,
  ApiKeyConnection,
  AuditEvent,
  AuditEventConnection,
  CreateApiKeyPayload,
  CreateOrganizationPayload,
  CreateCustomRolePayload,
  CreateProjectPayload,
  CreateReportPayload,
  CreateTeamPayload,
  CustomRole,
  DeactivateMemberPayload,
  DeleteCustomRolePayload,
  DeleteProjectPayload,
  DeleteReportPayload,
  DeleteRunPayload,
  DeleteTeamPayload,
  Instance,
  Invitation,
  InvitationConnection,
  InvitationPreview,
  InviteUserPayload,
  InviteUsersPayload,
  LeaveTeamPayload,
  LogInPayload,
  LogOutPayload,
  LogRunPayload,
  Organization,
  OrganizationConnection,
  OrganizationMember,
  OrganizationMemberConnection,
  PermissionCatalogue,
  Project,
  ProjectConnection,
  ReactivateMemberPayload,
  RemoveMemberPayload,
  RemoveTeamMemberPayload,
  Report,
  ReportConnection,
  ResendInvitePayload,
  RevokeApiKeyPayload,
  RevokeInvitePayload,
  Run,
  RunConnection,
  Seats,
  SignUpPayload,
  Team,
  TeamConnection,
  TeamMember,
  TeamMemberConnection,
  UpdateCustomRolePayload,
  UpdateMemberRolePayload,
  UpdateOrganizationPayload,
  UpdateTeamMemberRolePayload,
  UpdateTeamPayload,
  Viewer,
} from './types';

export interface RosterClientOptions {
  /** Base URL of the server, e.g. "https://roster.example.com". Defaults to env ROSTER_URL. */
  url?: string;
  /** An API key ("rsk_..."). Defaults to env ROSTER_API_KEY. */
  apiKey?: string;
  /** A session token (from signUp/logIn). Takes precedence over the API key. */
  token?: string;
  /** A fetch implementation; defaults to the global one (Node 18+, browsers). */
  fetch?: typeof fetch;
  /** Extra headers on every request (e.g. x-request-id, a proxy's auth). */
  headers?: Record<string, string>;
}

/** Arguments of a paginated iteration. */
export interface IterateOptions {
  /** Items per request, 1 to 100 (default 100: fewest round trips). */
  pageSize?: number;
}

/** Page arguments of a connection. */
export interface PageArgs {
  /** Page size, 1 to 100 (server default 20). */
  first?: number | null;
  /** The previous page's `pageInfo.endCursor`. */
  after?: string | null;
}

/** Filters and order of the members view (Organization.members). */
export interface MemberFilters {
  /** Case-insensitive search over name, username and (admins) email. */
  search?: string | null;
  roles?: readonly OrgRole[] | null;
  /** PENDING and DEACTIVATED rows are visible to org admins only. */
  statuses?: readonly MemberStatus[] | null;
  /** Only members of any of these teams (names). */
  teams?: readonly string[] | null;
  /** Default `{ field: 'NAME', direction: 'ASC' }`. */
  orderBy?: MemberOrder | null;
}

/** Filter of Organization.teams. */
export interface TeamFilters {
  /** Case-insensitive search in team names. */
  search?: string | null;
}

/** Filters of Organization.invites. */
export interface InviteFilters {
  /** Default: every status. */
  statuses?: readonly InvitationStatus[] | null;
}

/** Filters of Organization.auditLog. Times are Date objects or ISO 8601 strings. */
export interface AuditLogFilters {
  /** Only these actions, e.g. ['member.invited', 'member.role_changed']. */
  actions?: readonly string[] | null;
  /** Only events by this user (username). */
  actor?: string | null;
  /** Only events at or after this time. */
  since?: Date | string | null;
  /** Only events before this time. */
  until?: Date | string | null;
}

export interface InviteManyOptions {
  /** Send invitation emails (default true). false: each successful row carries its `acceptUrl` once. */
  sendEmail?: boolean;
  /** Rows per inviteUsers call, 1 to 500 (the server's cap); default 100. */
  chunkSize?: number;
}

/** The outcome of one row of `inviteMany`. */
export interface InviteManyRowResult {
  /** Position of the row in the whole input (0-based), whatever chunk it was sent in. */
  index: number;
  /** The row as given (for CSV input: with its `line`). */
  row: InviteRow;
  /** The email as the server read it. */
  email: string;
  /** The invitation, when the row succeeded. */
  invitation: Invitation | null;
  /** The accept link, when the row succeeded with `sendEmail: false`. Shown once. */
  acceptUrl: string | null;
  /** Why the row failed: the class a single inviteUser would throw (ConflictError, BadUserInputError, SeatLimitReachedError, ...). */
  error: RosterError | null;
}

export interface InviteManyResult {
  /** One result per input row, in input order. */
  results: InviteManyRowResult[];
  succeeded: number;
  failed: number;
}

/**
 * An inviteUsers call failed as a whole after earlier chunks had succeeded (e.g. the
 * connection dropped). `results` holds the rows already done; `cause` is the error.
 * Re-running the whole input is safe: rows already invited come back as CONFLICT.
 */
export class InviteManyError extends Error {
  /** Results of the chunks that completed, in input order. */
  readonly results: InviteManyRowResult[];
  readonly succeeded: number;
  readonly failed: number;
  /** Index (in the whole input) of the first row that was not processed. */
  readonly nextIndex: number;

  constructor(cause: unknown, done: InviteManyResult, total: number) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`inviteMany stopped after ${done.results.length} of ${total} rows: ${reason}`, { cause });
    this.name = 'InviteManyError';
    this.results = done.results;
    this.succeeded = done.succeeded;
    this.failed = done.failed;
    this.nextIndex = done.results.length;
  }
}

/** Variables are optional when the operation has no required ones. */
type VariablesArg<V> = Record<string, never> extends V ? [variables?: V] : [variables: V];

interface GraphQLResponseBody {
  data?: unknown;
  errors?: GraphQLErrorEntry[];
}

const DEFAULT_PAGE_SIZE = 100;
const DEFAULT_INVITE_CHUNK = 100;
/** The server's cap on rows per inviteUsers call. */
export const MAX_INVITE_ROWS_PER_CALL = 500;

// print() walks the whole AST; documents are static, so print each once.
const printed = new WeakMap<DocumentNode, { query: string; operationName: string | undefined }>();

function serialize(document: DocumentNode): { query: string; operationName: string | undefined } {
  let entry = printed.get(document);
  if (!entry) {
    const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    entry = { query: print(document), operationName: operation?.name?.value };
    printed.set(document, entry);
  }
  return entry;
}

function readEnv(name: string): string | undefined {
  // `process` is absent in browsers; the SDK still works there with explicit options.
  const value = typeof process === 'undefined' ? undefined : process.env[name];
  return value ? value : undefined;
}

/** A mutable copy of a readonly list argument (null and undefined pass through). */
function copy<T>(list: readonly T[] | null | undefined): T[] | null | undefined {
  return list ? [...list] : list;
}

function toDateTime(value: Date | string | null | undefined): string | null | undefined {
  return value instanceof Date ? value.toISOString() : value;
}

/** Only the fields InviteRowInput has (a CSV row's `line` is the SDK's own). */
function toRowInput(row: InviteRow): InviteRowInput {
  const input: InviteRowInput = { email: row.email };
  if (row.role !== undefined) input.role = row.role;
  if (row.teams !== undefined) input.teams = row.teams === null ? null : [...row.teams];
  return input;
}

function isResponseBody(value: unknown): value is GraphQLResponseBody {
  if (typeof value !== 'object' || value === null) return false;
  const errors = (value as { errors?: unknown }).errors;
  return 'data' in value || Array.isArray(errors);
}

/**
 * A typed client for the Roster GraphQL API: one method per Query and Mutation
 * field (named like the field), plus pagination helpers.
 *
 * Credentials: a session token (given as `token`, or remembered from signUp/logIn)
 * wins over an API key (`apiKey`, else env ROSTER_API_KEY). Each is sent as
 * `Authorization: Bearer <credential>`.
 */
export class RosterClient {
  /** The GraphQL endpoint, `${url}/graphql`. */
  readonly endpoint: string;
  private readonly apiKey: string | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly headers: Record<string, string>;
  private token: string | undefined;

  constructor(options: RosterClientOptions = {}) {
    const url = options.url ?? readEnv('ROSTER_URL');
    if (!url) throw new Error('RosterClient needs a server URL: pass { url } or set ROSTER_URL.');
    this.endpoint = `${url.replace(/\/+$/, '')}/graphql`;
    this.apiKey = options.apiKey ?? readEnv('ROSTER_API_KEY');
    this.token = options.token;
    const fetchImpl = options.fetch ?? globalThis.fetch;
    // Called unbound: some fetch implementations reject `this` being the client.
    this.fetchImpl = (input, init) => fetchImpl(input, init);
    this.headers = { ...options.headers };
  }

  /** Use this session token for later calls (it wins over the API key). */
  setToken(token: string): void {
    this.token = token;
  }

  /** Forget the session token; later calls use the API key, if any, or go anonymous. */
  clearToken(): void {
    this.token = undefined;
  }

  /** The session token in use, if any (e.g. to store it after logIn). */
  getToken(): string | undefined {
    return this.token;
  }

  /**
   * Runs any typed GraphQL document (e.g. one generated from your own .graphql file)
   * with this client's credentials and returns `data`. Throws a RosterError subclass
   * for GraphQL errors and RosterNetworkError when no GraphQL response arrived.
   */
  request<TResult, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...[variables]: VariablesArg<TVariables>
  ): Promise<TResult> {
    return this.execute(document, variables, this.token ?? this.apiKey);
  }

  // ---- Mutations ----------------------------------------------------------

  /** Create an account; the first sign-up of a fresh instance becomes its admin. Remembers the session token. */
  async signUp(input: SignUpInput): Promise<SignUpPayload> {
    // Sent without credentials: a stale token must not make signing up fail.
    const { signUp } = await this.execute(SignUpDocument, { input }, undefined);
    this.setToken(signUp.token);
    return signUp;
  }

  /** Log in with an email or username and a password. Remembers the session token. */
  async logIn(input: LogInInput): Promise<LogInPayload> {
    const { logIn } = await this.execute(LogInDocument, { input }, undefined);
    this.setToken(logIn.token);
    return logIn;
  }

  /** End the current session and forget its token. Needs a session, not an API key. */
  async logOut(): Promise<LogOutPayload> {
    try {
      const { logOut } = await this.request(LogOutDocument);
      this.clearToken();
      return logOut;
    } catch (err) {
      // A refused session is over anyway; keep the token only when the outcome is unknown.
      if (err instanceof UnauthenticatedError) this.clearToken();
      throw err;
    }
  }

  /** Create a personal API key. `secret` is returned this once. */
  async createApiKey(input: CreateApiKeyInput): Promise<CreateApiKeyPayload> {
    return (await this.request(CreateApiKeyDocument, { input })).createApiKey;
  }

  /** Revoke one of your API keys; it stops working at once. */
  async revokeApiKey(input: RevokeApiKeyInput): Promise<RevokeApiKeyPayload> {
    return (await this.request(RevokeApiKeyDocument, { input })).revokeApiKey;
  }

  /** Create an organization (instance admins); the caller becomes its ADMIN. */
  async createOrganization(input: CreateOrganizationInput): Promise<CreateOrganizationPayload> {
    return (await this.request(CreateOrganizationDocument, { input })).createOrganization;
  }

  /** Change an organization's display name, settings or (instance admins) seat limit. */
  async updateOrganization(input: UpdateOrganizationInput): Promise<UpdateOrganizationPayload> {
    return (await this.request(UpdateOrganizationDocument, { input })).updateOrganization;
  }

  /** Invite one person by email (org admins). With `sendEmail: false` the payload carries the accept link, once. */
  async inviteUser(input: InviteUserInput): Promise<InviteUserPayload> {
    return (await this.request(InviteUserDocument, { input })).inviteUser;
  }

  /**
   * Invite up to 500 people in one call; each row succeeds or fails on its own (`results[i].error`).
   * For more rows, CSV input and typed per-row errors, use `inviteMany`.
   */
  async inviteUsers(input: InviteUsersInput): Promise<InviteUsersPayload> {
    return (await this.request(InviteUsersDocument, { input })).inviteUsers;
  }

  /** Issue a new token and expiry for a pending invitation (the old link stops working) and email it again, or return the link with `sendEmail: false`. */
  async resendInvite(input: ResendInviteInput): Promise<ResendInvitePayload> {
    return (await this.request(ResendInviteDocument, { input })).resendInvite;
  }

  /** Cancel a pending invitation; its link stops working and its seat is freed. */
  async revokeInvite(input: RevokeInviteInput): Promise<RevokeInvitePayload> {
    return (await this.request(RevokeInviteDocument, { input })).revokeInvite;
  }

  /**
   * Accept an invitation. Anonymous new users give `username`, `name` and `password`; an existing
   * account gives its password, or calls this while logged in. Remembers the session token when
   * the server issues one (the caller was not logged in).
   */
  async acceptInvite(input: AcceptInviteInput): Promise<AcceptInvitePayload> {
    const { acceptInvite } = await this.request(AcceptInviteDocument, { input });
    if (acceptInvite.token) this.setToken(acceptInvite.token);
    return acceptInvite;
  }

  /** Change a member's role (org admins); `user` is a username or email. Throws LastAdminError, SeatLimitReachedError. */
  async updateMemberRole(input: UpdateMemberRoleInput): Promise<UpdateMemberRolePayload> {
    return (await this.request(UpdateMemberRoleDocument, { input })).updateMemberRole;
  }

  /** Remove a member (org admins), or leave (your own username or email). The account and its work stay. */
  async removeMember(input: RemoveMemberInput): Promise<RemoveMemberPayload> {
    return (await this.request(RemoveMemberDocument, { input })).removeMember;
  }

  /** Revoke a member's access at once, keeping the record; frees the seat. */
  async deactivateMember(input: DeactivateMemberInput): Promise<DeactivateMemberPayload> {
    return (await this.request(DeactivateMemberDocument, { input })).deactivateMember;
  }

  /** Restore a deactivated member (ADMIN and MEMBER need a free seat). */
  async reactivateMember(input: ReactivateMemberInput): Promise<ReactivateMemberPayload> {
    return (await this.request(ReactivateMemberDocument, { input })).reactivateMember;
  }

  /** Create a team (MANAGED storage unless `storage` names a bucket); the caller becomes its ADMIN. */
  async createTeam(input: CreateTeamInput): Promise<CreateTeamPayload> {
    return (await this.request(CreateTeamDocument, { input })).createTeam;
  }

  /** Change a team's settings or avatar (team admins, org admins). */
  async updateTeam(input: UpdateTeamInput): Promise<UpdateTeamPayload> {
    return (await this.request(UpdateTeamDocument, { input })).updateTeam;
  }

  /** Delete a team with its projects, runs and reports (org admins); `confirmName` repeats the team name. */
  async deleteTeam(input: DeleteTeamInput): Promise<DeleteTeamPayload> {
    return (await this.request(DeleteTeamDocument, { input })).deleteTeam;
  }

  /** Add an ACTIVE organization member (username or email) to a team; NotOrgMemberError otherwise. */
  async addTeamMember(input: AddTeamMemberInput): Promise<AddTeamMemberPayload> {
    return (await this.request(AddTeamMemberDocument, { input })).addTeamMember;
  }

  /** Change a team member's role (team admins, org admins). LastAdminError when the team would lose its last admin. */
  async updateTeamMemberRole(input: UpdateTeamMemberRoleInput): Promise<UpdateTeamMemberRolePayload> {
    return (await this.request(UpdateTeamMemberRoleDocument, { input })).updateTeamMemberRole;
  }

  /** Remove someone from a team (team admins, org admins, or themselves). Their runs and reports stay. */
  async removeTeamMember(input: RemoveTeamMemberInput): Promise<RemoveTeamMemberPayload> {
    return (await this.request(RemoveTeamMemberDocument, { input })).removeTeamMember;
  }

  /** Leave a team yourself; the last admin cannot. */
  async leaveTeam(input: LeaveTeamInput): Promise<LeaveTeamPayload> {
    return (await this.request(LeaveTeamDocument, { input })).leaveTeam;
  }

  /**
   * Compose a team role (org admins): a base (`inheritsFrom` VIEW_ONLY or MEMBER) plus permissions named in
   * `permissionCatalogue()`. Assign it with `updateTeamMemberRole({ ..., customRole: name })`. BadUserInputError
   * for an unknown permission (`field: 'permissions.<index>'`) or one whose `requires` are missing (`field: 'permissions'`);
   * ConflictError for a taken name.
   */
  async createCustomRole(input: CreateCustomRoleInput): Promise<CreateCustomRolePayload> {
    return (await this.request(CreateCustomRoleDocument, { input })).createCustomRole;
  }

  /** Change a custom role by id (org admins); `permissions` replaces the whole list. Holders follow a new base role. */
  async updateCustomRole(input: UpdateCustomRoleInput): Promise<UpdateCustomRolePayload> {
    return (await this.request(UpdateCustomRoleDocument, { input })).updateCustomRole;
  }

  /** Delete a custom role by id (org admins); its holders go back to its base role (`reassigned` counts them). */
  async deleteCustomRole(input: DeleteCustomRoleInput): Promise<DeleteCustomRolePayload> {
    return (await this.request(DeleteCustomRoleDocument, { input })).deleteCustomRole;
  }

  /** Create a project in a team (needs project:create: team MEMBERs and ADMINs). ConflictError when the name is taken in the team. */
  async createProject(input: CreateProjectInput): Promise<CreateProjectPayload> {
    return (await this.request(CreateProjectDocument, { input })).createProject;
  }

  /**
   * Delete a project by team and name, with its runs; its reports stay, detached. Needs project:delete, or
   * project:delete_own for its creator. The payload's project is as it was; `runsDeleted` counts the runs.
   */
  async deleteProject(input: DeleteProjectInput): Promise<DeleteProjectPayload> {
    return (await this.request(DeleteProjectDocument, { input })).deleteProject;
  }

  /** Log a run in a project (needs run:create); without `name` the server picks "run-xxxxxxxx". */
  async logRun(input: LogRunInput): Promise<LogRunPayload> {
    return (await this.request(LogRunDocument, { input })).logRun;
  }

  /** Delete a run by id (needs run:delete, or run:delete_own for who logged it). */
  async deleteRun(input: DeleteRunInput): Promise<DeleteRunPayload> {
    return (await this.request(DeleteRunDocument, { input })).deleteRun;
  }

  /** Create a report in a team, optionally about one of its projects (needs report:create). */
  async createReport(input: CreateReportInput): Promise<CreateReportPayload> {
    return (await this.request(CreateReportDocument, { input })).createReport;
  }

  /** Delete a report by id (needs report:delete, or report:delete_own for its author). */
  async deleteReport(input: DeleteReportInput): Promise<DeleteReportPayload> {
    return (await this.request(DeleteReportDocument, { input })).deleteReport;
  }

  // ---- Queries ------------------------------------------------------------

  /** The calling principal; null when the client is anonymous. */
  async viewer(): Promise<Viewer | null> {
    return (await this.request(ViewerDocument)).viewer;
  }

  /** Setup state, version, error codes; warnings and settings for instance admins. */
  async instance(): Promise<Instance> {
    return (await this.request(InstanceDocument)).instance;
  }

  /** One organization by name (slug). Throws NotFoundError when it does not exist or is hidden. */
  async organization(args: OrganizationQueryVariables): Promise<Organization> {
    return (await this.request(OrganizationDocument, args)).organization;
  }

  /** One page of the organizations the caller belongs to (instance admins: all), by name. */
  async organizations(args: OrganizationsQueryVariables = {}): Promise<OrganizationConnection> {
    return (await this.request(OrganizationsDocument, args)).organizations;
  }

  /**
   * What an invitation link leads to (public). Pass the token, or `{ token }`. Throws
   * InviteInvalidError for unknown, used or revoked tokens and InviteExpiredError for expired ones.
   */
  async invitationPreview(args: string | InvitationPreviewQueryVariables): Promise<InvitationPreview> {
    const variables = typeof args === 'string' ? { token: args } : args;
    return (await this.request(InvitationPreviewDocument, variables)).invitationPreview;
  }

  /** One team by organization and name. Throws NotFoundError when it does not exist or is hidden from the caller. */
  async team(args: TeamQueryVariables): Promise<Team> {
    return (await this.request(TeamDocument, args)).team;
  }

  /** Every team permission (name, description, requires, grantedTo), the built-in team roles and the custom-role cap. Public. */
  async permissionCatalogue(): Promise<PermissionCatalogue> {
    return (await this.request(PermissionCatalogueDocument)).permissionCatalogue;
  }

  // ---- Conveniences -------------------------------------------------------

  /** Seat usage of an organization: `{ limit, used, available }` (null limit and available: unlimited). */
  async seats(organization: string): Promise<Seats> {
    return (await this.request(SeatsDocument, { organization })).organization.seats;
  }

  /**
   * One page of the members view of an organization (Organization.members): ACTIVE members for
   * everyone; DEACTIVATED members and PENDING invitations (user null) for org admins.
   */
  async members(organization: string, args: PageArgs & MemberFilters = {}): Promise<OrganizationMemberConnection> {
    const { roles, statuses, teams, ...rest } = args;
    const variables = { organization, ...rest, roles: copy(roles), statuses: copy(statuses), teams: copy(teams) };
    return (await this.request(MembersDocument, variables)).organization.members;
  }

  /** Every row of the members view matching the filters, fetched page by page. */
  iterateMembers(organization: string, { pageSize = DEFAULT_PAGE_SIZE, ...filters }: IterateOptions & MemberFilters = {}): AsyncIterable<OrganizationMember> {
    return paginate((after) => this.members(organization, { ...filters, first: pageSize, after }));
  }

  /** One page of an organization's invitations, newest first (org admins). */
  async invites(organization: string, args: PageArgs & InviteFilters = {}): Promise<InvitationConnection> {
    const { statuses, ...rest } = args;
    const variables = { organization, ...rest, statuses: copy(statuses) };
    return (await this.request(InvitesDocument, variables)).organization.invites;
  }

  /** Every invitation of an organization matching the filters, newest first, page by page. */
  iterateInvites(organization: string, { pageSize = DEFAULT_PAGE_SIZE, ...filters }: IterateOptions & InviteFilters = {}): AsyncIterable<Invitation> {
    return paginate((after) => this.invites(organization, { ...filters, first: pageSize, after }));
  }

  /** One page of an organization's audit log, newest first (org admins). */
  async auditLog(organization: string, args: PageArgs & AuditLogFilters = {}): Promise<AuditEventConnection> {
    const { actions, since, until, ...rest } = args;
    const variables = { organization, ...rest, actions: copy(actions), since: toDateTime(since), until: toDateTime(until) };
    return (await this.request(AuditLogDocument, variables)).organization.auditLog;
  }

  /** Every audit event of an organization matching the filters, newest first, page by page. */
  iterateAuditLog(organization: string, { pageSize = DEFAULT_PAGE_SIZE, ...filters }: IterateOptions & AuditLogFilters = {}): AsyncIterable<AuditEvent> {
    return paginate((after) => this.auditLog(organization, { ...filters, first: pageSize, after }));
  }

  /** One page of the teams of an organization the caller may see (Organization.teams), by name. */
  async teams(organization: string, args: PageArgs & TeamFilters = {}): Promise<TeamConnection> {
    return (await this.request(TeamsDocument, { organization, ...args })).organization.teams;
  }

  /** Every team of an organization the caller may see (matching `search`), by name, page by page. */
  iterateTeams(organization: string, { pageSize = DEFAULT_PAGE_SIZE, ...filters }: IterateOptions & TeamFilters = {}): AsyncIterable<Team> {
    return paginate((after) => this.teams(organization, { ...filters, first: pageSize, after }));
  }

  /** One page of a team's members (Team.members), by username. Visible to team members and org admins. */
  async teamMembers(organization: string, team: string, args: PageArgs = {}): Promise<TeamMemberConnection> {
    return (await this.request(TeamMembersDocument, { organization, team, ...args })).team.members;
  }

  /** Every member of a team, by username, page by page. */
  iterateTeamMembers(organization: string, team: string, { pageSize = DEFAULT_PAGE_SIZE }: IterateOptions = {}): AsyncIterable<TeamMember> {
    return paginate((after) => this.teamMembers(organization, team, { first: pageSize, after }));
  }

  /** One page of a team's projects (Team.projects), newest first; callers outside the team see PUBLIC ones only. */
  async projects(organization: string, team: string, args: PageArgs = {}): Promise<ProjectConnection> {
    return (await this.request(ProjectsDocument, { organization, team, ...args })).team.projects;
  }

  /** Every project of a team the caller may see, newest first, page by page. */
  iterateProjects(organization: string, team: string, { pageSize = DEFAULT_PAGE_SIZE }: IterateOptions = {}): AsyncIterable<Project> {
    return paginate((after) => this.projects(organization, team, { first: pageSize, after }));
  }

  /** One page of a project's runs, newest first. NotFoundError when the project is missing or invisible. */
  async runs(organization: string, team: string, project: string, args: PageArgs = {}): Promise<RunConnection> {
    return (await this.request(RunsDocument, { organization, team, project, ...args })).team.project.runs;
  }

  /** Every run of a project, newest first, page by page. */
  iterateRuns(organization: string, team: string, project: string, { pageSize = DEFAULT_PAGE_SIZE }: IterateOptions = {}): AsyncIterable<Run> {
    return paginate((after) => this.runs(organization, team, project, { first: pageSize, after }));
  }

  /** One page of a team's reports (Team.reports), newest first. */
  async reports(organization: string, team: string, args: PageArgs = {}): Promise<ReportConnection> {
    return (await this.request(ReportsDocument, { organization, team, ...args })).team.reports;
  }

  /** Every report of a team the caller may see, newest first, page by page. */
  iterateReports(organization: string, team: string, { pageSize = DEFAULT_PAGE_SIZE }: IterateOptions = {}): AsyncIterable<Report> {
    return paginate((after) => this.reports(organization, team, { first: pageSize, after }));
  }

  /** The custom roles of an organization (Organization.customRoles), by name. */
  async customRoles(organization: string): Promise<CustomRole[]> {
    return (await this.request(CustomRolesDocument, { organization })).organization.customRoles;
  }

  /** The permissions the caller holds on a team (Team.viewerPermissions, `object:operation`, e.g. 'project:delete'). */
  async teamPermissions(organization: string, team: string): Promise<string[]> {
    return (await this.request(TeamPermissionsDocument, { organization, team })).team.viewerPermissions;
  }

  /** The permissions the caller holds in an organization (Organization.viewerPermissions, e.g. 'member:invite'). */
  async organizationPermissions(organization: string): Promise<string[]> {
    return (await this.request(OrganizationPermissionsDocument, { organization })).organization.viewerPermissions;
  }

  /**
   * Bulk invite: any number of rows (or a CSV string, read with `parseInviteCsv`), sent as
   * inviteUsers calls of at most `chunkSize` rows (default 100, at most 500), one after another.
   * Rows are sent as given; the server validates them and each row succeeds or fails on its own.
   *
   * Returns one result per input row with `index` relative to the whole input and `error` as a
   * typed RosterError, plus the totals. A call failing as a whole (e.g. ForbiddenError) is thrown
   * as is when nothing was invited yet, and as InviteManyError (with the rows already done) after.
   */
  async inviteMany(organization: string, input: readonly InviteRow[] | string, options: InviteManyOptions = {}): Promise<InviteManyResult> {
    const chunkSize = options.chunkSize ?? DEFAULT_INVITE_CHUNK;
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_INVITE_ROWS_PER_CALL) {
      throw new RangeError(`chunkSize must be an integer from 1 to ${MAX_INVITE_ROWS_PER_CALL}, got ${chunkSize}.`);
    }
    const rows = typeof input === 'string' ? parseInviteCsv(input) : input;
    const done: InviteManyResult = { results: [], succeeded: 0, failed: 0 };
    for (let offset = 0; offset < rows.length; offset += chunkSize) {
      const chunk = rows.slice(offset, offset + chunkSize);
      let payload: InviteUsersPayload;
      try {
        payload = await this.inviteUsers({
          organization,
          invites: chunk.map(toRowInput),
          ...(options.sendEmail === undefined ? {} : { sendEmail: options.sendEmail }),
        });
      } catch (err) {
        if (offset === 0) throw err;
        throw new InviteManyError(err, done, rows.length);
      }
      for (const r of payload.results) {
        const index = offset + r.index;
        done.results.push({
          index,
          row: rows[index]!,
          email: r.email,
          invitation: r.invitation,
          acceptUrl: r.acceptUrl,
          error: r.error ? errorFromUserError(r.error, { path: ['inviteUsers', 'results', r.index, 'error'] }) : null,
        });
      }
      done.succeeded += payload.succeeded;
      done.failed += payload.failed;
    }
    return done;
  }

  /** One page of the caller's own API keys (viewer.apiKeys), newest first. */
  async apiKeys(args: ApiKeysQueryVariables = {}): Promise<ApiKeyConnection> {
    const { viewer } = await this.request(ApiKeysDocument, args);
    if (!viewer) {
      throw new UnauthenticatedError('Listing API keys needs a session or an API key.', { code: 'UNAUTHENTICATED' });
    }
    return viewer.apiKeys;
  }

  /** Every organization the caller can list, fetched page by page. */
  iterateOrganizations({ pageSize = DEFAULT_PAGE_SIZE }: IterateOptions = {}): AsyncIterable<Organization> {
    return paginate((after) => this.organizations({ first: pageSize, after }));
  }

  /** Every API key of the caller, fetched page by page; revoked and expired ones with `includeInactive`. */
  iterateApiKeys({ pageSize = DEFAULT_PAGE_SIZE, includeInactive = false }: IterateOptions & { includeInactive?: boolean } = {}): AsyncIterable<ApiKey> {
    return paginate((after) => this.apiKeys({ first: pageSize, after, includeInactive }));
  }

  // ---- Runs: reaching a project through Team.projects ---------------------

  // ---- Transport ----------------------------------------------------------

  /** The one HTTP path every operation takes. */
  private async execute<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables | undefined,
    credential: string | undefined,
  ): Promise<TResult> {
    const { query, operationName } = serialize(document);
    const headers = new Headers(this.headers);
    headers.set('content-type', 'application/json');
    headers.set('accept', 'application/json');
    if (credential) headers.set('authorization', `Bearer ${credential}`);

    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(this.endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, operationName, variables: variables ?? {} }),
      });
      text = await response.text();
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new RosterNetworkError(`Request to ${this.endpoint} failed: ${reason}`, { cause });
    }

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    // Parse the body whatever the status: a bad credential is HTTP 401 with a GraphQL error body.
    if (!isResponseBody(body)) {
      throw new RosterNetworkError(`Expected a GraphQL JSON response from ${this.endpoint}, got HTTP ${response.status}.`, {
        status: response.status,
        body: text.slice(0, 1000),
      });
    }
    if (body.errors && body.errors.length > 0) {
      throw errorFromResponse(body.errors, { requestId: response.headers.get('x-request-id'), status: response.status });
    }
    if (!response.ok || body.data === null || body.data === undefined) {
      throw new RosterNetworkError(`GraphQL response from ${this.endpoint} has no data (HTTP ${response.status}).`, {
        status: response.status,
        body: text.slice(0, 1000),
      });
    }
    // The server validated `data` against the same schema the document was generated from.
    return body.data as TResult;
  }
}
