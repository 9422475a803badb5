import { MemberStatus } from '../../authz/roles';
import { invalidFilter } from './scim-errors';
import type { CompValue, CompareOp, Filter } from './scim-filter';
import { SCIM_ID, canonicalAttr, type ResourceKind } from './scim-schema';

/**
 * Filters as parameterised SQL (RFC 7644 §3.4.2.2) over the list queries of scim.service.ts, whose aliases are
 * `m` (org_memberships), `u` (users), `su` (scim_users) for Users and `t` (teams), `sg` (scim_groups) for Groups.
 * Every value is a bind parameter; attribute names come only from the tables below.
 */
type ColumnType = 'string' | 'boolean' | 'dateTime';

interface Column {
  sql: string;
  type: ColumnType;
  caseExact: boolean;
  /**
   * `eq` on the attributes an identity provider looks users up by before each change, as a set of user ids read
   * through an index (`?org` is the organization's id): the same rows as the column form, without reading every
   * member of the organization.
   */
  eqIn?: (value: string) => SqlFragment;
}

/** A multi-valued attribute kept in other rows: matched with `exists`, one row satisfying the whole value filter. */
interface Related {
  from: string;
  subs: Record<string, Column>;
  /** The sub-attribute the bare name means (`members eq "…"` is `members.value eq "…"`). */
  primary: string;
}

const str = (sql: string, caseExact = false): Column => ({ sql, type: 'string', caseExact });
const SCIM_STATUSES = `('${MemberStatus.ACTIVE}', '${MemberStatus.DEACTIVATED}')`;

/** ids are lower-case uuids and compare case-exactly in filters (RFC 7643 §3.1): another spelling matches nothing. */
const byId =
  (column: string) =>
  (v: string): SqlFragment =>
    SCIM_ID.test(v) && v === v.toLowerCase()
      ? { sql: `${column} = ?::uuid`, bindings: [v] }
      : { sql: 'false', bindings: [] };
const byEmail = (value: string): SqlFragment => ({
  // users.email is stored lower-case (unique index users_email_unique).
  sql: 'm.user_id in (select x.id from users x where x.email = lower(?))',
  bindings: [value],
});
/**
 * A user's display name as SCIM shows it: the account's name for an account SCIM created or a member added in
 * Roster; for an existing account SCIM linked, what SCIM gave (never that account's own name).
 */
export const USER_DISPLAY_NAME_SQL =
  '(case when su.user_id is null or su.created_account then u.name else coalesce(su.display_name, su.user_name) end)';
const USER_COLUMNS: Record<string, Column> = {
  id: { ...str('u.id::text', true), eqIn: byId('m.user_id') },
  externalId: {
    ...str('su.external_id', true),
    eqIn: (v) => ({
      sql: 'm.user_id in (select s.user_id from scim_users s where s.organization_id = ?org and s.external_id = ?)',
      bindings: [v],
    }),
  },
  // The userName SCIM was given, else (a member added in Roster) the email.
  userName: {
    ...str('coalesce(su.user_name, u.email)'),
    eqIn: (v) => ({
      sql:
        'm.user_id in (select s.user_id from scim_users s where s.organization_id = ?org and lower(s.user_name) = ' +
        'lower(?) union all select x.id from users x where x.email = lower(?) and not exists (select 1 from ' +
        'scim_users s2 where s2.organization_id = ?org and s2.user_id = x.id))',
      bindings: [v, v],
    }),
  },
  'name.formatted': str(USER_DISPLAY_NAME_SQL),
  displayName: str(USER_DISPLAY_NAME_SQL),
  'name.givenName': str('su.given_name'),
  'name.familyName': str('su.family_name'),
  emails: { ...str('u.email'), eqIn: byEmail },
  'emails.value': { ...str('u.email'), eqIn: byEmail },
  'emails.type': str(`'work'::text`),
  'emails.primary': { sql: 'true', type: 'boolean', caseExact: false },
  active: { sql: `(m.status = '${MemberStatus.ACTIVE}')`, type: 'boolean', caseExact: false },
  'meta.created': { sql: 'm.created_at', type: 'dateTime', caseExact: false },
  'meta.lastModified': { sql: 'greatest(m.updated_at, su.updated_at)', type: 'dateTime', caseExact: false },
  'meta.resourceType': str(`'User'::text`, true),
  'roster:organizationRole': str('m.role'),
};

const USER_TEAMS_FROM =
  'team_memberships ftm join teams ft on ft.id = ftm.team_id where ftm.user_id = u.id and ' +
  'ft.organization_id = m.organization_id';
const USER_RELATED: Record<string, Related> = {
  groups: {
    from: USER_TEAMS_FROM,
    subs: { value: str('ft.id::text', true), display: str('ft.name') },
    primary: 'value',
  },
  'roster:teamRoles': {
    from: USER_TEAMS_FROM,
    subs: { value: str('ft.id::text', true), display: str('ft.name'), role: str('ftm.role') },
    primary: 'value',
  },
};

const GROUP_COLUMNS: Record<string, Column> = {
  id: { ...str('t.id::text', true), eqIn: byId('t.id') },
  externalId: str('sg.external_id', true),
  // Team names are stored lower-case (unique index on organization and name).
  displayName: { ...str('t.name'), eqIn: (v) => ({ sql: 't.name = lower(?)', bindings: [v] }) },
  'meta.created': { sql: 't.created_at', type: 'dateTime', caseExact: false },
  'meta.lastModified': { sql: 'greatest(t.created_at, sg.updated_at)', type: 'dateTime', caseExact: false },
  'meta.resourceType': str(`'Group'::text`, true),
};

const GROUP_RELATED: Record<string, Related> = {
  members: {
    from:
      'team_memberships ftm join org_memberships fm on fm.user_id = ftm.user_id and fm.organization_id = ' +
      `t.organization_id and fm.status in ${SCIM_STATUSES} join users fu on fu.id = ftm.user_id ` +
      'left join scim_users fsu on fsu.organization_id = t.organization_id and fsu.user_id = ftm.user_id ' +
      'where ftm.team_id = t.id',
    subs: {
      value: str('ftm.user_id::text', true),
      display: str('coalesce(fsu.user_name, fu.email)'),
      type: str(`'User'::text`, true),
    },
    primary: 'value',
  },
};

export interface SqlFragment {
  sql: string;
  bindings: unknown[];
}

const tables = (kind: ResourceKind) =>
  kind === 'User'
    ? { columns: USER_COLUMNS, related: USER_RELATED }
    : { columns: GROUP_COLUMNS, related: GROUP_RELATED };

/** The SQL column a sortBy names (single-valued attributes only), or invalidValue-worthy null. */
export function sortColumn(kind: ResourceKind, attr: string): string | null {
  const name = canonicalAttr(kind, attr);
  const col = name ? tables(kind).columns[name] : undefined;
  if (!col) return null;
  if (col.type !== 'string') return col.sql;
  // Code point order, whatever the database's collation: the same order as the filter's gt/lt.
  return `${col.caseExact ? col.sql : `lower(${col.sql})`} collate "C"`;
}

export function filterSql(kind: ResourceKind, filter: Filter, organizationId: string): SqlFragment {
  const { columns, related } = tables(kind);

  const resolve = (raw: string): { column: Column } | { related: Related; sub: string; name: string } => {
    const name = canonicalAttr(kind, raw);
    if (!name) throw invalidFilter(`Invalid filter: "${raw}" is not an attribute of ${kind}.`);
    const column = columns[name];
    if (column) return { column };
    const dot = name.lastIndexOf('.');
    const [base, sub] = related[name] ? [name, related[name].primary] : [name.slice(0, dot), name.slice(dot + 1)];
    const rel = related[base];
    if (rel?.subs[sub]) return { related: rel, sub, name };
    throw invalidFilter(`Invalid filter: ${kind} attribute "${name}" cannot be filtered on (it is complex).`);
  };

  const walk = (f: Filter, scope: Related | null, prefix: string): SqlFragment => {
    switch (f.op) {
      case 'and':
      case 'or': {
        const l = walk(f.left, scope, prefix);
        const r = walk(f.right, scope, prefix);
        return { sql: `(${l.sql} ${f.op} ${r.sql})`, bindings: [...l.bindings, ...r.bindings] };
      }
      case 'not': {
        const inner = walk(f.filter, scope, prefix);
        // SQL's three-valued logic: a comparison with a missing attribute is null, and "not null" is not true.
        return { sql: `(not coalesce(${inner.sql}, false))`, bindings: inner.bindings };
      }
      case 'valuePath': {
        if (scope) throw invalidFilter('Invalid filter: value filters do not nest.');
        const name = canonicalAttr(kind, f.attr);
        const rel = name ? related[name] : undefined;
        if (rel) {
          const inner = walk(f.filter, rel, `${f.attr}.`);
          return { sql: `exists (select 1 from ${rel.from} and ${inner.sql})`, bindings: inner.bindings };
        }
        // A multi-valued attribute with exactly one value (emails): its filter applies to that value.
        if (name === 'emails') return walk(f.filter, null, `${f.attr}.`);
        throw invalidFilter(`Invalid filter: "${f.attr}" is not a multi-valued attribute of ${kind}.`);
      }
      case 'pr':
      case 'cmp': {
        if (scope) {
          const sub = f.attr.toLowerCase();
          const key = Object.keys(scope.subs).find((k) => k.toLowerCase() === sub);
          if (!key) throw invalidFilter(`Invalid filter: "${prefix}${f.attr}" is not an attribute of ${kind}.`);
          return compare(scope.subs[key]!, f);
        }
        const target = resolve(prefix + f.attr);
        if ('column' in target) {
          const { eqIn } = target.column;
          if (eqIn && f.op === 'cmp' && f.cmp === 'eq' && typeof f.value === 'string')
            return withOrganization(eqIn(f.value), organizationId);
          return compare(target.column, f);
        }
        const inner = compare(target.related.subs[target.sub]!, f);
        return { sql: `exists (select 1 from ${target.related.from} and ${inner.sql})`, bindings: inner.bindings };
      }
    }
  };
  return walk(filter, null, '');
}

/** Binds `?org` placeholders (in order with the others) to the organization's id. */
function withOrganization(fragment: SqlFragment, organizationId: string): SqlFragment {
  const parts = fragment.sql.split(/(\?org|\?)/);
  const bindings: unknown[] = [];
  let next = 0;
  const sql = parts
    .map((p) => {
      if (p === '?org') {
        bindings.push(organizationId);
        return '?';
      }
      if (p === '?') bindings.push(fragment.bindings[next++]);
      return p;
    })
    .join('');
  return { sql, bindings };
}

function compare(col: Column, f: Extract<Filter, { op: 'pr' | 'cmp' }>): SqlFragment {
  if (f.op === 'pr') {
    return {
      sql: col.type === 'string' ? `(${col.sql} is not null and ${col.sql} <> '')` : `(${col.sql} is not null)`,
      bindings: [],
    };
  }
  const { cmp, value } = f;
  if (value === null) {
    if (cmp === 'eq') return { sql: `(${col.sql} is null)`, bindings: [] };
    if (cmp === 'ne') return { sql: `(${col.sql} is not null)`, bindings: [] };
    throw invalidFilter(`Invalid filter: "${f.attr} ${cmp} null" compares with null; use eq, ne or pr.`);
  }
  switch (col.type) {
    case 'boolean': {
      if (typeof value !== 'boolean')
        throw invalidFilter(`Invalid filter: "${f.attr}" is boolean; compare it with true or false.`);
      if (cmp === 'eq') return { sql: `(${col.sql} = ?)`, bindings: [value] };
      if (cmp === 'ne') return { sql: `(${col.sql} <> ?)`, bindings: [value] };
      throw invalidFilter(`Invalid filter: "${cmp}" does not apply to the boolean "${f.attr}"; use eq, ne or pr.`);
    }
    case 'dateTime': {
      if (typeof value !== 'string' || !isXsdDateTime(value))
        throw invalidFilter(`Invalid filter: "${f.attr}" is a dateTime; compare it with an xsd:dateTime string.`);
      const op = SQL_OPS[cmp];
      if (!op) throw invalidFilter(`Invalid filter: "${cmp}" does not apply to the dateTime "${f.attr}".`);
      const lhs = `date_trunc('milliseconds', ${col.sql})`;
      return { sql: `(${lhs} ${op} ?::timestamptz)`, bindings: [value] };
    }
    case 'string': {
      if (typeof value !== 'string')
        throw invalidFilter(`Invalid filter: "${f.attr}" is a string; compare it with a "quoted string".`);
      const c = col.caseExact ? col.sql : `lower(${col.sql})`;
      const v = col.caseExact ? '?' : 'lower(?)';
      switch (cmp) {
        case 'eq':
          return { sql: `(${c} = ${v})`, bindings: [value] };
        case 'ne':
          // A missing attribute matches neither eq nor ne (as scim2-parse-filter and SCIMMY read §3.4.2.2).
          return { sql: `(${c} <> ${v})`, bindings: [value] };
        case 'co':
          return { sql: `(strpos(${c}, ${v}) > 0)`, bindings: [value] };
        case 'sw':
          return { sql: `starts_with(${c}, ${v})`, bindings: [value] };
        case 'ew':
          return { sql: `(right(${c}, char_length(?::text)) = ${v})`, bindings: [value, value] };
        default:
          // Lexicographic, by code point (collation "C"), as RFC 7644 §3.4.2.2 leaves it to the string's order.
          return { sql: `(${c} collate "C" ${SQL_OPS[cmp]} ${v} collate "C")`, bindings: [value] };
      }
    }
  }
}

/**
 * An xsd:dateTime (RFC 7643 §2.3.5) that names a real instant: `2020-02-30` or `2020-01-01 (x)`, which Date.parse
 * takes and PostgreSQL refuses, are not. The time zone may be left out (then the database's), as xsd allows.
 */
const XSD_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))?)?$/;
export function isXsdDateTime(value: string): boolean {
  const m = XSD_DATE_TIME.exec(value);
  if (!m) return false;
  const n = (i: number) => Number(m[i] ?? 0);
  const date = new Date(0);
  date.setUTCFullYear(n(1), n(2) - 1, n(3));
  // The calendar round trip: day 30 of February comes back as a day of March.
  if (n(1) < 1 || date.getUTCFullYear() !== n(1) || date.getUTCMonth() !== n(2) - 1 || date.getUTCDate() !== n(3))
    return false;
  return n(4) <= 23 && n(5) <= 59 && n(6) <= 59 && n(8) <= 14 && n(9) <= 59;
}

const SQL_OPS: Partial<Record<CompareOp, string>> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };

export type { CompValue };
