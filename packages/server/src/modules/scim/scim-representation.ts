import { createHash } from 'node:crypto';
import { GROUP_SCHEMA, ROSTER_USER_SCHEMA, USER_SCHEMA, canonicalAttr, type ResourceKind } from './scim-schema';
import { invalidValue } from './scim-errors';

/** A user row as the list and read queries of ScimService select it. */
export interface UserRow {
  id: string;
  email: string;
  username: string;
  name: string;
  role: string;
  status: string;
  created_at: Date | string;
  last_modified: Date | string;
  external_id: string | null;
  user_name: string | null;
  given_name: string | null;
  family_name: string | null;
  teams: Array<{ id: string; name: string; role: string }>;
}

export interface GroupRow {
  id: string;
  name: string;
  created_at: Date | string;
  last_modified: Date | string;
  external_id: string | null;
  /** null when the query left members out (not asked for). */
  members: Array<{ id: string; display: string }> | null;
  /** MD5 of the member ids in order: the version covers the members whether or not they were read. */
  members_hash: string;
}

export type Resource = Record<string, unknown>;

const iso = (d: Date | string) => new Date(d).toISOString();

/**
 * The weak ETag of a representation: a hash of everything but `meta`, so equal content is an equal version. A group's
 * stands for its id, externalId, displayName and member ids (`versionContent`), read or not.
 */
export function versionOf(resource: Resource): string {
  const { meta: _, ...content } = resource;
  const stands = (resource as { [GROUP_VERSION]?: unknown })[GROUP_VERSION] ?? content;
  return `W/"${createHash('sha256').update(JSON.stringify(stands)).digest('base64url').slice(0, 27)}"`;
}

/** A non-enumerable property of a group resource: what its version stands for (never serialised). */
const GROUP_VERSION = Symbol('group version content');

function withMeta(resource: Resource, kind: ResourceKind, created: Date | string, modified: Date | string, at: string) {
  const version = versionOf(resource);
  resource.meta = { resourceType: kind, created: iso(created), lastModified: iso(modified), location: at, version };
  return resource;
}

export function userResource(r: UserRow, base: string): Resource {
  const teams = r.teams ?? [];
  const resource: Resource = {
    schemas: [USER_SCHEMA, ROSTER_USER_SCHEMA],
    id: r.id,
    ...(r.external_id !== null ? { externalId: r.external_id } : {}),
    userName: r.user_name ?? r.email,
    name: {
      formatted: r.name,
      ...(r.given_name !== null ? { givenName: r.given_name } : {}),
      ...(r.family_name !== null ? { familyName: r.family_name } : {}),
    },
    displayName: r.name,
    active: r.status === 'ACTIVE',
    emails: [{ value: r.email, type: 'work', primary: true }],
    groups: teams.map((t) => ({ value: t.id, $ref: `${base}/Groups/${t.id}`, display: t.name })),
    [ROSTER_USER_SCHEMA]: {
      organizationRole: r.role,
      teamRoles: teams.map((t) => ({ value: t.id, display: t.name, role: t.role })),
    },
  };
  return withMeta(resource, 'User', r.created_at, r.last_modified, `${base}/Users/${r.id}`);
}

export function groupResource(r: GroupRow, base: string): Resource {
  const resource: Resource = {
    schemas: [GROUP_SCHEMA],
    id: r.id,
    ...(r.external_id !== null ? { externalId: r.external_id } : {}),
    displayName: r.name,
    ...(r.members
      ? {
          members: r.members.map((m) => ({
            value: m.id,
            $ref: `${base}/Users/${m.id}`,
            display: m.display,
            type: 'User',
          })),
        }
      : {}),
  };
  Object.defineProperty(resource, GROUP_VERSION, {
    value: { id: r.id, externalId: r.external_id, displayName: r.name, members: r.members_hash },
    enumerable: false,
  });
  return withMeta(resource, 'Group', r.created_at, r.last_modified, `${base}/Groups/${r.id}`);
}

/** `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): parsed into canonical names. */
export interface Projection {
  attributes: string[] | null;
  excluded: string[];
}

export function parseProjection(kind: ResourceKind, attributes: unknown, excluded: unknown): Projection {
  const list = (v: unknown, what: string): string[] | null => {
    if (v === undefined) return null;
    if (typeof v !== 'string') throw invalidValue(`${what} must be given once, as a comma-separated list.`);
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((a) => {
        const name = canonicalAttr(kind, a);
        if (!name && !isSchemaUrn(kind, a)) throw invalidValue(`${what}: "${a}" is not an attribute of ${kind}.`);
        return name ?? a.toLowerCase();
      });
  };
  return { attributes: list(attributes, 'attributes'), excluded: list(excluded, 'excludedAttributes') ?? [] };
}

const isSchemaUrn = (kind: ResourceKind, a: string) =>
  [kind === 'User' ? USER_SCHEMA : GROUP_SCHEMA, ROSTER_USER_SCHEMA].some((s) => s.toLowerCase() === a.toLowerCase());

/** Whether the projection may leave out a complex attribute entirely (the query need not compute it). */
export function wants(p: Projection, top: string): boolean {
  const t = top.toLowerCase();
  if (p.excluded.some((e) => e.toLowerCase() === t)) return false;
  if (!p.attributes) return true;
  return p.attributes.some((a) => a.toLowerCase() === t || a.toLowerCase().startsWith(`${t}.`));
}

/** Applies a projection: `id` and `schemas` are always returned (RFC 7643 §7 "returned: always"). */
export function project(resource: Resource, p: Projection): Resource {
  if (!p.attributes && p.excluded.length === 0) return resource;
  const ext = ROSTER_USER_SCHEMA;
  const pathsOf = (name: string): [string, string | null] => {
    if (name.startsWith('roster:')) return [ext, name.slice('roster:'.length)];
    return [name, null];
  };
  const pick = (names: string[]): Resource => {
    const out: Resource = { schemas: resource.schemas, id: resource.id };
    for (const n of names) {
      if (n.toLowerCase() === ext.toLowerCase()) {
        if (resource[ext] !== undefined) out[ext] = resource[ext];
        continue;
      }
      const [top, extAttr] = pathsOf(n);
      if (extAttr !== null) {
        const src = resource[ext] as Resource | undefined;
        const [a, sub] = extAttr.split('.');
        if (src?.[a!] === undefined) continue;
        if (out[ext] === undefined) out[ext] = {};
        const dst = out[ext] as Resource;
        dst[a!] = sub ? subSelect(src[a!], sub, dst[a!]) : src[a!];
        continue;
      }
      const [a, sub] = top.split('.');
      if (resource[a!] === undefined) continue;
      out[a!] = sub ? subSelect(resource[a!], sub, out[a!]) : resource[a!];
    }
    return out;
  };
  const result = p.attributes ? pick(p.attributes) : { ...resource };
  for (const n of p.excluded) {
    if (n.toLowerCase() === ext.toLowerCase()) {
      delete result[ext];
      continue;
    }
    const [top, extAttr] = pathsOf(n);
    const holder = extAttr !== null ? (result[ext] as Resource | undefined) : result;
    const [a, sub] = (extAttr ?? top).split('.');
    if (!holder || a === 'id' || a === 'schemas') continue;
    if (!sub) delete holder[a!];
    else holder[a!] = dropSub(holder[a!], sub);
  }
  return result;
}

/** Picks a sub-attribute of a complex (or multi-valued complex) value, merged into what was picked already. */
function subSelect(value: unknown, sub: string, already: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map((v, i) => ({
      ...((Array.isArray(already) ? (already[i] as Resource) : undefined) ?? {}),
      ...(v && typeof v === 'object' && sub in v ? { [sub]: (v as Resource)[sub] } : {}),
    }));
  }
  if (value && typeof value === 'object') {
    const v = value as Resource;
    return { ...((already as Resource | undefined) ?? {}), ...(sub in v ? { [sub]: v[sub] } : {}) };
  }
  return already;
}

function dropSub(value: unknown, sub: string): unknown {
  if (Array.isArray(value)) return value.map((v) => dropSub(v, sub));
  if (value && typeof value === 'object') {
    const { [sub]: _, ...rest } = value as Resource;
    return rest;
  }
  return value;
}
