import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import {
  LogInDocument,
  SignUpDocument,
  type AcceptInvitationInput,
  type AuditAction,
  type InviteUsersRowInput,
  type LogInInput,
  type LogOutMutationVariables,
  type MemberOrder,
  type MemberStatus,
  type OrgRole,
  type SignUpInput,
} from './generated/graphql.js';
import { OrganizationOperations, RosterOperations, SDK_VERSION, TeamOperations } from './generated/sdk.js';
import {
  errorFromResponse,
  errorFromUserError,
  RosterAbortError,
  RosterError,
  RosterNetworkError,
  RosterTimeoutError,
  UnauthenticatedError,
  type GraphQLErrorEntry,
} from './errors.js';
import { parseInviteCsv, type InviteRow } from './invite-csv.js';
import { RESPONSE_META, type RequestOptions, type ResponseMeta } from './runtime.js';
import type { AcceptInvitationPayload, Invitation, LogInPayload, LogOutPayload, SignUpPayload } from './types.js';

/** Retries of queries (never mutations) after a network error or an HTTP 5xx response. */
export interface RetryOptions {
  /** Retries after the first attempt (default 2; 0 turns retrying off). */
  retries?: number;
  /** Delay before the first retry, doubled for each further one, with jitter (default 250 ms). */
  minDelayMs?: number;
  /** Upper bound of one delay (default 4000 ms). */
  maxDelayMs?: number;
}

export interface RosterClientOptions {
  /** Base URL of the server, e.g. "https://roster.example.com". Defaults to env ROSTER_URL. */
  url?: string;
  /** An API key ("rsk_..."). Defaults to env ROSTER_API_KEY. */
  apiKey?: string;
  /** A session token (from signUp/logIn). Takes precedence over the API key. */
  token?: string;
  /**
   * With a service account's key: the person (username or email) the runs and reports it writes are attributed to,
   * sent as `X-Roster-Acting-User`. Defaults to env ROSTER_USERNAME, then WANDB_USERNAME, then WANDB_USER_EMAIL.
   * The person must be an ACTIVE member of the team with a role that may do it, or the call fails with
   * AttributionError and writes nothing. Pass `null` to send none whatever the environment; the server ignores it
   * for personal keys and sessions.
   */
  username?: string | null;
  /** A fetch implementation; defaults to the global one (Node 18+, browsers). */
  fetch?: typeof fetch;
  /** Extra headers on every request (e.g. a proxy's auth). */
  headers?: Record<string, string>;
  /**
   * fetch's `credentials` mode. In a browser on another origin than the server, 'include' sends
   * the session cookie set by logIn (the server must allow the origin). Default: fetch's own ('same-origin').
   */
  credentials?: 'omit' | 'same-origin' | 'include';
  /** Milliseconds each attempt may take (default 30000; 0 means no limit). */
  timeoutMs?: number;
  /** Retries of queries after network errors and 5xx responses (default `{ retries: 2 }`); `false` turns them off. */
  retry?: RetryOptions | false;
}

/** A GraphQL document: a string, or a typed document string (codegen `documentMode: 'string'`). */
export type GraphQLDocument<TResult, TVariables> = string | (DocumentTypeDecoration<TResult, TVariables> & object);

/** Variables (optional when the operation has no required ones), then per-call options. */
export type RequestArgs<TVariables> =
  Record<string, never> extends TVariables
    ? [variables?: TVariables, options?: RequestOptions]
    : [variables: TVariables, options?: RequestOptions];

/** Arguments of `inviteMany`. */
export interface InviteManyArgs {
  /** Organization name (slug). */
  organization: string;
  /** The people to invite: rows, or a CSV string read with `parseInviteCsv`. */
  rows: readonly InviteRow[] | string;
  /** Send invitation emails (default true). false: each successful row carries its `acceptUrl` once. */
  sendEmail?: boolean;
  /** Rows per inviteUsers call, 1 to MAX_INVITE_ROWS_PER_CALL (10,000, the server's cap); default 1,000. */
  chunkSize?: number;
  /** inviteUsers calls in flight at once, 1 to 16; default 4. Use 1 to have rows take the last seats in input order. */
  concurrency?: number;
}

/** The outcome of one row of `inviteMany`. */
export interface InviteManyRowResult {
  /** Position of the row in the whole input (0-based), whatever chunk it was sent in. */
  index: number;
  /** The row as given (for CSV input: with its `line`). */
  row: InviteRow;
  /** The email as the server read it (as given when its chunk failed as a whole). */
  email: string;
  /** The invitation, when the row succeeded. */
  invitation: Invitation | null;
  /** The accept link, when the row succeeded with `sendEmail: false`. Shown once. */
  acceptUrl: string | null;
  /**
   * Why the row failed: the class a single inviteUser would throw for this row (ConflictError,
   * BadUserInputError, SeatLimitReachedError, ...), or, when its whole chunk failed, that call's
   * error (ForbiddenError, RosterNetworkError, RosterAbortError, ...).
   */
  error: RosterError | RosterNetworkError | null;
}

export interface InviteManyResult {
  /** One result per input row, in input order. */
  results: InviteManyRowResult[];
  succeeded: number;
  failed: number;
}

/** The server's cap on rows per inviteUsers call (its MAX_BULK_INVITES, stated in the schema's description). */
export const MAX_INVITE_ROWS_PER_CALL = 10_000;
const MAX_INVITE_CONCURRENCY = 16;
/**
 * The server writes 1,000 rows per transaction whatever the call's size, so larger calls save only round trips; at
 * 1,000 a call takes about a second, so calls queued behind each other on the organization's lock (`concurrency`)
 * stay far from the request timeouts, and a call that fails as a whole (a dropped connection) marks fewer rows.
 */
/**
 * Filters and order of a members download: the arguments of `members` (Organization.members), and for CSV an optional
 * UTF-8 byte order mark so that Excel reads accents right.
 */
export interface MembersExportFilters {
  search?: string;
  roles?: OrgRole[];
  statuses?: MemberStatus[];
  teams?: string[];
  orderBy?: MemberOrder;
  /** CSV only: start with a UTF-8 BOM (for Excel). */
  bom?: boolean;
}

export interface MembersExportOptions {
  /** Stops the download (the server stops reading its cursor). No timeout applies: a large export takes a while. */
  signal?: AbortSignal;
}

const DEFAULT_INVITE_CHUNK = 1000;
const DEFAULT_INVITE_CONCURRENCY = 4;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRY: Required<RetryOptions> = { retries: 2, minDelayMs: 250, maxDelayMs: 4000 };
/** Names the person a service account's request acts for (RosterClientOptions.username). */
export const ACTING_USER_HEADER = 'x-roster-acting-user';

/** The acting user: the option, else the first of ROSTER_USERNAME, WANDB_USERNAME, WANDB_USER_EMAIL that is set. */
export function resolveActingUser(option: string | null | undefined): string | undefined {
  if (option === null) return undefined;
  const value = option ?? readEnv('ROSTER_USERNAME') ?? readEnv('WANDB_USERNAME') ?? readEnv('WANDB_USER_EMAIL');
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** Sent on every request, so the server (and its CORS configuration) can tell SDK calls apart. */
export const CLIENT_HEADER = 'x-roster-client';

type OperationKind = 'query' | 'mutation' | 'subscription';

interface ParsedDocument {
  query: string;
  kind: OperationKind;
  operationName: string | undefined;
}

interface GraphQLResponseBody {
  data?: unknown;
  errors?: GraphQLErrorEntry[];
}

interface CallMeta {
  operationName: string | undefined;
  requestId: string;
}

const parsed = new WeakMap<object, ParsedDocument>();

/**
 * The kind and name of a document's first operation, read with a small scanner (no graphql-js):
 * definitions are told apart at bracket depth 0; comments and strings are skipped.
 */
export function describeOperation(query: string): { kind: OperationKind; operationName: string | undefined } {
  let depth = 0;
  let words: string[] = [];
  for (const [token] of query.matchAll(/#[^\n\r]*|"""[\s\S]*?"""|"(?:[^"\\\n\r]|\\.)*"|[A-Za-z_]\w*|[{}()[\]]/g)) {
    if (token === '{' || token === '(' || token === '[') {
      if (token === '{' && depth === 0) {
        const [first, second] = words;
        if (first === undefined) return { kind: 'query', operationName: undefined };
        if (first === 'query' || first === 'mutation' || first === 'subscription')
          return { kind: first, operationName: second };
        words = [];
      }
      depth += 1;
    } else if (token === '}' || token === ')' || token === ']') {
      depth -= 1;
      if (depth === 0 && token === '}') words = [];
    } else if (depth === 0 && /^[A-Za-z_]/.test(token)) {
      words.push(token);
    }
  }
  return { kind: 'query', operationName: undefined };
}

function parseDocument<TResult, TVariables>(document: GraphQLDocument<TResult, TVariables>): ParsedDocument {
  if (typeof document === 'string') return { query: document, ...describeOperation(document) };
  const cached = parsed.get(document);
  if (cached) return cached;
  let query: string;
  if (document instanceof String) {
    query = document.toString();
  } else {
    // A DocumentNode: its source text, if the parser kept it; printing it would need graphql-js.
    const body = (document as { loc?: { source?: { body?: unknown } } }).loc?.source?.body;
    if (typeof body !== 'string') {
      throw new TypeError(
        'request() takes a document string or a TypedDocumentString (graphql-codegen documentMode: "string"); print ' +
          'a DocumentNode with graphql-js first.',
      );
    }
    query = body;
  }
  const entry = { query, ...describeOperation(query) };
  parsed.set(document, entry);
  return entry;
}

function readEnv(name: string): string | undefined {
  // `process` is absent in browsers; the SDK still works there with explicit options.
  const value = typeof process === 'undefined' ? undefined : process.env?.[name];
  return value ? value : undefined;
}

function nodeVersion(): string | undefined {
  return typeof process === 'undefined' ? undefined : process.versions?.node;
}

function newRequestId(): string {
  const uuid = globalThis.crypto?.randomUUID?.();
  return uuid ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 14)}`;
}

function reasonOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function isResponseBody(value: unknown): value is GraphQLResponseBody {
  if (typeof value !== 'object' || value === null) return false;
  const errors = (value as { errors?: unknown }).errors;
  return 'data' in value || Array.isArray(errors);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Only the fields InviteUsersRowInput has (a CSV row's `line` is the SDK's own). */
function toRowInput(row: InviteRow): InviteUsersRowInput {
  const input: InviteUsersRowInput = { email: row.email };
  if (row.role !== undefined) input.role = row.role;
  if (row.teams !== undefined) input.teams = row.teams === null ? null : row.teams.map((t) => ({ ...t }));
  return input;
}

type Attempt =
  | { ok: true; response: Response; text: string }
  | { ok: false; error: RosterNetworkError; retriable: boolean };

/**
 * A typed client for the Roster GraphQL API: one method per operation in src/operations (generated,
 * see RosterOperations), `org(name)` and `org(name).team(name)` handles that fill those in, and a
 * few conveniences (inviteMany, request).
 *
 * Credentials: a session token (given as `token`, or remembered from signUp/logIn/acceptInvitation)
 * wins over an API key (`apiKey`, else env ROSTER_API_KEY). Each is sent as
 * `Authorization: Bearer <credential>`; in a browser, `credentials: 'include'` sends the session cookie.
 */
export class RosterClient extends RosterOperations {
  /** The GraphQL endpoint, `${url}/graphql`. */
  readonly endpoint: string;
  /** The server's base URL (downloads live beside /graphql). */
  private readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly headers: Record<string, string>;
  private readonly credentials: RosterClientOptions['credentials'];
  private readonly timeoutMs: number;
  private readonly retry: Required<RetryOptions>;
  private token: string | undefined;

  constructor(options: RosterClientOptions = {}) {
    super();
    const url = options.url ?? readEnv('ROSTER_URL');
    if (!url) throw new Error('RosterClient needs a server URL: pass { url } or set ROSTER_URL.');
    this.baseUrl = url.replace(/\/+$/, '');
    this.endpoint = `${this.baseUrl}/graphql`;
    this.apiKey = options.apiKey ?? readEnv('ROSTER_API_KEY');
    this.token = options.token;
    const fetchImpl = options.fetch ?? globalThis.fetch;
    // Called unbound: some fetch implementations reject `this` being the client.
    this.fetchImpl = (input, init) => fetchImpl(input, init);
    this.credentials = options.credentials;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const retry = options.retry === false ? { retries: 0 } : (options.retry ?? {});
    this.retry = {
      retries: retry.retries ?? DEFAULT_RETRY.retries,
      minDelayMs: retry.minDelayMs ?? DEFAULT_RETRY.minDelayMs,
      maxDelayMs: retry.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    };
    // Browsers refuse to set User-Agent; x-roster-client names the SDK everywhere.
    const node = nodeVersion();
    const actingUser = resolveActingUser(options.username);
    this.headers = {
      [CLIENT_HEADER]: `@roster/sdk/${SDK_VERSION}`,
      ...(actingUser ? { [ACTING_USER_HEADER]: actingUser } : {}),
      ...(node ? { 'user-agent': `roster-sdk/${SDK_VERSION} node/${node}` } : {}),
      ...options.headers,
    };
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

  /** The operations of one organization: `roster.org('acme').members({ search: 'ada' })`. */
  org(organization: string): RosterOrganization {
    return new RosterOrganization(this, organization);
  }

  /**
   * Runs any GraphQL document (a string, or a typed document string from your own codegen with
   * `documentMode: 'string'`) with this client's credentials, timeout and retries, and returns `data`.
   * Throws a RosterError subclass for GraphQL errors and RosterNetworkError when no GraphQL response arrived.
   */
  request<TResult = unknown, TVariables = Record<string, unknown>>(
    document: GraphQLDocument<TResult, TVariables>,
    ...[variables, options]: RequestArgs<TVariables>
  ): Promise<TResult> {
    return this.execute(document, variables, options, this.credential());
  }

  // ---- Operations with more to do than send ------------------------------

  /**
   * Create an account; the first sign-up of a fresh instance becomes its admin. Sent without credentials; remembers the
   * session token.
   */
  override async signUp(input: SignUpInput, options?: RequestOptions): Promise<SignUpPayload> {
    const { signUp } = await this.execute(SignUpDocument, { input }, options, undefined);
    this.setToken(signUp.token);
    return signUp;
  }

  /**
   * Log in with an email or username and a password (`provider`: an LDAP provider from ssoProviders; omitted: the
   * local password, then each LDAP provider). Sent without credentials; remembers the session token.
   */
  override async logIn(input: LogInInput, options?: RequestOptions): Promise<LogInPayload> {
    const { logIn } = await this.execute(LogInDocument, { input }, options, undefined);
    this.setToken(logIn.token);
    return logIn;
  }

  /** End the current session and forget its token. Needs a session, not an API key. */
  override async logOut(args: LogOutMutationVariables = {}, options?: RequestOptions): Promise<LogOutPayload> {
    try {
      const payload = await super.logOut(args, options);
      this.clearToken();
      return payload;
    } catch (err) {
      // A refused session is over anyway; keep the token only when the outcome is unknown.
      if (err instanceof UnauthenticatedError) this.clearToken();
      throw err;
    }
  }

  /** Accept an invitation; remembers the session token the server returns when the caller was anonymous. */
  override async acceptInvitation(
    input: AcceptInvitationInput,
    options?: RequestOptions,
  ): Promise<AcceptInvitationPayload> {
    const payload = await super.acceptInvitation(input, options);
    if (payload.token) this.setToken(payload.token);
    return payload;
  }

  // ---- Bulk ---------------------------------------------------------------

  /**
   * Bulk invite: any number of rows (or a CSV string, read with `parseInviteCsv`), sent as inviteUsers
   * calls of at most `chunkSize` rows, at most `concurrency` of them at a time. Resolves with one result
   * per input row, in input order; a chunk that fails as a whole (e.g. ForbiddenError, a network error)
   * marks each of its rows with that error. Only bad arguments and an unreadable CSV throw.
   */
  async inviteMany(args: InviteManyArgs, options?: RequestOptions): Promise<InviteManyResult> {
    const {
      organization,
      sendEmail,
      chunkSize = DEFAULT_INVITE_CHUNK,
      concurrency = DEFAULT_INVITE_CONCURRENCY,
    } = args;
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_INVITE_ROWS_PER_CALL) {
      throw new RangeError(`chunkSize must be an integer from 1 to ${MAX_INVITE_ROWS_PER_CALL}, got ${chunkSize}.`);
    }
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_INVITE_CONCURRENCY) {
      throw new RangeError(`concurrency must be an integer from 1 to ${MAX_INVITE_CONCURRENCY}, got ${concurrency}.`);
    }
    const rows = typeof args.rows === 'string' ? parseInviteCsv(args.rows) : args.rows;
    const results: InviteManyRowResult[] = [];
    const offsets: number[] = [];
    for (let offset = 0; offset < rows.length; offset += chunkSize) offsets.push(offset);

    const sendChunk = async (offset: number): Promise<void> => {
      const chunk = rows.slice(offset, offset + chunkSize);
      try {
        const payload = await this.inviteUsers(
          { organization, invitations: chunk.map(toRowInput), ...(sendEmail === undefined ? {} : { sendEmail }) },
          options,
        );
        for (const r of payload.results) {
          const index = offset + r.index;
          const path = ['inviteUsers', 'results', r.index, 'error'];
          results[index] = {
            index,
            row: rows[index] ?? { email: r.email },
            email: r.email,
            invitation: r.invitation,
            acceptUrl: r.acceptUrl,
            error: r.error ? errorFromUserError(r.error, { path, operationName: 'InviteUsers' }) : null,
          };
        }
      } catch (err) {
        if (!(err instanceof RosterError || err instanceof RosterNetworkError)) throw err;
        chunk.forEach((row, i) => {
          results[offset + i] = {
            index: offset + i,
            row,
            email: row.email,
            invitation: null,
            acceptUrl: null,
            error: err,
          };
        });
      }
    };

    // `concurrency` workers take the next chunk as soon as they are free.
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < offsets.length; i = next++) await sendChunk(offsets[i]!);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, offsets.length) }, worker));

    const failed = results.filter((r) => r.error).length;
    return { results, succeeded: results.length - failed, failed };
  }

  // ---- Transport ----------------------------------------------------------

  protected override send<TResult, TVariables>(
    document: DocumentTypeDecoration<TResult, TVariables>,
    variables: TVariables,
    options: RequestOptions | undefined,
  ): Promise<TResult> {
    return this.execute(document, variables, options, this.credential());
  }

  // ---- Downloads ----------------------------------------------------------

  /**
   * The members view of an organization as CSV (GET /organizations/:name/members.csv): a web ReadableStream of the
   * UTF-8 bytes, in Node and browsers. Same filters, order and visibility as `members`; columns in the server's
   * docs/USAGE.md. Throws the RosterError of the refusal (NotFoundError, ForbiddenError, BadUserInputError...) before
   * any byte arrives.
   */
  exportMembersCsv(
    organization: string,
    filters: MembersExportFilters = {},
    options: MembersExportOptions = {},
  ): Promise<ReadableStream<Uint8Array>> {
    return this.download(organization, 'csv', filters, options);
  }

  /** The same rows as JSON Lines (one JSON object a line; members.jsonl), for scripts. */
  exportMembersJsonl(
    organization: string,
    filters: Omit<MembersExportFilters, 'bom'> = {},
    options: MembersExportOptions = {},
  ): Promise<ReadableStream<Uint8Array>> {
    return this.download(organization, 'jsonl', filters, options);
  }

  /**
   * Node only: writes the members CSV (or JSON Lines, `format: 'jsonl'`) to a file, with back-pressure, and resolves
   * with the bytes written once the file is complete.
   */
  async exportMembersToFile(
    organization: string,
    filePath: string,
    filters: MembersExportFilters & { format?: 'csv' | 'jsonl' } = {},
    options: MembersExportOptions = {},
  ): Promise<{ bytes: number }> {
    const { format = 'csv', ...rest } = filters;
    const body = await this.download(organization, format, rest, options);
    const fs = await import('node:fs');
    const out = fs.createWriteStream(filePath);
    let bytes = 0;
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        if (!out.write(value)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      }
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      return { bytes };
    } catch (err) {
      out.destroy();
      await reader.cancel().catch(() => undefined);
      throw err;
    }
  }

  private async download(
    organization: string,
    format: 'csv' | 'jsonl',
    filters: MembersExportFilters,
    options: MembersExportOptions,
  ): Promise<ReadableStream<Uint8Array>> {
    const operationName = format === 'csv' ? 'exportMembersCsv' : 'exportMembersJsonl';
    const params = new URLSearchParams();
    if (filters.search) params.set('search', filters.search);
    // Repeated parameters: a value may hold a comma.
    for (const role of filters.roles ?? []) params.append('roles', role);
    for (const status of filters.statuses ?? []) params.append('statuses', status);
    for (const team of filters.teams ?? []) params.append('teams', team);
    if (filters.orderBy) {
      params.set('orderBy', filters.orderBy.field);
      if (filters.orderBy.direction) params.set('direction', filters.orderBy.direction);
    }
    if (filters.bom) params.set('bom', '1');
    const query = params.toString();
    const path = `/organizations/${encodeURIComponent(organization)}/members.${format}`;
    const url = `${this.baseUrl}${path}${query ? `?${query}` : ''}`;
    const headers = new Headers(this.headers);
    const credential = this.credential();
    if (credential) headers.set('authorization', `Bearer ${credential}`);
    const requestId = newRequestId();
    headers.set('x-request-id', requestId);
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: 'GET',
        headers,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(this.credentials ? { credentials: this.credentials } : {}),
      });
    } catch (cause) {
      if (options.signal?.aborted)
        throw new RosterAbortError(`${operationName} was aborted.`, { operationName, requestId, cause });
      throw new RosterNetworkError(`${operationName}: request to ${url} failed: ${reasonOf(cause)}`, {
        operationName,
        requestId,
        cause,
      });
    }
    if (response.ok && response.body) return response.body;
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (isResponseBody(body) && body.errors?.length)
      throw errorFromResponse(body.errors, { requestId, status: response.status, operationName });
    throw new RosterNetworkError(`${operationName}: HTTP ${response.status} from ${url}.`, {
      status: response.status,
      body: text.slice(0, 1000),
      operationName,
      requestId,
    });
  }

  private credential(): string | undefined {
    return this.token ?? this.apiKey;
  }

  /** The one HTTP path every operation takes: timeout, abort, retries of queries, typed errors. */
  private async execute<TResult, TVariables>(
    document: GraphQLDocument<TResult, TVariables>,
    variables: TVariables | undefined,
    options: RequestOptions = {},
    credential: string | undefined,
  ): Promise<TResult> {
    const { query, kind, operationName } = parseDocument(document);
    const headers = new Headers(this.headers);
    for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
    headers.set('content-type', 'application/json');
    headers.set('accept', 'application/json');
    if (credential) headers.set('authorization', `Bearer ${credential}`);
    const requestId = headers.get('x-request-id') ?? newRequestId();
    headers.set('x-request-id', requestId);
    const meta: CallMeta = { operationName, requestId };
    const body = JSON.stringify({ query, operationName, variables: variables ?? {} });
    // Only queries are safe to send twice: a mutation may have happened even when its response was lost.
    const retries = kind === 'query' ? Math.max(0, options.retries ?? this.retry.retries) : 0;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;

    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.attempt(headers, body, timeoutMs, options.signal, meta, attempt);
      const retriable = outcome.ok ? outcome.response.status >= 500 : outcome.retriable;
      if (retriable && attempt <= retries) {
        const { minDelayMs, maxDelayMs } = this.retry;
        const delay = Math.min(maxDelayMs, minDelayMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
        try {
          await sleep(delay, options.signal);
        } catch (cause) {
          throw new RosterAbortError(`${operationName ?? 'The operation'} was aborted.`, {
            ...meta,
            attempts: attempt,
            cause,
          });
        }
        continue;
      }
      if (!outcome.ok) throw outcome.error;
      return this.read<TResult>(outcome.response, outcome.text, meta, attempt);
    }
  }

  /** One fetch, with the timeout and the caller's signal; never throws for network failures. */
  private async attempt(
    headers: Headers,
    body: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    meta: CallMeta,
    attempts: number,
  ): Promise<Attempt> {
    const name = meta.operationName ?? 'The operation';
    if (signal?.aborted) {
      throw new RosterAbortError(`${name} was aborted.`, { ...meta, attempts: attempts - 1, cause: signal.reason });
    }
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer =
      timeoutMs > 0 && Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, timeoutMs)
        : undefined;
    try {
      const response = await this.fetchImpl(this.endpoint, {
        method: 'POST',
        headers,
        body,
        signal: controller.signal,
        ...(this.credentials ? { credentials: this.credentials } : {}),
      });
      // The body is read under the same timeout and signal.
      const text = await response.text();
      return { ok: true, response, text };
    } catch (cause) {
      if (signal?.aborted)
        throw new RosterAbortError(`${name} was aborted.`, { ...meta, attempts, cause: signal.reason });
      if (timedOut) {
        throw new RosterTimeoutError(`${name} timed out after ${timeoutMs} ms (${this.endpoint}).`, {
          ...meta,
          attempts,
          timeoutMs,
          cause,
        });
      }
      const error = new RosterNetworkError(`${name}: request to ${this.endpoint} failed: ${reasonOf(cause)}`, {
        ...meta,
        attempts,
        cause,
      });
      return { ok: false, error, retriable: true };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private read<TResult>(response: Response, text: string, meta: CallMeta, attempts: number): TResult {
    const name = meta.operationName ?? 'The operation';
    // The server echoes the id it was sent; a browser sees the header only when CORS exposes it.
    const requestId = response.headers.get('x-request-id') ?? meta.requestId;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    // Parse the body whatever the status: a bad credential is HTTP 401 with a GraphQL error body.
    if (!isResponseBody(body)) {
      throw new RosterNetworkError(
        `${name}: expected a GraphQL JSON response from ${this.endpoint}, got HTTP ${response.status}.`,
        {
          status: response.status,
          body: text.slice(0, 1000),
          operationName: meta.operationName,
          requestId,
          attempts,
        },
      );
    }
    if (body.errors && body.errors.length > 0) {
      throw errorFromResponse(body.errors, {
        requestId,
        status: response.status,
        ...(meta.operationName ? { operationName: meta.operationName } : {}),
      });
    }
    if (!response.ok || body.data === null || body.data === undefined) {
      throw new RosterNetworkError(
        `${name}: the GraphQL response from ${this.endpoint} has no data (HTTP ${response.status}).`,
        {
          status: response.status,
          body: text.slice(0, 1000),
          operationName: meta.operationName,
          requestId,
          attempts,
        },
      );
    }
    // The request id travels with the data (not enumerable), so a null lookup's NotFoundError can quote it.
    if (typeof body.data === 'object' && body.data !== null)
      Object.defineProperty(body.data, RESPONSE_META, {
        value: { requestId } satisfies ResponseMeta,
        enumerable: false,
      });
    // The server validated `data` against the same schema the document was generated from.
    return body.data as TResult;
  }

  /**
   * The audit log as JSON Lines (`GET /audit-log.jsonl`), newest first, with the filters of `auditLog`: a
   * `ReadableStream` of bytes (Node 18+ and browsers), read as the server streams it. With `organization`, that
   * organization's log (its admins); without, the whole instance's (instance admins). Parse it with
   * `auditLogEvents(stream)`, or pipe it to a file (Node: `Readable.fromWeb(stream).pipe(fs.createWriteStream(f))`).
   * Throws the typed error of the API (ForbiddenError, BadUserInputError…) before the first byte when refused.
   */
  async exportAuditLog(
    filters: AuditLogExportFilters = {},
    options: Pick<RequestOptions, 'signal' | 'headers'> = {},
  ): Promise<ReadableStream<Uint8Array>> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(filters)) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) {
        if (value.length) query.set(name, value.join(','));
      } else query.set(name, value instanceof Date ? value.toISOString() : String(value));
    }
    const url = `${this.endpoint.replace(/\/graphql$/, '')}/audit-log.jsonl${query.toString() ? `?${query}` : ''}`;
    const headers = new Headers(this.headers);
    for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
    headers.set('accept', 'application/x-ndjson, application/json');
    const credential = this.credential();
    if (credential) headers.set('authorization', `Bearer ${credential}`);
    const requestId = headers.get('x-request-id') ?? newRequestId();
    headers.set('x-request-id', requestId);
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: 'GET',
        headers,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(this.credentials ? { credentials: this.credentials } : {}),
      });
    } catch (cause) {
      throw new RosterNetworkError(`exportAuditLog: request to ${url} failed: ${reasonOf(cause)}`, {
        operationName: 'exportAuditLog',
        requestId,
        attempts: 1,
        cause,
      });
    }
    if (!response.ok || !response.body) {
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (isResponseBody(body) && body.errors?.length) {
        throw errorFromResponse(body.errors, { requestId, status: response.status, operationName: 'exportAuditLog' });
      }
      throw new RosterNetworkError(`exportAuditLog: HTTP ${response.status} from ${url}.`, {
        status: response.status,
        body: text.slice(0, 1000),
        operationName: 'exportAuditLog',
        requestId,
        attempts: 1,
      });
    }
    return response.body;
  }
}

/** Filters of `exportAuditLog`: those of `auditLog`, plus `organization` for one organization's log. */
export interface AuditLogExportFilters {
  organization?: string | null;
  actions?: readonly AuditAction[] | null;
  actor?: string | null;
  target?: string | null;
  targetType?: string | null;
  since?: Date | string | null;
  until?: Date | string | null;
}

/** One line of an audit log export: the fields of `AuditEvent` as the API returns them. */
export interface AuditLogExportEvent {
  id: string;
  action: AuditAction;
  actor: { type: string; id: string | null; label: string | null };
  target: { type: string; id: string; label: string | null } | null;
  organizationId: string | null;
  metadata: Record<string, unknown> | null;
  clientAddress: string | null;
  createdAt: string;
}

/** Parses an `exportAuditLog` stream line by line, holding one line at a time: `for await (const e of ...)`. */
export async function* auditLogEvents(stream: ReadableStream<Uint8Array>): AsyncGenerator<AuditLogExportEvent> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const lines = (rest + decoder.decode(value, { stream: true })).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line) yield JSON.parse(line) as AuditLogExportEvent;
    }
    rest += decoder.decode();
    if (rest.trim()) yield JSON.parse(rest) as AuditLogExportEvent;
  } finally {
    reader.releaseLock();
  }
}

/** `roster.org('acme')`: every operation that takes an organization, without it; `team(name)`; `inviteMany`. */
export class RosterOrganization extends OrganizationOperations<RosterClient> {
  /**
   * The operations of one team of this organization: `roster.org('acme').team('vision').addMember({ user: 'grace' })`.
   */
  team(team: string): RosterTeam {
    return new RosterTeam(this.client, this.organization, team);
  }

  /** `exportMembersCsv` of this organization: a web ReadableStream of the CSV. */
  exportMembersCsv(
    filters?: MembersExportFilters,
    options?: MembersExportOptions,
  ): Promise<ReadableStream<Uint8Array>> {
    return this.client.exportMembersCsv(this.organization, filters, options);
  }

  /** `exportMembersJsonl` of this organization. */
  exportMembersJsonl(
    filters?: Omit<MembersExportFilters, 'bom'>,
    options?: MembersExportOptions,
  ): Promise<ReadableStream<Uint8Array>> {
    return this.client.exportMembersJsonl(this.organization, filters, options);
  }

  /** `exportMembersToFile` of this organization (Node only). */
  exportMembersToFile(
    filePath: string,
    filters?: MembersExportFilters & { format?: 'csv' | 'jsonl' },
    options?: MembersExportOptions,
  ): Promise<{ bytes: number }> {
    return this.client.exportMembersToFile(this.organization, filePath, filters, options);
  }

  /** `inviteMany` in this organization. */
  inviteMany(args: Omit<InviteManyArgs, 'organization'>, options?: RequestOptions): Promise<InviteManyResult> {
    return this.client.inviteMany({ ...args, organization: this.organization }, options);
  }
}

/** `roster.org('acme').team('vision')`: every operation that takes an organization and a team, without them. */
export class RosterTeam extends TeamOperations<RosterClient> {}
