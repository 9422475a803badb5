import SCIMMY from 'scimmy';
import { gql, instanceWithAdmin, type InstanceWithAdmin } from './fixtures';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ROSTER = 'urn:ietf:params:scim:schemas:extension:roster:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

export const CREATE_TOKEN =
  'mutation($i: CreateScimTokenInput!) { createScimToken(input: $i) { secret scimToken { id name lastFour } } }';
export const REVOKE_TOKEN =
  'mutation($i: RevokeScimTokenInput!) { revokeScimToken(input: $i) { changed scimToken { id revokedAt } } }';

export interface ScimResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: a SCIM body's shape depends on the request; tests read what they sent.
  body: any;
}

/** A SCIM client as an identity provider is: the base URL and a token; JSON in, application/scim+json out. */
export class ScimClient {
  constructor(
    readonly base: string,
    readonly token: string | null,
  ) {}

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ScimResponse> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  }

  get = (path: string, headers?: Record<string, string>) => this.request('GET', path, undefined, headers);
  post = (path: string, body: unknown, headers?: Record<string, string>) => this.request('POST', path, body, headers);
  put = (path: string, body: unknown, headers?: Record<string, string>) => this.request('PUT', path, body, headers);
  patch = (path: string, ops: unknown[], headers?: Record<string, string>) =>
    this.request('PATCH', path, { schemas: [PATCH_OP], Operations: ops }, headers);
  delete = (path: string, headers?: Record<string, string>) => this.request('DELETE', path, undefined, headers);

  async createUser(userName: string, extra: Record<string, unknown> = {}): Promise<ScimResponse> {
    return this.post('/Users', {
      schemas: [USER],
      userName,
      name: { givenName: 'Given', familyName: 'Family' },
      emails: [{ value: userName.includes('@') ? userName : `${userName}@example.com`, type: 'work', primary: true }],
      active: true,
      ...extra,
    });
  }
}

export interface ScimInstance extends InstanceWithAdmin {
  scim: ScimClient;
  tokenId: string;
  secret: string;
}

/** An instance with an admin and a SCIM token for "acme" (created through the API, as an admin would). */
export async function scimInstance(env: Record<string, string> = {}): Promise<ScimInstance> {
  const ctx = await instanceWithAdmin(env);
  const { secret, id } = await createToken(ctx.url, ctx.admin.token, 'acme', 'Okta');
  return { ...ctx, scim: new ScimClient(`${ctx.url}/scim/v2`, secret), tokenId: id, secret };
}

export async function createToken(
  url: string,
  adminToken: string,
  organization: string,
  name: string,
): Promise<{ secret: string; id: string }> {
  const res = await gql<{ createScimToken: { secret: string; scimToken: { id: string } } }>(
    url,
    CREATE_TOKEN,
    { i: { organization, name } },
    adminToken,
  );
  if (!res.data) throw new Error(`createScimToken failed: ${JSON.stringify(res.errors)}`);
  return { secret: res.data.createScimToken.secret, id: res.data.createScimToken.scimToken.id };
}

let declared = false;
/**
 * Validates a response resource against the schemas the server publishes, with SCIMMY (an independent
 * implementation): the core User or Group schema, plus the Roster extension for users.
 */
export function validateWithScimmy(kind: 'User' | 'Group', resource: Record<string, unknown>): void {
  if (!declared) {
    declared = true;
    const ext = new SCIMMY.Types.SchemaDefinition('RosterUser', ROSTER, "Roster's roles", [
      new SCIMMY.Types.Attribute('string', 'organizationRole', { canonicalValues: ['ADMIN', 'MEMBER', 'VIEWER'] }),
      new SCIMMY.Types.Attribute('complex', 'teamRoles', { multiValued: true, mutable: false }, [
        new SCIMMY.Types.Attribute('string', 'value', { mutable: false }),
        new SCIMMY.Types.Attribute('string', 'display', { mutable: false }),
        new SCIMMY.Types.Attribute('string', 'role', { mutable: false }),
      ]),
    ]);
    // SCIMMY's declaration types the extension as a Schema class; at run time it takes a definition.
    SCIMMY.Schemas.User.extend(ext as unknown as SCIMMY.Types.Schema, false);
  }
  // SCIMMY's constructors coerce and validate (direction "out": what a service provider sends); they throw on a
  // value that does not fit its attribute.
  if (kind === 'User') new SCIMMY.Schemas.User(resource, 'out');
  else new SCIMMY.Schemas.Group(resource, 'out');
}
