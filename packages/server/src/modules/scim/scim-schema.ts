/**
 * What the server supports, as RFC 7643 §5-§7 describe it: served by /ServiceProviderConfig, /ResourceTypes and
 * /Schemas, and used by the filter translation, the attribute projection and PATCH (one description, so what is
 * advertised is what is implemented).
 */
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ROSTER_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:roster:2.0:User';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** The largest page a list returns (`count` above it is lowered to it): ServiceProviderConfig `filter.maxResults`. */
export const MAX_RESULTS = 1000;
export const DEFAULT_COUNT = 100;
/** The largest request body accepted (ServiceProviderConfig `bulk.maxPayloadSize` is 0: no bulk). */
export const MAX_BODY_BYTES = 1_048_576;
/** The most operations one PATCH may carry. */
export const MAX_PATCH_OPERATIONS = 1000;
/** Member values (`members` entries, added or removed) in one Group PATCH, all operations together. */
export const MAX_PATCH_MEMBERS = 10_000;

/** A resource id as Roster writes it (a UUID); ids in paths and member values are also accepted upper-cased. */
export const SCIM_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type AttrType = 'string' | 'boolean' | 'dateTime' | 'reference' | 'complex';
type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
type Returned = 'always' | 'never' | 'default' | 'request';

export interface AttrDef {
  name: string;
  type: AttrType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: 'none' | 'server' | 'global';
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttrDef[];
}

const attr = (
  name: string,
  type: AttrType,
  description: string,
  o: Partial<Omit<AttrDef, 'name' | 'type' | 'description'>> = {},
): AttrDef => ({
  name,
  type,
  multiValued: false,
  description,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...o,
});

const USER_ATTRIBUTES: AttrDef[] = [
  attr(
    'userName',
    'string',
    'Unique identifier for the User as the identity provider sent it (usually the email address); members added ' +
      'in Roster show their email. Compared case-insensitively. Without emails, a new account takes it as email.',
    { required: true, uniqueness: 'server' },
  ),
  attr('name', 'complex', "The components of the user's name; Roster keeps one display name (formatted).", {
    subAttributes: [
      attr('formatted', 'string', 'The full name, as displayed in Roster (at most 100 characters).'),
      attr('familyName', 'string', 'The family name.'),
      attr('givenName', 'string', 'The given name.'),
    ],
  }),
  attr('displayName', 'string', 'The name displayed in Roster (the same value as name.formatted).'),
  attr('active', 'boolean', 'false: the membership is deactivated (seat freed, sessions and API keys cut).'),
  attr('emails', 'complex', "The account's email address: exactly one, of type work, primary.", {
    multiValued: true,
    subAttributes: [
      attr('value', 'string', 'The email address (stored lower-case).'),
      attr('type', 'string', 'Always "work".', { canonicalValues: ['work'] }),
      attr('primary', 'boolean', 'Always true.'),
    ],
  }),
  attr('groups', 'complex', 'The Roster teams (SCIM Groups) the user is in; change them through /Groups.', {
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: [
      attr('value', 'string', 'The id of the Group.', { mutability: 'readOnly' }),
      attr('$ref', 'reference', 'The URI of the Group.', { mutability: 'readOnly', referenceTypes: ['Group'] }),
      attr('display', 'string', 'The team name.', { mutability: 'readOnly' }),
    ],
  }),
];

const GROUP_ATTRIBUTES: AttrDef[] = [
  attr(
    'displayName',
    'string',
    'The team name: 2-64 characters, lower-case letters, digits, "-" and "_" (other characters are refused).',
    { required: true, uniqueness: 'server' },
  ),
  attr('members', 'complex', 'The users in the team.', {
    multiValued: true,
    subAttributes: [
      attr('value', 'string', 'The id of the User.', { mutability: 'immutable' }),
      attr('$ref', 'reference', 'The URI of the User.', { mutability: 'immutable', referenceTypes: ['User'] }),
      attr('display', 'string', "The member's userName.", { mutability: 'readOnly' }),
      attr('type', 'string', 'Always "User" (groups do not nest).', {
        mutability: 'immutable',
        canonicalValues: ['User'],
      }),
    ],
  }),
];

const ROSTER_USER_ATTRIBUTES: AttrDef[] = [
  attr('organizationRole', 'string', "The user's role in the organization; MEMBER when a new user omits it.", {
    canonicalValues: ['ADMIN', 'MEMBER', 'VIEWER'],
  }),
  attr(
    'teamRoles',
    'complex',
    "The user's role in each of their teams. Setting it sets the role in each listed team (joining it, IdP-managed, " +
      'when not in it yet); teams it does not list are left as they are: leave a team through its Group.',
    {
      multiValued: true,
      subAttributes: [
        attr('value', 'string', 'The id of the Group (team); or name the team with display.', {
          caseExact: true,
          mutability: 'immutable',
        }),
        attr('display', 'string', 'The team name.', { mutability: 'immutable' }),
        attr('role', 'string', 'The team role (an organization VIEWER can only be VIEW_ONLY).', {
          required: true,
          canonicalValues: ['ADMIN', 'MEMBER', 'VIEW_ONLY'],
        }),
      ],
    },
  ),
];

/** Attributes common to every resource (RFC 7643 §3.1), listed in each schema's representation of /Schemas. */
const COMMON_ATTRIBUTES: AttrDef[] = [
  attr('id', 'string', 'Identifier assigned by Roster.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attr('externalId', 'string', "The identity provider's identifier for the resource.", { caseExact: true }),
  attr('meta', 'complex', 'Resource metadata.', {
    mutability: 'readOnly',
    subAttributes: [
      attr('resourceType', 'string', 'User or Group.', { caseExact: true, mutability: 'readOnly' }),
      attr('created', 'dateTime', 'When it was added to the organization.', { mutability: 'readOnly' }),
      attr('lastModified', 'dateTime', 'When it last changed.', { mutability: 'readOnly' }),
      attr('location', 'reference', 'The URI of the resource.', { caseExact: true, mutability: 'readOnly' }),
      attr('version', 'string', 'The ETag of the resource.', { caseExact: true, mutability: 'readOnly' }),
    ],
  }),
];

export const SCHEMA_DEFINITIONS = [
  { id: USER_SCHEMA, name: 'User', description: 'A member of the organization.', attributes: USER_ATTRIBUTES },
  { id: GROUP_SCHEMA, name: 'Group', description: 'A team of the organization.', attributes: GROUP_ATTRIBUTES },
  {
    id: ROSTER_USER_SCHEMA,
    name: 'RosterUser',
    description: "Roster's organization and team roles of the user.",
    attributes: ROSTER_USER_ATTRIBUTES,
  },
];

/** The /Schemas representation of a schema (RFC 7643 §7), with `meta`. */
export function schemaResource(def: (typeof SCHEMA_DEFINITIONS)[number], base: string): Record<string, unknown> {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: def.id,
    name: def.name,
    description: def.description,
    attributes: def.attributes,
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${def.id}` },
  };
}

export function resourceTypes(base: string): Array<Record<string, unknown>> {
  return [
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'Members of the organization',
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ROSTER_USER_SCHEMA, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Teams of the organization',
      schema: GROUP_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

export function serviceProviderConfig(base: string): Record<string, unknown> {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description:
          'A SCIM token of the organization (rsc_…), created by an organization admin with createScimToken and ' +
          'sent as "Authorization: Bearer <token>".',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export type ResourceKind = 'User' | 'Group';

/**
 * The canonical name of an attribute path as the server knows it (`userName`, `name.givenName`, `emails.value`,
 * `roster:organizationRole`), or null: names compare case-insensitively (RFC 7643 §2.1) and may carry their schema
 * URN.
 */
export function canonicalAttr(kind: ResourceKind, path: string): string | null {
  let p = path;
  let ext = false;
  const lower = p.toLowerCase();
  const core = (kind === 'User' ? USER_SCHEMA : GROUP_SCHEMA).toLowerCase();
  if (lower.startsWith(`${core}:`)) p = p.slice(core.length + 1);
  else if (kind === 'User' && lower.startsWith(`${ROSTER_USER_SCHEMA.toLowerCase()}:`)) {
    p = p.slice(ROSTER_USER_SCHEMA.length + 1);
    ext = true;
  } else if (lower.startsWith('urn:')) return null;
  const known = ext ? EXT_NAMES : kind === 'User' ? USER_NAMES : GROUP_NAMES;
  return known.get(p.toLowerCase()) ?? null;
}

function namesOf(defs: AttrDef[], prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of prefix ? defs : [...defs, ...COMMON_ATTRIBUTES]) {
    out.set(d.name.toLowerCase(), `${prefix}${d.name}`);
    for (const s of d.subAttributes ?? []) out.set(`${d.name}.${s.name}`.toLowerCase(), `${prefix}${d.name}.${s.name}`);
  }
  return out;
}
const USER_NAMES = namesOf(USER_ATTRIBUTES);
const GROUP_NAMES = namesOf(GROUP_ATTRIBUTES);
const EXT_NAMES = namesOf(ROSTER_USER_ATTRIBUTES, 'roster:');
