import type { ErrorCode } from './generated/graphql.js';

/** One entry of a GraphQL response's `errors` array, as the server sends it. */
export interface GraphQLErrorEntry {
  message: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  extensions?: Record<string, unknown>;
}

export interface RosterErrorOptions {
  code: string;
  /** Every error of the response; the instance describes the first. */
  errors?: readonly GraphQLErrorEntry[];
  extensions?: Record<string, unknown>;
  path?: ReadonlyArray<string | number>;
  requestId?: string;
  /** HTTP status of the response (200 for most GraphQL errors, 401 for a bad credential). */
  status?: number;
  /** The operation that failed, e.g. "InviteUser". */
  operationName?: string;
}

/**
 * An error the Roster API reported (`errors[0].extensions.code`). Catch a subclass
 * (`ForbiddenError`, `BadUserInputError`, ...) or branch on `code`.
 */
export class RosterError extends Error {
  /** `extensions.code`: one of ErrorCode, or an unknown code from a newer server. */
  readonly code: ErrorCode | (string & {});
  /** The offending input field, on BAD_USER_INPUT and some CONFLICT errors (e.g. "email"). */
  readonly field?: string;
  /** Request id to quote to the operator: `extensions.requestId`, else the `x-request-id` response header. */
  readonly requestId?: string;
  /** Where in the response the error happened, e.g. ["createOrganization"]. */
  readonly path?: ReadonlyArray<string | number>;
  /** All extensions of the first error, including server details such as `problems`. */
  readonly extensions: Record<string, unknown>;
  /** Every error in the response, in order. */
  readonly errors: readonly GraphQLErrorEntry[];
  readonly status?: number;
  /** The operation that failed (its name in src/operations, e.g. "InviteUser"), when known. */
  readonly operationName?: string;

  constructor(message: string, options: RosterErrorOptions) {
    super(message);
    // `new.target.name` keeps the subclass name in stack traces and `String(err)`.
    this.name = new.target.name;
    this.code = options.code;
    this.extensions = options.extensions ?? { code: options.code };
    this.errors = options.errors ?? [];
    const field = this.extensions.field;
    if (typeof field === 'string') this.field = field;
    if (options.path) this.path = options.path;
    if (options.requestId) this.requestId = options.requestId;
    if (options.status !== undefined) this.status = options.status;
    if (options.operationName) this.operationName = options.operationName;
  }
}

// One subclass per ErrorCode; `declare` narrows `code` so `instanceof` also narrows it.
export class UnauthenticatedError extends RosterError {
  declare readonly code: 'UNAUTHENTICATED';
}
export class InvalidCredentialsError extends RosterError {
  declare readonly code: 'INVALID_CREDENTIALS';
}
export class ForbiddenError extends RosterError {
  declare readonly code: 'FORBIDDEN';
}
export class NotFoundError extends RosterError {
  declare readonly code: 'NOT_FOUND';
}
export class BadUserInputError extends RosterError {
  declare readonly code: 'BAD_USER_INPUT';
}
export class ConflictError extends RosterError {
  declare readonly code: 'CONFLICT';
}
export class SeatLimitReachedError extends RosterError {
  declare readonly code: 'SEAT_LIMIT_REACHED';
}
export class LastAdminError extends RosterError {
  declare readonly code: 'LAST_ADMIN';
}
export class NotOrgMemberError extends RosterError {
  declare readonly code: 'NOT_ORG_MEMBER';
}
export class InviteExpiredError extends RosterError {
  declare readonly code: 'INVITE_EXPIRED';
}
export class InviteInvalidError extends RosterError {
  declare readonly code: 'INVITE_INVALID';
}
export class InvitationNotPendingError extends RosterError {
  declare readonly code: 'INVITATION_NOT_PENDING';
}
export class RateLimitedError extends RosterError {
  declare readonly code: 'RATE_LIMITED';
}
/** The API key belongs to a disabled service account; a team admin must enable it (enableServiceAccount). */
export class ServiceAccountDisabledError extends RosterError {
  declare readonly code: 'SERVICE_ACCOUNT_DISABLED';
}
/**
 * A service account named a person to act for (the client's `username`, or ROSTER_USERNAME, WANDB_USERNAME or
 * WANDB_USER_EMAIL) who is not an ACTIVE member of the team with a role that may do this; nothing was written.
 */
export class AttributionError extends RosterError {
  declare readonly code: 'ATTRIBUTION_FAILED';
  /** The person named, as sent (`extensions.actingUser`). */
  get actingUser(): string | undefined {
    const value = this.extensions.actingUser;
    return typeof value === 'string' ? value : undefined;
  }
  /** The team the work was for (`extensions.team`). */
  get team(): string | undefined {
    const value = this.extensions.team;
    return typeof value === 'string' ? value : undefined;
  }
}
export class QueryTooComplexError extends RosterError {
  declare readonly code: 'QUERY_TOO_COMPLEX';
}
export class RequestTimeoutError extends RosterError {
  declare readonly code: 'REQUEST_TIMEOUT';
}
export class ResponseTooLargeError extends RosterError {
  declare readonly code: 'RESPONSE_TOO_LARGE';
}
export class GraphQLParseFailedError extends RosterError {
  declare readonly code: 'GRAPHQL_PARSE_FAILED';
}
export class GraphQLValidationFailedError extends RosterError {
  declare readonly code: 'GRAPHQL_VALIDATION_FAILED';
}
export class BadRequestError extends RosterError {
  declare readonly code: 'BAD_REQUEST';
}
export class InternalServerError extends RosterError {
  declare readonly code: 'INTERNAL_SERVER_ERROR';
}
export class SsoFailedError extends RosterError {
  declare readonly code: 'SSO_FAILED';
}
export class SsoEmailNotVerifiedError extends RosterError {
  declare readonly code: 'SSO_EMAIL_NOT_VERIFIED';
}
export class SsoNotProvisionedError extends RosterError {
  declare readonly code: 'SSO_NOT_PROVISIONED';
}
export class SsoGroupNotAllowedError extends RosterError {
  declare readonly code: 'SSO_GROUP_NOT_ALLOWED';
}
export class AccessDeactivatedError extends RosterError {
  declare readonly code: 'ACCESS_DEACTIVATED';
}
export class IdpManagedMembershipError extends RosterError {
  declare readonly code: 'IDP_MANAGED_MEMBERSHIP';
}

// Instance settings (issue 12).
export class PasswordSignInDisabledError extends RosterError {
  declare readonly code: 'PASSWORD_SIGN_IN_DISABLED';
}
export class SsoProviderRequiredError extends RosterError {
  declare readonly code: 'SSO_PROVIDER_REQUIRED';
}
export class SecretsKeyMissingError extends RosterError {
  declare readonly code: 'SECRETS_KEY_MISSING';
}
export class LastInstanceAdminError extends RosterError {
  declare readonly code: 'LAST_INSTANCE_ADMIN';
}
/** An active-users series would have too many buckets: choose a coarser granularity or a shorter range. */
export class TooManyBucketsError extends RosterError {
  declare readonly code: 'TOO_MANY_BUCKETS';
}
/** A members download authenticated by the session cookie alone lacked X-Roster-Client (the SDK always sends it). */
export class CsrfRefusedError extends RosterError {
  declare readonly code: 'CSRF_REFUSED';
}

export type RosterErrorClass = new (message: string, options: RosterErrorOptions) => RosterError;

/**
 * The class thrown for each code. Keyed by the generated ErrorCode union, so a code
 * added to the schema fails to compile here until it has a class.
 */
export const ERROR_CLASSES: Readonly<Record<ErrorCode, RosterErrorClass>> = {
  UNAUTHENTICATED: UnauthenticatedError,
  INVALID_CREDENTIALS: InvalidCredentialsError,
  FORBIDDEN: ForbiddenError,
  NOT_FOUND: NotFoundError,
  BAD_USER_INPUT: BadUserInputError,
  CONFLICT: ConflictError,
  SEAT_LIMIT_REACHED: SeatLimitReachedError,
  LAST_ADMIN: LastAdminError,
  NOT_ORG_MEMBER: NotOrgMemberError,
  INVITE_EXPIRED: InviteExpiredError,
  INVITE_INVALID: InviteInvalidError,
  INVITATION_NOT_PENDING: InvitationNotPendingError,
  RATE_LIMITED: RateLimitedError,
  SERVICE_ACCOUNT_DISABLED: ServiceAccountDisabledError,
  ATTRIBUTION_FAILED: AttributionError,
  QUERY_TOO_COMPLEX: QueryTooComplexError,
  REQUEST_TIMEOUT: RequestTimeoutError,
  RESPONSE_TOO_LARGE: ResponseTooLargeError,
  GRAPHQL_PARSE_FAILED: GraphQLParseFailedError,
  GRAPHQL_VALIDATION_FAILED: GraphQLValidationFailedError,
  BAD_REQUEST: BadRequestError,
  INTERNAL_SERVER_ERROR: InternalServerError,
  SSO_FAILED: SsoFailedError,
  SSO_EMAIL_NOT_VERIFIED: SsoEmailNotVerifiedError,
  SSO_NOT_PROVISIONED: SsoNotProvisionedError,
  SSO_GROUP_NOT_ALLOWED: SsoGroupNotAllowedError,
  ACCESS_DEACTIVATED: AccessDeactivatedError,
  IDP_MANAGED_MEMBERSHIP: IdpManagedMembershipError,
  PASSWORD_SIGN_IN_DISABLED: PasswordSignInDisabledError,
  SSO_PROVIDER_REQUIRED: SsoProviderRequiredError,
  SECRETS_KEY_MISSING: SecretsKeyMissingError,
  LAST_INSTANCE_ADMIN: LastInstanceAdminError,
  TOO_MANY_BUCKETS: TooManyBucketsError,
  CSRF_REFUSED: CsrfRefusedError,
};

function isKnownCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CLASSES, code);
}

/** Builds the typed error for a response's `errors` array (non-empty). Unknown codes give a plain RosterError. */
export function errorFromResponse(
  errors: readonly GraphQLErrorEntry[],
  meta: { requestId?: string | null; status?: number; operationName?: string } = {},
): RosterError {
  const first = errors[0];
  const extensions = first?.extensions ?? {};
  const rawCode = extensions.code;
  const code = typeof rawCode === 'string' ? rawCode : 'UNKNOWN';
  const ErrorClass = isKnownCode(code) ? ERROR_CLASSES[code] : RosterError;
  const requestId = typeof extensions.requestId === 'string' ? extensions.requestId : (meta.requestId ?? undefined);
  return new ErrorClass(first?.message ?? 'The server returned an error without a message.', {
    code,
    errors,
    extensions,
    ...(first?.path ? { path: first.path } : {}),
    ...(requestId ? { requestId } : {}),
    ...(meta.status !== undefined ? { status: meta.status } : {}),
    ...(meta.operationName ? { operationName: meta.operationName } : {}),
  });
}

/** A per-row error of a bulk operation (`UserError { code message field }`), e.g. a row of inviteUsers. */
export interface UserErrorEntry {
  code: string;
  message: string;
  field?: string | null;
}

/**
 * The typed error for one failed row of a bulk operation: the same class a single call
 * would throw (`ConflictError` for a duplicate, `BadUserInputError` for a bad email, ...).
 */
export function errorFromUserError(
  error: UserErrorEntry,
  meta: { path?: ReadonlyArray<string | number>; operationName?: string; requestId?: string } = {},
): RosterError {
  const ErrorClass = isKnownCode(error.code) ? ERROR_CLASSES[error.code] : RosterError;
  const extensions: Record<string, unknown> = { code: error.code };
  if (error.field) extensions.field = error.field;
  const entry: GraphQLErrorEntry = { message: error.message, extensions, ...(meta.path ? { path: meta.path } : {}) };
  return new ErrorClass(error.message, {
    code: error.code,
    errors: [entry],
    extensions,
    ...(meta.path ? { path: meta.path } : {}),
    ...(meta.operationName ? { operationName: meta.operationName } : {}),
    ...(meta.requestId ? { requestId: meta.requestId } : {}),
  });
}

export interface RosterNetworkErrorOptions {
  status?: number;
  body?: string;
  cause?: unknown;
  operationName?: string;
  requestId?: string;
  attempts?: number;
}

/**
 * The request did not produce a GraphQL response: connection failure, a body that is not GraphQL
 * JSON (e.g. a proxy's error page), a timeout (RosterTimeoutError) or an abort (RosterAbortError).
 */
export class RosterNetworkError extends Error {
  /** What went wrong, to branch on like RosterError's `code`: 'NETWORK_ERROR', 'TIMEOUT' or 'ABORTED'. */
  readonly code: 'NETWORK_ERROR' | 'TIMEOUT' | 'ABORTED' = 'NETWORK_ERROR';
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  /** The start of the response body, when it was not GraphQL JSON. */
  readonly body?: string;
  /** The operation that failed, e.g. "Viewer". */
  readonly operationName?: string;
  /** The `x-request-id` the request was sent with (to find it in the server's logs, if it arrived). */
  readonly requestId?: string;
  /** How many attempts were made (more than 1 when a query was retried). */
  readonly attempts?: number;

  constructor(message: string, options: RosterNetworkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options.status !== undefined) this.status = options.status;
    if (options.body !== undefined) this.body = options.body;
    if (options.operationName) this.operationName = options.operationName;
    if (options.requestId) this.requestId = options.requestId;
    if (options.attempts !== undefined) this.attempts = options.attempts;
  }
}

/** An attempt took longer than `timeoutMs`. Not retried. */
export class RosterTimeoutError extends RosterNetworkError {
  declare readonly code: 'TIMEOUT';
  /** The limit that was exceeded, in milliseconds. */
  readonly timeoutMs: number;

  constructor(message: string, options: RosterNetworkErrorOptions & { timeoutMs: number }) {
    super(message, options);
    this.code = 'TIMEOUT';
    this.timeoutMs = options.timeoutMs;
  }
}

/** The caller's AbortSignal aborted the call; `cause` is the signal's reason. */
export class RosterAbortError extends RosterNetworkError {
  declare readonly code: 'ABORTED';

  constructor(message: string, options: RosterNetworkErrorOptions = {}) {
    super(message, options);
    this.code = 'ABORTED';
  }
}
