import { OrgRole } from '../../authz/roles';
import { MAX_INPUT_LIST_LENGTH, isStorableText } from '../../graphql/input-hygiene';
import { invalidPath, invalidSyntax, invalidValue, mutability, noTarget } from './scim-errors';
import { parsePath, type Filter } from './scim-filter';
import {
  MAX_PATCH_MEMBERS,
  MAX_PATCH_OPERATIONS,
  PATCH_OP_SCHEMA,
  ROSTER_USER_SCHEMA,
  SCIM_ID,
  canonicalAttr,
  type ResourceKind,
} from './scim-schema';

/** What SCIM may change of a user (the writable attributes of the User schema and the Roster extension). */
export interface UserState {
  userName: string;
  externalId: string | null;
  /** The display name (displayName, name.formatted). */
  name: string;
  givenName: string | null;
  familyName: string | null;
  email: string;
  active: boolean;
  role: OrgRole;
  /**
   * Team roles to set (the extension's `teamRoles`), by team id (`value`) or name (`display`); null when the request
   * sets none. Teams it does not list are left as they are (membership itself is the Groups' business).
   */
  teamRoles: TeamRoleEntry[] | null;
}

export interface TeamRoleEntry {
  /** The team's id, or its name when `byName`. */
  team: string;
  byName: boolean;
  role: string;
}

/** Parses a `teamRoles` value: a list of `{ value | display, role }` (one object alone is taken as a list of one). */
export function teamRolesOf(v: unknown): TeamRoleEntry[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length > MAX_INPUT_LIST_LENGTH)
    throw invalidValue(`teamRoles has ${list.length} entries; at most ${MAX_INPUT_LIST_LENGTH}.`);
  return list.map((e, i) => {
    if (!e || typeof e !== 'object') throw invalidValue(`teamRoles[${i}] must be an object with value and role.`);
    const o = e as Record<string, unknown>;
    const get = (k: string) => Object.entries(o).find(([key]) => key.toLowerCase() === k)?.[1];
    const id = get('value');
    const name = get('display');
    const role = get('role');
    if (typeof role !== 'string') throw invalidValue(`teamRoles[${i}].role must be ADMIN, MEMBER or VIEW_ONLY.`);
    // Compared with stored names and ids: text PostgreSQL cannot hold would fail the statement, not match nothing.
    for (const text of [id, name, role])
      if (typeof text === 'string' && !isStorableText(text))
        throw invalidValue(`teamRoles[${i}] must not contain NUL bytes or invalid Unicode.`);
    if (typeof id === 'string' && id) return { team: id, byName: false, role: role.trim().toUpperCase() };
    if (typeof name === 'string' && name) return { team: name, byName: true, role: role.trim().toUpperCase() };
    throw invalidValue(`teamRoles[${i}] must name its team by value (the Group id) or display (the team name).`);
  });
}

export interface GroupState {
  displayName: string;
  externalId: string | null;
  /** Member user ids with what a value filter may test (display: the member's userName). */
  members: Map<string, { display: string }>;
}

export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string | null;
  value: unknown;
}

/** The PatchOp message (RFC 7644 §3.5.2): schema, operations; op names case-insensitive (Entra sends "Replace"). */
export function parsePatchOp(body: unknown): PatchOperation[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidSyntax('The body must be a PatchOp.');
  const b = body as Record<string, unknown>;
  const schemas = b.schemas;
  if (
    !Array.isArray(schemas) ||
    !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())
  )
    throw invalidSyntax(`A PATCH body must list "${PATCH_OP_SCHEMA}" in schemas.`);
  const key = Object.keys(b).find((k) => k.toLowerCase() === 'operations');
  const ops = key ? b[key] : undefined;
  if (!Array.isArray(ops) || ops.length === 0) throw invalidSyntax('"Operations" must be a non-empty array.');
  if (ops.length > MAX_PATCH_OPERATIONS) throw invalidValue(`At most ${MAX_PATCH_OPERATIONS} operations per PATCH.`);
  return ops.map((raw, i) => {
    if (!raw || typeof raw !== 'object') throw invalidSyntax(`Operations[${i}] is not an object.`);
    const o = Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v]));
    const op = typeof o.op === 'string' ? o.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove')
      throw invalidSyntax(`Operations[${i}].op must be "add", "remove" or "replace".`);
    const path = o.path === undefined || o.path === null || o.path === '' ? null : o.path;
    if (path !== null && typeof path !== 'string') throw invalidPath(`Operations[${i}].path must be a string.`);
    if (op !== 'remove' && o.value === undefined) throw invalidValue(`Operations[${i}] (${op}) needs a value.`);
    if (op === 'remove' && path === null) throw noTarget(`Operations[${i}] (remove) needs a path.`);
    return { op, path, value: o.value };
  });
}

/** A boolean as IdPs send it: true/false, or the strings "True"/"False" (Entra ID). */
export function scimBoolean(v: unknown, what: string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  throw invalidValue(`${what} must be true or false.`);
}

const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string') throw invalidValue(`${what} must be a string.`);
  return v;
};
const optStr = (v: unknown, what: string): string | null => (v === null ? null : str(v, what));

export function orgRoleOf(v: unknown): OrgRole {
  const s = typeof v === 'string' ? v.trim().toUpperCase() : '';
  if (s === OrgRole.ADMIN || s === OrgRole.MEMBER || s === OrgRole.VIEWER) return s;
  throw invalidValue(`${ROSTER_USER_SCHEMA}:organizationRole must be ADMIN, MEMBER or VIEWER.`);
}

/** The one email of a user from an `emails` value: the primary one, else the first (RFC 7643 §4.1.2). */
export function emailFromEmails(v: unknown): string | null {
  if (v === null) return null;
  const list = Array.isArray(v) ? v : [v];
  const values = list.map((e, i) => {
    if (!e || typeof e !== 'object') throw invalidValue(`emails[${i}] must be an object with "value".`);
    const o = e as Record<string, unknown>;
    const value = Object.entries(o).find(([k]) => k.toLowerCase() === 'value')?.[1];
    const primary = Object.entries(o).find(([k]) => k.toLowerCase() === 'primary')?.[1];
    return {
      value: str(value, `emails[${i}].value`),
      primary: primary !== undefined && scimBoolean(primary, 'primary'),
    };
  });
  return (values.find((e) => e.primary) ?? values[0])?.value ?? null;
}

/** Evaluates a value filter on one value of a multi-valued attribute (PATCH targets, never list filtering). */
export function valueMatches(f: Filter, value: Record<string, unknown>, caseExact: ReadonlySet<string>): boolean {
  switch (f.op) {
    case 'and':
      return valueMatches(f.left, value, caseExact) && valueMatches(f.right, value, caseExact);
    case 'or':
      return valueMatches(f.left, value, caseExact) || valueMatches(f.right, value, caseExact);
    case 'not':
      return !valueMatches(f.filter, value, caseExact);
    case 'valuePath':
      throw invalidPath('Value filters do not nest.');
    case 'pr': {
      const v = lookup(value, f.attr);
      return v !== undefined && v !== null && v !== '';
    }
    case 'cmp': {
      const v = lookup(value, f.attr);
      const exact = caseExact.has(f.attr.toLowerCase());
      const norm = (x: unknown) => (typeof x === 'string' && !exact ? x.toLowerCase() : x);
      const a = norm(v);
      const b = norm(f.value);
      switch (f.cmp) {
        case 'eq':
          return a === b;
        case 'ne':
          return a !== b;
        case 'co':
          return typeof a === 'string' && typeof b === 'string' && a.includes(b);
        case 'sw':
          return typeof a === 'string' && typeof b === 'string' && a.startsWith(b);
        case 'ew':
          return typeof a === 'string' && typeof b === 'string' && a.endsWith(b);
        case 'gt':
          return typeof a === typeof b && a !== null && b !== null && (a as string) > (b as string);
        case 'ge':
          return typeof a === typeof b && a !== null && b !== null && (a as string) >= (b as string);
        case 'lt':
          return typeof a === typeof b && a !== null && b !== null && (a as string) < (b as string);
        case 'le':
          return typeof a === typeof b && a !== null && b !== null && (a as string) <= (b as string);
      }
    }
  }
}

function lookup(value: Record<string, unknown>, attr: string): unknown {
  const k = Object.keys(value).find((key) => key.toLowerCase() === attr.toLowerCase());
  return k === undefined ? undefined : value[k];
}

/** Splits a path-less add/replace value object into one operation per attribute (Okta's and Entra's form). */
function expandPathless(kind: ResourceKind, op: PatchOperation): PatchOperation[] {
  if (op.path !== null) {
    // A path naming the extension schema itself: its value is an object of the extension's attributes.
    return expandPathless(kind, { ...op, path: null, value: { [op.path]: op.value } });
  }
  if (!op.value || typeof op.value !== 'object' || Array.isArray(op.value))
    throw invalidValue(`An "${op.op}" without a path needs an object value.`);
  const out: PatchOperation[] = [];
  for (const [k, v] of Object.entries(op.value as Record<string, unknown>)) {
    if (k.toLowerCase() === 'schemas') continue;
    if (kind === 'User' && k.toLowerCase() === ROSTER_USER_SCHEMA.toLowerCase()) {
      if (!v || typeof v !== 'object') throw invalidValue(`"${k}" must be an object.`);
      for (const [sub, sv] of Object.entries(v as Record<string, unknown>))
        out.push({ op: op.op, path: `${ROSTER_USER_SCHEMA}:${sub}`, value: sv });
      continue;
    }
    out.push({ op: op.op, path: k, value: v });
  }
  return out;
}

const READ_ONLY = new Set(['id', 'meta', 'groups']);

/**
 * Applies a user PATCH to the user's state (RFC 7644 §3.5.2.1-3). Attributes outside the schemas (an IdP's default
 * mappings often send title, phoneNumbers, addresses, the enterprise extension) are ignored, as for PUT and POST.
 */
export function patchUser(state: UserState, ops: PatchOperation[]): UserState {
  const next = { ...state };
  let nameSetExplicitly = false;
  let namePartsChanged = false;
  const isExtension = (o: PatchOperation) => o.path?.toLowerCase() === ROSTER_USER_SCHEMA.toLowerCase();
  for (const op of ops.flatMap((o) => (o.path === null || isExtension(o) ? expandPathless('User', o) : [o]))) {
    const path = parsePath(op.path!);
    const name = canonicalAttr('User', path.attr);
    if (!name) continue;
    const top = name.split('.')[0]!;
    if (READ_ONLY.has(top) || READ_ONLY.has(name)) throw mutability(`"${name}" is read-only.`);
    if (path.filter && name === 'roster:teamRoles') {
      // teamRoles[value eq "…"].role: the role in one team.
      const f = path.filter;
      if (op.op === 'remove') throw invalidValue('Team memberships are removed through the Group, not teamRoles.');
      if (f.op !== 'cmp' || f.cmp !== 'eq' || typeof f.value !== 'string' || path.subAttr?.toLowerCase() !== 'role')
        throw invalidPath(
          'Set a team role with teamRoles[value eq "<Group id>"].role or teamRoles[display eq "<team>"].role.',
        );
      const byName = f.attr.toLowerCase() === 'display';
      if (!byName && f.attr.toLowerCase() !== 'value') throw invalidPath('teamRoles filters on value or display.');
      next.teamRoles = [
        ...(next.teamRoles ?? []),
        { team: f.value, byName, role: str(op.value, 'role').toUpperCase() },
      ];
      continue;
    }
    if (path.filter) {
      if (name !== 'emails') throw invalidPath(`"${name}" is not a multi-valued attribute that can be filtered.`);
      const element = { value: next.email, type: 'work', primary: true };
      if (!valueMatches(path.filter, element, new Set())) {
        if (op.op === 'add' && path.subAttr?.toLowerCase() === 'value') {
          next.email = str(op.value, 'emails.value');
          continue;
        }
        throw noTarget(`No email matches the value filter of "${op.op}".`);
      }
      const sub = path.subAttr?.toLowerCase() ?? null;
      if (op.op === 'remove') {
        if (sub === 'type' || sub === 'primary') continue;
        throw invalidValue('A user keeps exactly one email: replace it instead of removing it.');
      }
      if (sub === null) {
        const email = emailFromEmails(op.value);
        if (email) next.email = email;
      } else if (sub === 'value') next.email = str(op.value, 'emails.value');
      continue;
    }
    if (op.op === 'remove') {
      switch (name) {
        case 'externalId':
          next.externalId = null;
          break;
        case 'name.givenName':
          next.givenName = null;
          namePartsChanged = true;
          break;
        case 'name.familyName':
          next.familyName = null;
          namePartsChanged = true;
          break;
        case 'name':
          next.givenName = null;
          next.familyName = null;
          break;
        case 'userName':
        case 'emails':
        case 'emails.value':
        case 'displayName':
        case 'name.formatted':
        case 'active':
        case 'roster:organizationRole':
          throw invalidValue(`"${name}" cannot be removed (Roster needs it); replace it instead.`);
        case 'roster:teamRoles':
        case 'roster:teamRoles.role':
          throw invalidValue('Team memberships are removed through the Group (its members), not teamRoles.');
        default:
          break;
      }
      continue;
    }
    const v = op.value;
    switch (name) {
      case 'userName':
        next.userName = str(v, 'userName');
        break;
      case 'externalId':
        next.externalId = optStr(v, 'externalId');
        break;
      case 'displayName':
      case 'name.formatted':
        next.name = str(v, name);
        nameSetExplicitly = true;
        break;
      case 'name.givenName':
        next.givenName = optStr(v, name);
        namePartsChanged = true;
        break;
      case 'name.familyName':
        next.familyName = optStr(v, name);
        namePartsChanged = true;
        break;
      case 'name': {
        if (!v || typeof v !== 'object') throw invalidValue('"name" must be an object.');
        for (const [k, sv] of Object.entries(v as Record<string, unknown>)) {
          const sub = k.toLowerCase();
          if (sub === 'formatted') {
            next.name = str(sv, 'name.formatted');
            nameSetExplicitly = true;
          } else if (sub === 'givenname') {
            next.givenName = optStr(sv, 'name.givenName');
            namePartsChanged = true;
          } else if (sub === 'familyname') {
            next.familyName = optStr(sv, 'name.familyName');
            namePartsChanged = true;
          }
        }
        break;
      }
      case 'active':
        next.active = scimBoolean(v, 'active');
        break;
      case 'emails': {
        const email = emailFromEmails(v);
        if (email) next.email = email;
        break;
      }
      case 'emails.value':
        next.email = str(Array.isArray(v) ? v[0] : v, 'emails.value');
        break;
      case 'roster:organizationRole':
        next.role = orgRoleOf(v);
        break;
      case 'roster:teamRoles':
        next.teamRoles = [...(next.teamRoles ?? []), ...teamRolesOf(v)];
        break;
      default:
        // emails.type and emails.primary are fixed ("work", true).
        break;
    }
  }
  // Name parts changed alone: the display name follows them when it was their combination (or empty) before.
  if (namePartsChanged && !nameSetExplicitly) {
    const before = [state.givenName, state.familyName].filter(Boolean).join(' ');
    const after = [next.givenName, next.familyName].filter(Boolean).join(' ');
    if (after && (state.name === before || !state.name)) next.name = after;
  }
  return next;
}

/**
 * The member ids a group PATCH names, when those are all it touches of `members` (add or remove by value list, or
 * remove by `members[value eq "…"]`, as Okta and Entra ID send them), so that applying it needs only those members'
 * current state, not the whole group's; null when an operation needs every member (a replace, another filter).
 */
export function namedMembers(ops: PatchOperation[]): string[] | null {
  const ids: string[] = [];
  const ret = (): string[] => {
    if (ids.length > MAX_PATCH_MEMBERS) throw tooManyMembers();
    // Only ids can name a member: another value matches none (and an add of it is refused as no User's id).
    return [...new Set(ids.filter((id) => SCIM_ID.test(id)))];
  };
  const namesMembers = (attr: string) => canonicalAttr('Group', attr)?.startsWith('members') === true;
  for (const op of ops) {
    if (op.path === null) {
      // Any key patchGroup reads as members (`members`, `members.value`, the schema-qualified name): all of them.
      const keys = op.value && typeof op.value === 'object' ? Object.keys(op.value) : [];
      if (keys.some(namesMembers)) return null;
      continue;
    }
    const path = parsePath(op.path);
    const name = canonicalAttr('Group', path.attr);
    if (!name?.startsWith('members')) continue;
    // `members.value`, `members[…].display`, a replace: patchGroup may change every member.
    if (name !== 'members' || path.subAttr !== null || op.op === 'replace') return null;
    const f = path.filter;
    if (f) {
      if (op.op !== 'remove' || f.op !== 'cmp' || f.cmp !== 'eq' || f.attr.toLowerCase() !== 'value') return null;
      if (typeof f.value !== 'string') return null;
      ids.push(f.value);
      continue;
    }
    if (op.value === undefined || op.value === null) return null;
    const list = Array.isArray(op.value) ? op.value : [op.value];
    for (const m of list) {
      const v = m && typeof m === 'object' ? Object.entries(m).find(([k]) => k.toLowerCase() === 'value')?.[1] : null;
      if (typeof v !== 'string') return null;
      ids.push(v);
      if (ids.length > MAX_PATCH_MEMBERS) throw tooManyMembers();
    }
  }
  return ret();
}

const tooManyMembers = () =>
  invalidValue(`At most ${MAX_PATCH_MEMBERS} members per PATCH: split the change into several requests.`);

/**
 * Applies a group PATCH (RFC 7644 §3.5.2), including `members[value eq "…"]` removal (Okta), removal by a value
 * list (Entra ID) and a path-less replace of displayName.
 */
export function patchGroup(state: GroupState, ops: PatchOperation[]): GroupState {
  const next: GroupState = { ...state, members: new Map(state.members) };
  let memberValues = 0;
  const memberIds = (v: unknown): string[] => {
    const list = Array.isArray(v) ? v : [v];
    memberValues += list.length;
    if (memberValues > MAX_PATCH_MEMBERS) throw tooManyMembers();
    return list.map((m, i) => {
      if (!m || typeof m !== 'object') throw invalidValue(`members[${i}] must be an object with "value".`);
      const value = Object.entries(m as Record<string, unknown>).find(([k]) => k.toLowerCase() === 'value')?.[1];
      return str(value, `members[${i}].value`);
    });
  };
  for (const op of ops.flatMap((o) => (o.path === null ? expandPathless('Group', o) : [o]))) {
    const path = parsePath(op.path!);
    const name = canonicalAttr('Group', path.attr);
    if (!name) continue;
    if (name === 'id' || name.startsWith('meta')) {
      // Okta's path-less replace repeats the id: harmless when it is this group's.
      if (name === 'id' && op.op === 'replace') continue;
      throw mutability(`"${name}" is read-only.`);
    }
    if (name === 'members' || name === 'members.value') {
      if (path.filter) {
        const caseExact = new Set(['value', 'type']);
        const hit = [...next.members].filter(([id, m]) =>
          valueMatches(path.filter!, { value: id, display: m.display, type: 'User' }, caseExact),
        );
        if (op.op === 'remove') {
          for (const [id] of hit) next.members.delete(id);
          continue;
        }
        throw invalidPath('Only "remove" takes a members value filter; add and replace take a list of members.');
      }
      if (op.op === 'remove') {
        if (op.value === undefined || op.value === null) next.members.clear();
        else for (const id of memberIds(op.value)) next.members.delete(id);
        continue;
      }
      if (op.op === 'replace') next.members.clear();
      for (const id of memberIds(op.value ?? [])) if (!next.members.has(id)) next.members.set(id, { display: '' });
      continue;
    }
    if (name === 'displayName') {
      if (op.op === 'remove') throw invalidValue('"displayName" cannot be removed; a team needs a name.');
      next.displayName = str(op.value, 'displayName');
      continue;
    }
    if (name === 'externalId') {
      next.externalId = op.op === 'remove' ? null : optStr(op.value, 'externalId');
      continue;
    }
    if (path.filter || path.subAttr) throw invalidPath(`"${op.path}" is not a path of Group.`);
  }
  return next;
}
