import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filter as toPredicate, parse, type Filter } from 'scim2-parse-filter';
import { scimPatch, type ScimPatchOperation, type ScimResource } from 'scim-patch';
import SCIMMY from 'scimmy';
import { GROUP, ROSTER, scimInstance, type ScimInstance } from './scim-fixture';

/**
 * Independent oracles: scim2-parse-filter decides which users a filter matches (RFC 7644 §3.4.2.2), scim-patch what a
 * PATCH makes of a user (RFC 7644 §3.5.2); the server, which filters in SQL and patches its own model, must agree.
 * Both libraries compare strings case-sensitively, while RFC 7643 §2.2 makes caseExact false the default: the oracle
 * sees case-insensitive attributes lower-cased, on both sides of the comparison.
 */
let ctx: ScimInstance;
// biome-ignore lint/suspicious/noExplicitAny: SCIM resources as the server returns them.
let everyone: any[];
let created: string;

const CASE_EXACT = new Set(['id', 'externalid', 'meta.resourcetype']);

beforeAll(async () => {
  ctx = await scimInstance();
  const people: Array<[string, Record<string, unknown>]> = [
    ['Ada@Example.com', { externalId: 'E-1', name: { givenName: 'Ada', familyName: 'Lovelace' } }],
    ['alan@example.org', { externalId: 'e-2', name: { givenName: 'Alan', familyName: 'Turing' }, active: false }],
    ['grace@navy.mil', { name: { givenName: 'Grace', familyName: 'Hopper' }, [ROSTER]: { organizationRole: 'ADMIN' } }],
    ['edsger@example.com', { externalId: 'E-4', displayName: 'Edsger W. Dijkstra' }],
    [
      'barbara@example.org',
      { name: { givenName: 'Barbara', familyName: 'Liskov' }, [ROSTER]: { organizationRole: 'VIEWER' } },
    ],
    [
      'ken',
      { emails: [{ value: 'ken@bell-labs.com', primary: true }], name: { givenName: 'Ken', familyName: 'Thompson' } },
    ],
    ['Dennis.Ritchie@Bell-Labs.com', { externalId: 'E-7', active: false }],
  ];
  for (const [userName, extra] of people) {
    const res = await ctx.scim.createUser(userName, extra);
    if (res.status !== 201) throw new Error(`${userName}: ${JSON.stringify(res.body)}`);
  }
  const g = await ctx.scim.post('/Groups', { schemas: [GROUP], displayName: 'pioneers' });
  const ids = (await ctx.scim.get('/Users?count=100')).body.Resources.slice(0, 3).map((r: { id: string }) => r.id);
  await ctx.scim.patch(`/Groups/${g.body.id}`, [
    { op: 'add', path: 'members', value: ids.map((value: string) => ({ value })) },
  ]);
  everyone = (await ctx.scim.get('/Users?count=100')).body.Resources;
  created = everyone.map((u) => u.meta.created as string).sort()[3]!;
});
afterAll(async () => {
  await ctx?.t.close();
});

/** Lower-cases the string values of case-insensitive attributes (RFC 7643 §2.2), recursively. */
function folded(value: unknown, path = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => folded(v, path));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k.startsWith('urn:') ? folded(v, '') : folded(v, path ? `${path}.${k}` : k),
      ]),
    );
  if (typeof value === 'string' && !CASE_EXACT.has(path.toLowerCase()) && !path.startsWith('meta.'))
    return value.toLowerCase();
  return value;
}

function foldedFilter(f: Filter, prefix = ''): Filter {
  switch (f.op) {
    case 'and':
    case 'or':
      return { ...f, filters: f.filters.map((x) => foldedFilter(x, prefix)) };
    case 'not':
      return { ...f, filter: foldedFilter(f.filter, prefix) };
    case '[]':
      return { ...f, valFilter: foldedFilter(f.valFilter, `${f.attrPath}.`) };
    case 'pr':
      return f;
    default: {
      const path = `${prefix}${f.attrPath}`.toLowerCase();
      const exact = CASE_EXACT.has(path) || path.startsWith('meta.');
      return typeof f.compValue === 'string' && !exact ? { ...f, compValue: f.compValue.toLowerCase() } : f;
    }
  }
}

const FILTERS = [
  'userName eq "ada@example.com"',
  'userName eq "ADA@EXAMPLE.COM"',
  'userName ne "ada@example.com"',
  'userName co "example"',
  'userName sw "a"',
  'userName ew ".org"',
  'userName gt "d"',
  'userName le "edsger@example.com"',
  'externalId eq "E-1"',
  'externalId eq "e-1"',
  'externalId pr',
  'not (externalId pr)',
  'externalId ne "E-4"',
  'active eq true',
  'active eq false',
  'active ne true and userName co "e"',
  'name.givenName sw "A" or name.familyName ew "ER"',
  'name.familyName pr and not (active eq false)',
  'displayName co "w."',
  'emails[type eq "work" and value ew "bell-labs.com"]',
  'emails.value co "navy"',
  'emails[primary eq true]',
  '(userName sw "a" or userName sw "b") and active eq true',
  'userName sw "a" or userName sw "b" and active eq false',
  'not (userName sw "a" or userName sw "e")',
  `meta.created gt "${'1970-01-01T00:00:00.000Z'}"`,
  'meta.resourceType eq "User"',
  `${ROSTER}:organizationRole eq "admin"`,
  'groups.display eq "pioneers"',
  'USERNAME EQ "grace@navy.mil"',
];

describe('filters against scim2-parse-filter (RFC 7644 §3.4.2.2)', () => {
  it.each(FILTERS)('RFC 7644 §3.4.2.2: %s', async (f) => {
    const res = await ctx.scim.get(`/Users?count=100&filter=${encodeURIComponent(f)}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const predicate = toPredicate(foldedFilter(parse(f.replace(/ EQ /, ' eq '))));
    const expected = everyone
      .filter((u) => predicate(folded(u)))
      .map((u) => u.id)
      .sort();
    expect(res.body.Resources.map((u: { id: string }) => u.id).sort()).toEqual(expected);
    expect(res.body.totalResults).toBe(expected.length);
  });

  it('RFC 7644 §3.4.2.2: dateTime comparisons ge/lt split the users exactly', async () => {
    const ge = await ctx.scim.get(`/Users?count=100&filter=${encodeURIComponent(`meta.created ge "${created}"`)}`);
    const lt = await ctx.scim.get(`/Users?count=100&filter=${encodeURIComponent(`meta.created lt "${created}"`)}`);
    expect(ge.body.totalResults + lt.body.totalResults).toBe(everyone.length);
    const predicate = toPredicate(parse(`meta.created ge "${created}"`));
    expect(ge.body.totalResults).toBe(everyone.filter((u) => predicate(u)).length);
  });

  it('SCIMMY (a second implementation) agrees on a compound filter', async () => {
    const f = 'name.givenName sw "a" and active eq true';
    const res = await ctx.scim.get(`/Users?count=100&filter=${encodeURIComponent(f)}`);
    const matched = new SCIMMY.Types.Filter(f).match(everyone.map((u) => folded(u)) as Record<string, unknown>[]);
    expect(res.body.Resources.map((u: { id: string }) => u.id).sort()).toEqual(
      (matched as Array<{ id: string }>).map((u) => u.id).sort(),
    );
  });
});

/** What the oracle and the server both model of a user: the writable attributes. */
// biome-ignore lint/suspicious/noExplicitAny: a SCIM user resource.
const writable = (u: any) => ({
  userName: u.userName,
  externalId: u.externalId,
  displayName: u.displayName,
  active: u.active,
  email: u.emails?.[0]?.value,
  givenName: u.name?.givenName,
  familyName: u.name?.familyName,
  role: u[ROSTER]?.organizationRole,
});

const PATCHES: Array<[string, ScimPatchOperation[]]> = [
  ['replace a simple attribute', [{ op: 'replace', path: 'displayName', value: 'Someone Else' }]],
  ['replace a sub-attribute', [{ op: 'replace', path: 'name.familyName', value: 'Byron' }]],
  ['add a sub-attribute', [{ op: 'add', path: 'name.givenName', value: 'Augusta' }]],
  ['remove an attribute', [{ op: 'remove', path: 'externalId' }]],
  ['remove a sub-attribute', [{ op: 'remove', path: 'name.givenName' }]],
  ['replace active', [{ op: 'replace', path: 'active', value: false }]],
  [
    'replace without a path',
    [{ op: 'replace', value: { displayName: 'No Path', externalId: 'X-9' } } as ScimPatchOperation],
  ],
  [
    'replace a filtered multi-valued sub-attribute',
    [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.com' }],
  ],
  ['replace the extension attribute', [{ op: 'replace', path: `${ROSTER}:organizationRole`, value: 'VIEWER' }]],
  [
    'several operations in order',
    [
      { op: 'replace', path: 'externalId', value: 'first' },
      { op: 'replace', path: 'externalId', value: 'second' },
      { op: 'add', path: 'name.familyName', value: 'Last' },
      { op: 'replace', path: 'userName', value: 'renamed@example.com' },
    ],
  ],
];

describe('PATCH against scim-patch (RFC 7644 §3.5.2)', () => {
  it.each(PATCHES)('RFC 7644 §3.5.2: %s', async (_name, ops) => {
    const u = await ctx.scim.createUser(`patch-${Math.random().toString(36).slice(2, 10)}@example.com`, {
      externalId: `X-${Math.random()}`,
      displayName: 'Display Only',
    });
    expect(u.status).toBe(201);
    const expected = scimPatch(structuredClone(u.body) as ScimResource, ops, { mutateDocument: false });
    const res = await ctx.scim.patch(`/Users/${u.body.id}`, ops);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const got = writable(res.body);
    const want = writable(expected);
    // Roster stores emails lower-case (RFC 7643 §4.1.2 leaves the case of the domain to the provider).
    want.email = want.email?.toLowerCase();
    expect(got).toEqual(want);
    expect(writable((await ctx.scim.get(`/Users/${u.body.id}`)).body)).toEqual(got);
  });
});

describe('Group PATCH against scim-patch (RFC 7644 §3.5.2.1-3 on members)', () => {
  const cases: Array<[string, (ids: string[]) => ScimPatchOperation[]]> = [
    ['add members', (ids) => [{ op: 'add', path: 'members', value: [{ value: ids[2] }, { value: ids[3] }] }]],
    ['remove one by value filter', (ids) => [{ op: 'remove', path: `members[value eq "${ids[0]}"]` }]],
    ['replace all members', (ids) => [{ op: 'replace', path: 'members', value: [{ value: ids[3] }] }]],
    ['remove all members', () => [{ op: 'remove', path: 'members' }]],
    [
      'add then remove in one request, and rename',
      (ids) => [
        { op: 'add', path: 'members', value: [{ value: ids[4] }] },
        { op: 'remove', path: `members[value eq "${ids[1]}"]` },
        { op: 'replace', path: 'displayName', value: 'renamed-by-patch' },
      ],
    ],
  ];
  it.each(cases)('RFC 7644 §3.5.2: %s', async (_name, build) => {
    const ids = everyone.slice(0, 5).map((u) => u.id as string);
    const name = `g-${Math.random().toString(36).slice(2, 8)}`;
    const g = await ctx.scim.post('/Groups', {
      schemas: [GROUP],
      displayName: name,
      members: [{ value: ids[0] }, { value: ids[1] }],
    });
    expect(g.status).toBe(201);
    const ops = build(ids);
    const expected = scimPatch(structuredClone(g.body) as ScimResource, ops, { mutateDocument: false }) as unknown as {
      displayName: string;
      members?: Array<{ value: string }>;
    };
    const res = await ctx.scim.patch(`/Groups/${g.body.id}`, ops);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const members = (r: { members?: Array<{ value: string }> }) => (r.members ?? []).map((m) => m.value).sort();
    expect(members(res.body)).toEqual(members(expected));
    expect(res.body.displayName).toBe(expected.displayName);
    if (expected.displayName === 'renamed-by-patch') {
      await ctx.scim.patch(`/Groups/${g.body.id}`, [{ op: 'replace', path: 'displayName', value: name }]);
    }
  });
});
