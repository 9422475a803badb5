import { GraphQLError } from 'graphql';

/** Every code a client may see on `extensions.code`. Stable: clients branch on these. */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  CONFLICT = 'CONFLICT',
  SEAT_LIMIT_REACHED = 'SEAT_LIMIT_REACHED',
  LAST_ADMIN = 'LAST_ADMIN',
  NOT_ORG_MEMBER = 'NOT_ORG_MEMBER',
  INVITE_EXPIRED = 'INVITE_EXPIRED',
  INVITE_INVALID = 'INVITE_INVALID',
  INVITATION_NOT_PENDING = 'INVITATION_NOT_PENDING',
  RATE_LIMITED = 'RATE_LIMITED',
  SERVICE_ACCOUNT_DISABLED = 'SERVICE_ACCOUNT_DISABLED',
  ATTRIBUTION_FAILED = 'ATTRIBUTION_FAILED',
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  REQUEST_TIMEOUT = 'REQUEST_TIMEOUT',
  RESPONSE_TOO_LARGE = 'RESPONSE_TOO_LARGE',
  GRAPHQL_PARSE_FAILED = 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED',
  BAD_REQUEST = 'BAD_REQUEST',
  SSO_FAILED = 'SSO_FAILED',
  SSO_EMAIL_NOT_VERIFIED = 'SSO_EMAIL_NOT_VERIFIED',
  SSO_NOT_PROVISIONED = 'SSO_NOT_PROVISIONED',
  SSO_GROUP_NOT_ALLOWED = 'SSO_GROUP_NOT_ALLOWED',
  ACCESS_DEACTIVATED = 'ACCESS_DEACTIVATED',
  IDP_MANAGED_MEMBERSHIP = 'IDP_MANAGED_MEMBERSHIP',
  TOO_MANY_BUCKETS = 'TOO_MANY_BUCKETS',
  CSRF_REFUSED = 'CSRF_REFUSED',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  // Instance settings (issue 12, item 5).
  PASSWORD_SIGN_IN_DISABLED = 'PASSWORD_SIGN_IN_DISABLED',
  SSO_PROVIDER_REQUIRED = 'SSO_PROVIDER_REQUIRED',
  SECRETS_KEY_MISSING = 'SECRETS_KEY_MISSING',
  LAST_INSTANCE_ADMIN = 'LAST_INSTANCE_ADMIN',
}

export const ERROR_CODE_DESCRIPTIONS: Record<ErrorCode, string> = {
  UNAUTHENTICATED:
    'No valid session or API key was given, or it expired or was revoked. Log in again or use a valid API key.',
  INVALID_CREDENTIALS:
    'logIn was given a wrong login or password (unlike UNAUTHENTICATED, which means the session or API key sent is ' +
    'missing or no longer valid).',
  FORBIDDEN: 'The caller is authenticated but may not do this.',
  NOT_FOUND: 'The object does not exist or the caller may not see it.',
  BAD_USER_INPUT: 'An argument is invalid; `extensions.field` names it.',
  CONFLICT: 'The change collides with existing data (a taken name, a pending invitation, an existing membership).',
  SEAT_LIMIT_REACHED: 'The organization has no seat left for another ADMIN or MEMBER.',
  LAST_ADMIN: 'The change would leave the organization without an active admin.',
  NOT_ORG_MEMBER: 'The user is not an active member of the organization.',
  INVITE_EXPIRED: 'The invitation expired; ask an admin to resend it.',
  INVITE_INVALID: 'The invitation token is unknown, already used or revoked, or belongs to another email.',
  INVITATION_NOT_PENDING:
    'The invitation was already accepted or revoked, so it can no longer be updated, resent or revoked. ' +
    '`extensions.status` says which.',
  RATE_LIMITED:
    'Too many attempts (for example wrong passwords for one account or from one address). ' +
    '`extensions.retryAfterSeconds` says when to try again; the HTTP response also carries Retry-After.',
  SERVICE_ACCOUNT_DISABLED:
    'The API key belongs to a disabled service account: every request with it is refused until a team admin ' +
    'enables the account again (enableServiceAccount).',
  ATTRIBUTION_FAILED:
    'A service account named a person to act for (X-Roster-Acting-User, set by the SDK from `username`, ' +
    'ROSTER_USERNAME, WANDB_USERNAME or WANDB_USER_EMAIL) who is not an ACTIVE member of the team with a role that ' +
    'may do this; nothing was written. `extensions.actingUser` and `extensions.team` say who and where: fix the ' +
    'variable, add the person to the team, or unset it to write as the service account.',
  QUERY_TOO_COMPLEX:
    'The document exceeds a query limit (depth, aliases, root fields, directives, tokens or cost) and was not ' +
    'executed. `extensions.limit` names the limit, `extensions.max` its value and `extensions.actual` what the ' +
    'document needs: ask for fewer fields or smaller pages.',
  REQUEST_TIMEOUT:
    'The request ran longer than the server allows and was stopped; ask for less (smaller pages, fewer fields) or ' +
    'split it.',
  RESPONSE_TOO_LARGE:
    "The response would exceed the server's size limit and was not sent; ask for smaller pages or fewer fields.",
  GRAPHQL_PARSE_FAILED: 'The GraphQL document could not be parsed.',
  GRAPHQL_VALIDATION_FAILED: 'The GraphQL document does not match the schema.',
  BAD_REQUEST: 'The HTTP request is malformed.',
  SSO_FAILED:
    'The single sign-on could not be completed: the identity provider reported an error, the sign-in link was ' +
    'already used or expired, or the provider could not be reached. Nothing was changed; start the sign-in again.',
  SSO_EMAIL_NOT_VERIFIED:
    'The identity provider did not assert a verified email address (`email_verified` false or missing), so the ' +
    'account cannot be matched. Verify the email at the identity provider, then sign in again.',
  SSO_NOT_PROVISIONED:
    'The identity is valid but has no account here and automatic provisioning is off (DISABLE_SSO_PROVISIONING or ' +
    'the instance setting), or no default organization is configured; ask an organization admin for an invitation.',
  SSO_GROUP_NOT_ALLOWED:
    "The directory account is not in any of the provider's allowed groups; ask the directory administrator to add " +
    'it to one.',
  ACCESS_DEACTIVATED:
    'Your access was deactivated by an organization admin (every membership is DEACTIVATED); ask them to reactivate ' +
    'you.',
  IDP_MANAGED_MEMBERSHIP:
    'The team membership is managed by the identity provider (group-to-team sync or SCIM provisioning, ' +
    "`managedByIdp`; the message names it): change the user's groups at the identity provider (or the group " +
    'mapping) instead; the next sign-in or SCIM push applies it.',
  TOO_MANY_BUCKETS:
    'A series would have more buckets than the server returns (`extensions.max`, `extensions.actual`): choose a ' +
    'coarser granularity (WEEK or MONTH) or a shorter range.',
  CSRF_REFUSED:
    'A download authenticated by the session cookie alone came without the `X-Roster-Client` header (or from ' +
    'another site): send the header, or authenticate with "Authorization: Bearer".',
  INTERNAL_SERVER_ERROR: 'An unexpected error; the message carries a request id to quote to the operator.',
  PASSWORD_SIGN_IN_DISABLED:
    'Password sign-in is turned off on this instance (SSO only): sign in with one of the SSO providers listed on ' +
    'the sign-in page. An operator can turn it back on with `roster-admin enable-password-sign-in`.',
  SSO_PROVIDER_REQUIRED:
    'Password sign-in cannot be turned off (or the last SSO provider deleted while it is off) when no SSO provider ' +
    'is configured: nobody could sign in. Add an SSO provider first.',
  SECRETS_KEY_MISSING:
    'The server has no SECRETS_KEY, so it cannot store a secret (client secret, private key, bind or SMTP ' +
    'password): the operator sets SECRETS_KEY on every server process, or gives the secret through the environment.',
  LAST_INSTANCE_ADMIN: 'The change would leave the instance without an instance admin.',
};

export interface AppErrorOptions {
  field?: string;
  details?: Record<string, unknown>;
}

/** The one error type services throw; its code reaches the client unchanged. */
export class AppError extends GraphQLError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, {
      extensions: {
        code,
        ...(options.field ? { field: options.field } : {}),
        ...(options.details ?? {}),
      },
    });
    this.code = code;
  }
}

export const unauthenticated = (message = 'Log in or pass an API key as "Authorization: Bearer <key>".') =>
  new AppError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message: string) => new AppError(ErrorCode.FORBIDDEN, message);
export const notFound = (message: string) => new AppError(ErrorCode.NOT_FOUND, message);
export const badInput = (field: string, message: string) => new AppError(ErrorCode.BAD_USER_INPUT, message, { field });
export const conflict = (message: string, field?: string) => new AppError(ErrorCode.CONFLICT, message, { field });

/** logIn or acceptInvitation with a password while the instance is SSO only (instance setting passwordSignIn). */
export const passwordSignInDisabled = (via: 'logIn' | 'acceptInvitation') =>
  new AppError(
    ErrorCode.PASSWORD_SIGN_IN_DISABLED,
    via === 'logIn'
      ? 'Password sign-in is turned off on this instance: sign in with SSO (the sign-in page lists the providers).'
      : 'Password sign-in is turned off on this instance: sign in with SSO first, then accept the invitation.',
  );
