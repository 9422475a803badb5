import { Kind, print, type DocumentNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  ApiKeysDocument,
  CreateApiKeyDocument,
  CreateOrganizationDocument,
  InstanceDocument,
  LogInDocument,
  LogOutDocument,
  OrganizationDocument,
  OrganizationsDocument,
  RevokeApiKeyDocument,
  SignUpDocument,
  UpdateOrganizationDocument,
  ViewerDocument,
  type ApiKeysQueryVariables,
  type CreateApiKeyInput,
  type CreateOrganizationInput,
  type LogInInput,
  type OrganizationQueryVariables,
  type OrganizationsQueryVariables,
  type RevokeApiKeyInput,
  type SignUpInput,
  type UpdateOrganizationInput,
} from './generated/graphql';
import { errorFromResponse, RosterNetworkError, UnauthenticatedError, type GraphQLErrorEntry } from './errors';
import { paginate } from './paginate';
import type {
  ApiKey,
  ApiKeyConnection,
  CreateApiKeyPayload,
  CreateOrganizationPayload,
  Instance,
  LogInPayload,
  LogOutPayload,
  Organization,
  OrganizationConnection,
  RevokeApiKeyPayload,
  SignUpPayload,
  UpdateOrganizationPayload,
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

/** Variables are optional when the operation has no required ones. */
type VariablesArg<V> = Record<string, never> extends V ? [variables?: V] : [variables: V];

interface GraphQLResponseBody {
  data?: unknown;
  errors?: GraphQLErrorEntry[];
}

const DEFAULT_PAGE_SIZE = 100;

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

  // ---- Conveniences -------------------------------------------------------

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
