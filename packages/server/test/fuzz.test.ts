/**
 * Input fuzzing: every argument of every mutation, and of every query field that takes arguments (at any
 * depth reachable from Query), is sent malformed values against a seeded instance. The cases are generated
 * from the schema the server runs (buildRosterSchema), so a new mutation or argument is covered without
 * touching this file.
 *
 * For each argument a valid-looking base value is built from its type (enums pick a value, IDs real ids
 * of the seed, strings plausible values by field name); then one leaf at a time is replaced by each
 * value of a corpus (NUL, lone surrogates, 100k strings, SQL/LIKE metacharacters, unicode, numeric edges,
 * malformed ids and cursors, far dates, oversized lists). Most values go as variables, some as inline
 * literals; the org admin sends everything, a plain member and an anonymous caller a seeded sample.
 *
 * A case fails when any error (or a payload's UserError) has code INTERNAL_SERVER_ERROR, or the HTTP
 * response is 5xx or not JSON; the failure names the operation, its variables and the server's error log
 * line (the server logs at level error, or TEST_LOG_LEVEL, into memory).
 * Reproducible: the sample comes from a PRNG seeded with FUZZ_SEED (default 8). FUZZ_DEBUG=1 prints the
 * outcome of every request (useful to check that bases still reach the resolvers after a schema change).
 *
 * Cases marked "waits on central … check" need the request-level input check (NUL bytes and unpaired
 * surrogates in any string; more than 50 variable coercion errors as BAD_USER_INPUT), not a service fix.
 */
import { performance } from 'node:perf_hooks';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import pino, { type DestinationStream } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRosterSchema } from '../src/graphql/schema';
import { createTestDatabase, testConfig, type TestDatabase, type TestServer } from '../src/testing';
import { startServer } from '../src/server';
import { openDatabase } from '../src/db/orm';
import { addMember, gql, inviteByLink, type Actor } from './fixtures';
import { MemberStatus, OrgRole } from '../src/authz/roles';
import { Organization } from '../src/modules/organizations/organization.entity';

// ---------------------------------------------------------------------------------------------------------
// Reproducible sampling

const SEED = Number(process.env.FUZZ_SEED ?? 8);

/** mulberry32: small, fast, good enough to pick samples reproducibly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(SEED);
function sample<T>(items: readonly T[], n: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < n && pool.length > 0) out.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
  return out;
}
function randomBase64(bytes: number): string {
  return Buffer.from(Array.from({ length: bytes }, () => Math.floor(random() * 256))).toString('base64');
}
function randomUuid(): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------------------------------------
// The seeded instance

type Principal = 'orgAdmin' | 'member' | 'anonymous';

interface Seed {
  org: string;
  team: string;
  project: string;
  memberUsername: string;
  memberPassword: string;
  customRole: string;
  inviteEmail: string;
  invitationToken: string;
  /** Real ids by object type: used as bases and as "an id of another type". */
  ids: Record<
    'user' | 'member' | 'organization' | 'team' | 'project' | 'run' | 'report' | 'customRole' | 'invitation' | 'apiKey',
    string
  >;
  /** endCursor values seen, by `Type.field` of the connection. */
  cursors: Map<string, string>;
}

interface Instance {
  t: TestServer;
  url: string;
  tokens: Record<Principal, string | undefined>;
  seed: Seed;
  logLines: string[];
}

let inst: Instance;
let uniq = 0;
const unique = (prefix: string) => `${prefix}-${SEED}-${++uniq}`;

async function must<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown> = {},
  token = inst.tokens.orgAdmin,
): Promise<T> {
  const res = await gql<T>(inst.url, query, variables, token);
  if (!res.data || res.errors) throw new Error(`seed failed: ${query.slice(0, 80)} ${JSON.stringify(res.errors)}`);
  return res.data;
}

/** A server whose log lines (level error, or TEST_LOG_LEVEL) are kept, so a failure can show the server's side. */
async function startLoggedServer(env: Record<string, string>): Promise<{ t: TestServer; logLines: string[] }> {
  const database: TestDatabase = await createTestDatabase();
  const config = testConfig(database, {
    LOG_LEVEL:
      process.env.TEST_LOG_LEVEL && process.env.TEST_LOG_LEVEL !== 'silent' ? process.env.TEST_LOG_LEVEL : 'error',
    ...env,
  });
  const logLines: string[] = [];
  const destination: DestinationStream = { write: (line: string) => void logLines.push(line) };
  const logger = pino({ level: config.logLevel, base: { service: 'roster' } }, destination);
  const server = await startServer({ config, logger });
  const t: TestServer = {
    url: server.url,
    server,
    database,
    openExtraDatabase: () => openDatabase(config, logger, { migrate: false }),
    async close() {
      await server.close();
      await database.drop();
    },
  };
  return { t, logLines };
}

async function seedInstance(): Promise<Instance> {
  const { t, logLines } = await startLoggedServer({
    // Fuzzing logIn must not lock the address out of deeper paths.
    SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '1000000',
    SIGN_IN_MAX_FAILURES_PER_ADDRESS: '1000000',
  });
  const boot = await gql<{ signUp: { token: string; user: { id: string }; organization: { id: string } } }>(
    t.url,
    'mutation($i: SignUpInput!) { signUp(input: $i) { token user { id } organization { id } } }',
    {
      i: {
        email: 'admin@example.com',
        username: 'admin',
        name: 'Instance Admin',
        password: 'admin-password-1',
        organizationName: 'acme',
      },
    },
  );
  if (!boot.data) throw new Error(`bootstrap failed: ${JSON.stringify(boot.errors)}`);
  const em = t.server.db.orm.em.fork();
  const org = await em.findOneOrFail(Organization, { name: 'acme' });
  const member: Actor = await addMember(t, org, 'mem', OrgRole.MEMBER, MemberStatus.ACTIVE, {
    password: 'member-password-1',
  });
  inst = {
    t,
    url: t.url,
    tokens: { orgAdmin: boot.data.signUp.token, member: member.token, anonymous: undefined },
    logLines,
    seed: {
      org: 'acme',
      team: 'core',
      project: 'proj',
      memberUsername: 'mem',
      memberPassword: 'member-password-1',
      customRole: 'Power',
      inviteEmail: '',
      invitationToken: '',
      ids: {
        user: boot.data.signUp.user.id,
        member: member.user.id,
        organization: org.id,
        team: '',
        project: '',
        run: '',
        report: '',
        customRole: '',
        invitation: '',
        apiKey: '',
      },
      cursors: new Map(),
    },
  };
  await must('mutation { createOrganization(input: { name: "beta" }) { organization { id } } }');
  await seedTeam();
  await seedCustomRole();
  await seedInvitation();
  await seedApiKey();
  // A few more rows so connections have a second page, and cursors of every kind exist.
  for (let i = 0; i < 3; i++) {
    await must('mutation($i: LogRunInput!) { logRun(input: $i) { run { id } } }', {
      i: { organization: 'acme', team: 'core', project: 'proj' },
    });
    await inviteByLink(inst.url, inst.tokens.orgAdmin!, 'acme', `${unique('extra')}@example.com`, 'VIEWER');
  }
  return inst;
}

async function seedTeam(): Promise<void> {
  const s = inst.seed;
  const team = await must<{ createTeam: { team: { id: string } } }>(
    'mutation { createTeam(input: { organization: "acme", name: "core" }) { team { id } } }',
  );
  s.ids.team = team.createTeam.team.id;
  await must(
    'mutation { addTeamMember(input: { organization: "acme", team: "core", user: "mem", role: MEMBER }) { member { ' +
      'id } } }',
  );
  const project = await must<{ createProject: { project: { id: string } } }>(
    'mutation { createProject(input: { organization: "acme", team: "core", name: "proj", visibility: PRIVATE }) { ' +
      'project { id } } }',
  );
  s.ids.project = project.createProject.project.id;
  await seedRun();
  await seedReport();
}
async function seedRun(): Promise<void> {
  const run = await must<{ logRun: { run: { id: string } } }>(
    'mutation { logRun(input: { organization: "acme", team: "core", project: "proj", name: "seed-run" }) { run { id ' +
      '} } }',
    {},
    inst.tokens.member,
  );
  inst.seed.ids.run = run.logRun.run.id;
}
async function seedReport(): Promise<void> {
  const report = await must<{ createReport: { report: { id: string } } }>(
    'mutation { createReport(input: { organization: "acme", team: "core", project: "proj", title: "Seed report" }) ' +
      '{ report { id } } }',
    {},
    inst.tokens.member,
  );
  inst.seed.ids.report = report.createReport.report.id;
}
async function seedCustomRole(): Promise<void> {
  const name = inst.seed.ids.customRole ? unique('Power') : 'Power';
  const role = await must<{ createCustomRole: { customRole: { id: string } } }>(
    'mutation($i: CreateCustomRoleInput!) { createCustomRole(input: $i) { customRole { id } } }',
    {
      i: { organization: 'acme', name, inheritsFrom: 'MEMBER', permissions: ['RUN_DELETE'] },
    },
  );
  inst.seed.ids.customRole = role.createCustomRole.customRole.id;
  inst.seed.customRole = name;
}
async function seedInvitation(): Promise<void> {
  const email = `${unique('pending')}@example.com`;
  const { id, token } = await inviteByLink(inst.url, inst.tokens.orgAdmin!, 'acme', email, 'MEMBER');
  Object.assign(inst.seed, { inviteEmail: email, invitationToken: token });
  inst.seed.ids.invitation = id;
}
async function seedApiKey(): Promise<void> {
  const key = await must<{ createApiKey: { apiKey: { id: string } } }>(
    'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id } } }',
    { i: { name: unique('seed key') } },
  );
  inst.seed.ids.apiKey = key.createApiKey.apiKey.id;
}

/**
 * Mutations sent with mostly valid values sometimes succeed (accepting the invitation, deleting the run,
 * demoting the member): put the seed back, so later cases still reach deep code paths.
 */
async function restoreSeed(): Promise<void> {
  const s = inst.seed;
  const conn = inst.t.server.db.orm.em.fork().getConnection();
  const [state] = (await conn.execute(
    `select
       (select count(*)::int from teams where id = ?) as team,
       (select count(*)::int from projects where id = ?) as project,
       (select count(*)::int from runs where id = ?) as run,
       (select count(*)::int from reports where id = ?) as report,
       (select count(*)::int from custom_roles where id = ?) as custom_role,
       (select count(*)::int from invitations where id = ? and status = 'PENDING') as invitation,
       (select count(*)::int from api_keys where id = ? and revoked_at is null) as api_key,
       (select count(*)::int from org_memberships where user_id = ? and organization_id = ? and role = 'MEMBER' and ` +
      `status = 'ACTIVE') as member,
       (select count(*)::int from team_memberships where user_id = ? and team_id = ?) as team_member`,
    [
      s.ids.team,
      s.ids.project,
      s.ids.run,
      s.ids.report,
      s.ids.customRole,
      s.ids.invitation,
      s.ids.apiKey,
      s.ids.member,
      s.ids.organization,
      s.ids.member,
      s.ids.team,
    ],
  )) as Array<
    Record<
      'team' | 'project' | 'run' | 'report' | 'custom_role' | 'invitation' | 'api_key' | 'member' | 'team_member',
      number
    >
  >;
  if (!state) return;
  if (!state.member) {
    await conn.execute(
      `update org_memberships set role = 'MEMBER', status = 'ACTIVE' where user_id = ? and organization_id = ?`,
      [s.ids.member, s.ids.organization],
    );
    const rows = (await conn.execute(
      'select count(*)::int as n from org_memberships where user_id = ? and organization_id = ?',
      [s.ids.member, s.ids.organization],
    )) as Array<{ n: number }>;
    if (!rows[0]?.n)
      await conn.execute(
        `insert into org_memberships (id, organization_id, user_id, role, status) values (gen_random_uuid(), ?, ?, ` +
          `'MEMBER', 'ACTIVE')`,
        [s.ids.organization, s.ids.member],
      );
  }
  if (!state.team) {
    // createTeam may also have lost its name: a leftover team "core" from an earlier restore is gone with it.
    await seedTeam();
  } else {
    if (!state.team_member)
      await must(
        'mutation { addTeamMember(input: { organization: "acme", team: "core", user: "mem", role: MEMBER }) { ' +
          'member { id } } }',
      );
    if (!state.project) {
      const project = await must<{ createProject: { project: { id: string } } }>(
        'mutation { createProject(input: { organization: "acme", team: "core", name: "proj", visibility: PRIVATE }) ' +
          '{ project { id } } }',
      );
      s.ids.project = project.createProject.project.id;
      await seedRun();
      await seedReport();
    } else {
      if (!state.run) await seedRun();
      if (!state.report) await seedReport();
    }
  }
  if (!state.custom_role) await seedCustomRole();
  if (!state.api_key) await seedApiKey();
  // resendInvitation issues a new token: the one we hold is then no longer valid either.
  const preview = state.invitation
    ? await gql(inst.url, 'query($t: String!) { invitationPreview(token: $t) { email } }', { t: s.invitationToken })
    : null;
  if (!preview || preview.errors) await seedInvitation();
}

// ---------------------------------------------------------------------------------------------------------
// Base values, from the type and the field name

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

const DAY = 24 * 60 * 60 * 1000;

/** Plausible strings by field name; `owner` is the input type or `Type.field` the field belongs to. */
function baseString(owner: string, field: string): string {
  const s = inst.seed;
  if (field === 'name') {
    // A lookup by name (organization(name:), team(name:), Team.project(name:)) gets the seeded object's name.
    if (owner === 'Query.organization') return s.org;
    if (owner === 'Query.team') return s.team;
    if (owner === 'Team.project') return s.project;
    if (owner === 'SignUpInput' || owner === 'AcceptInvitationInput') return 'Fuzz Person';
    return unique('fuzz');
  }
  const byField: Record<string, () => string> = {
    organization: () => s.org,
    organizationName: () => unique('org'),
    team: () => s.team,
    project: () => s.project,
    user: () => s.memberUsername,
    login: () => s.memberUsername,
    actor: () => 'admin',
    username: () => unique('user').replace(/-/g, '_'),
    email: () => (owner === 'SignUpInput' ? s.inviteEmail : `${unique('fuzz')}@example.com`),
    password: () => (owner === 'LogInInput' ? s.memberPassword : 'fuzz-password-1'),
    token: () => s.invitationToken,
    invitationToken: () => s.invitationToken,
    confirmName: () => s.team,
    customRole: () => s.customRole,
    displayName: () => 'Fuzz Display',
    description: () => 'A role made by the fuzzer',
    title: () => 'Fuzz report',
    search: () => 'a',
    bucket: () => 'fuzz-bucket',
    endpoint: () => 'https://s3.example.com',
    region: () => 'us-east-1',
    path: () => 'runs/fuzz',
    slackChannel: () => '#ml-alerts',
    avatarUrl: () => 'https://example.com/avatar.png',
    permissions: () => 'RUN_DELETE',
    actions: () => 'team.create',
  };
  return (byField[field] ?? (() => 'fuzz value'))();
}

/** A real id of the object the owner's name points at. */
function baseId(owner: string): string {
  const ids = inst.seed.ids;
  const byOwner: Array<[RegExp, keyof Seed['ids']]> = [
    [/ApiKey/, 'apiKey'],
    [/Invit/, 'invitation'],
    [/CustomRole/, 'customRole'],
    [/Run/, 'run'],
    [/Report/, 'report'],
    [/Project/, 'project'],
    [/Team/, 'team'],
    [/Organization/, 'organization'],
  ];
  for (const [pattern, kind] of byOwner) if (pattern.test(owner)) return ids[kind];
  return ids.user;
}

function baseInt(field: string): number {
  const byField: Record<string, number> = { first: 5, seatLimit: 1000, apiKeyMaxLifetimeDays: 30 };
  return byField[field] ?? 10;
}

function baseDate(field: string): string {
  const offset: Record<string, number> = { since: -DAY, until: DAY, expiresAt: 7 * DAY };
  return new Date(Date.now() + (offset[field] ?? DAY)).toISOString();
}

/** Enum values the base prefers (the first value otherwise): ones that keep the seed and reach deep paths. */
const ENUM_BASE: Record<string, string> = {
  StorageKind: 'BUCKET',
  TeamRole: 'MEMBER',
  OrgRole: 'MEMBER',
  MemberOrderField: 'NAME',
};

function baseValue(type: GraphQLInputType, owner: string, field: string, depth = 0): Json | undefined {
  if (isNonNullType(type)) return baseValue(type.ofType, owner, field, depth);
  if (isListType(type)) {
    const item = baseValue(type.ofType, owner, field, depth + 1);
    return item === undefined ? [] : [item];
  }
  if (isInputObjectType(type)) {
    if (depth > 5) return undefined;
    const out: Record<string, Json> = {};
    for (const f of Object.values(type.getFields())) {
      const v = baseValue(f.type, type.name, f.name, depth + 1);
      if (v !== undefined) out[f.name] = v;
    }
    return out;
  }
  if (isEnumType(type)) {
    const values = type.getValues().map((v) => v.name);
    return ENUM_BASE[type.name] && values.includes(ENUM_BASE[type.name]!) ? ENUM_BASE[type.name]! : values[0]!;
  }
  switch (type.name) {
    case 'ID':
      return baseId(owner);
    case 'Int':
      return baseInt(field);
    case 'Float':
      return 1.5;
    case 'Boolean':
      // sendEmail: false keeps the outbox quiet; the others are harmless either way.
      return false;
    case 'DateTime':
      return baseDate(field);
    case 'String':
      if (field === 'after') return inst.seed.cursors.get(owner) ?? null;
      return baseString(owner, field);
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The corpus

/** Cases that wait on the lead's central input check (NUL, lone surrogates, >50 variable errors). */
type Pending = 'nul-surrogate' | 'variable-overflow';

interface Mutant {
  label: string;
  make: (base: Json | undefined) => Json | undefined;
  pending?: Pending;
}

const m = (label: string, value: Json, pending?: Pending): Mutant => ({ label, make: () => value, pending });

const STRINGS: Mutant[] = [
  m('NUL byte', 'a\u0000b', 'nul-surrogate'),
  m('lone high surrogate', '\ud800', 'nul-surrogate'),
  m('lone low surrogate', 'x\udc00y', 'nul-surrogate'),
  m('100k chars', 'x'.repeat(100_000)),
  m('255 chars', 'a'.repeat(255)),
  m('1000 astral chars', '𝔘'.repeat(1000)),
  m('empty', ''),
  m('whitespace only', ' \t\n  '),
  m('SQL/LIKE metacharacters', `%_\\'"\\\\`),
  m('LIKE wildcard', '%'),
  m('SQL injection', `' OR '1'='1' --`),
  m('RTL override', '\u202Eevil\u202C'),
  m('arabic', 'مرحبا بالعالم'),
  m('emoji ZWJ', '👩‍👩‍👧‍👦🔥'),
  m('combining marks', `e${'\u0301'.repeat(60)}`),
  m('zero-width and BOM', '\uFEFF\u200Bacme'),
  m('control characters', 'a\u0001\u001f\u007fb'),
  m('newlines', 'a\r\nb\tc'),
  m('path traversal', '../../etc/passwd'),
  m('__proto__', '__proto__'),
  m('numeric string', '-1e308'),
  m('html', '<script>alert(1)</script>'),
  m('uuid string', '00000000-0000-0000-0000-000000000000'),
  m('wrong type: number', 12345),
  m('wrong type: object', { a: 1 }),
  m('wrong type: list', ['a']),
];

const INTS: Mutant[] = [
  m('-1', -1),
  m('0', 0),
  m('2^31-1', 2147483647),
  m('2^31', 2147483648),
  m('-2^31', -2147483648),
  m('2^53', 2 ** 53),
  m('1e308', 1e308),
  m('non-integer', 1.5),
  m('negative non-integer', -0.5),
  m('wrong type: string', '10'),
  m('wrong type: bool', true),
];

const DATES: Mutant[] = [
  m('year 0', '0000-01-01T00:00:00Z'),
  m('year 1', '0001-01-01T00:00:00Z'),
  m('year 9999', '9999-12-31T23:59:59Z'),
  m('year 1000', '1000-01-01T00:00:00Z'),
  m('epoch', '1970-01-01T00:00:00Z'),
  m('JS max date', '+275760-09-13T00:00:00.000Z'),
  m('negative year', '-000001-01-01T00:00:00Z'),
  m('Feb 30', '2026-02-30T00:00:00Z'),
  m('24:00', '2026-01-01T24:00:00Z'),
  m('leap second', '2016-12-31T23:59:60Z'),
  m('offset +14:00', '2026-01-01T00:00:00+14:00'),
  m('date only', '2026-11-29'),
  m('not a date', 'not a date'),
  m('empty', ''),
  m('wrong type: number', 8.64e15),
];

function idMutants(): Mutant[] {
  const ids = inst.seed.ids;
  return [
    m('zero uuid', '00000000-0000-0000-0000-000000000000'),
    m('random uuid', randomUuid()),
    m('max uuid', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
    { label: 'uppercase id', make: (base) => (typeof base === 'string' ? base.toUpperCase() : base) },
    { label: 'id with suffix', make: (base) => (typeof base === 'string' ? `${base}x` : base) },
    { label: 'id in braces', make: (base) => (typeof base === 'string' ? `{${base}}` : base) },
    m('random base64', randomBase64(24)),
    m('"1"', '1'),
    m('"-1"', '-1'),
    m('int id', 1),
    m('2^53 id', 2 ** 53),
    m('1e308 id', 1e308),
    m('empty', ''),
    m('whitespace', '   '),
    m('100k chars', 'f'.repeat(100_000)),
    m('NUL byte', `${ids.user.slice(0, 8)}\u0000`, 'nul-surrogate'),
    m('lone surrogate', '\udfff', 'nul-surrogate'),
    m('SQL metacharacters', `%_\\'"`),
    ...(Object.entries(ids) as Array<[keyof Seed['ids'], string]>).map(([kind, id]) => m(`id of a ${kind}`, id)),
  ];
}

function cursorMutants(owner: string): Mutant[] {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
  const others = [...inst.seed.cursors.entries()].filter(([k]) => k !== owner).map(([k, c]) => m(`cursor of ${k}`, c));
  return [
    m('random base64', randomBase64(18)),
    m('not base64', '!!!***'),
    m('empty array', b64('[]')),
    m('["x"]', b64('["x"]')),
    m('[null]', b64('[null]')),
    m('[{}]', b64('[{}]')),
    m('[1e308]', b64('[1e308]')),
    m('[-1]', b64('[-1]')),
    m('[true,false]', b64('[true,false]')),
    m('[bad date, bad id]', b64('["not-a-date","not-an-id"]')),
    m('[year 0, zero uuid]', b64('["0000-01-01T00:00:00Z","00000000-0000-0000-0000-000000000000"]')),
    m('[far date, random]', b64(`["+275760-09-13T00:00:00.000Z","${randomUuid()}"]`)),
    m('[huge number, string]', b64('[99999999999999999999999,"x"]')),
    m('nested arrays', b64('[[[[[]]]]]')),
    m('JSON object', b64('{"id":1}')),
    m('JSON string', b64('"x"')),
    m('10k-entry array', b64(JSON.stringify(Array.from({ length: 10_000 }, (_, i) => i)))),
    m('NUL in cursor', b64('["\u0000"]')),
    m('lone surrogate in cursor', Buffer.from([0xed, 0xa0, 0x80]).toString('base64url')),
    ...others,
  ];
}

const BOOLEANS: Mutant[] = [m('wrong type: string', 'true'), m('wrong type: number', 1)];

function enumMutants(values: string[]): Mutant[] {
  return [
    m('unknown value', 'NOT_A_VALUE'),
    m('lower case', values[0]!.toLowerCase()),
    m('empty', ''),
    m('wrong type: number', 1),
  ];
}

function listMutants(itemType: GraphQLInputType): Mutant[] {
  const named = getNamedType(itemType);
  // An entry that fails coercion for any item type: an object where a scalar is expected, a number for an enum or input
  // object.
  const invalid: Json = isInputObjectType(named)
    ? 1
    : isScalarType(named) && (named.name === 'Int' || named.name === 'Float')
      ? 'x'
      : { bad: true };
  return [
    m('empty list', []),
    m(
      '60 invalid entries (over graphql-js 50-error cap)',
      Array.from({ length: 60 }, () => invalid),
      'variable-overflow',
    ),
    {
      label: '200 copies of the base entry',
      make: (base) => (Array.isArray(base) && base.length > 0 ? Array.from({ length: 200 }, () => base[0]!) : base),
    },
    {
      label: '1001 entries',
      make: (base) => (Array.isArray(base) && base.length > 0 ? Array.from({ length: 1001 }, () => base[0]!) : base),
    },
    m('list of null', [null]),
    m('wrong type: object', { a: 1 }),
  ];
}

const OBJECTS: Mutant[] = [
  m('empty object', {}),
  m('unknown field', { notAField: 1 }),
  m('wrong type: string', 'x'),
  m('wrong type: list', [{}]),
];

// ---------------------------------------------------------------------------------------------------------
// Cases, from the schema

interface Step {
  /** The type the field belongs to (Query, Team): the base for `name` depends on it. */
  owner: string;
  field: GraphQLField<unknown, unknown>;
  /** Base arguments (inline literals) for a field on the way to the target. */
  args: readonly GraphQLArgument[];
}

interface Target {
  kind: 'query' | 'mutation';
  /** `Type.field`, e.g. Mutation.createTeam or Organization.members. */
  name: string;
  /** Fields from the root down to the target's parent. */
  path: Step[];
  field: GraphQLField<unknown, unknown>;
  parentType: GraphQLObjectType;
}

interface Leaf {
  arg: GraphQLArgument;
  /** Inside the argument's value: field names and list indexes. */
  path: Path;
  type: GraphQLInputType;
}

function leavesOf(arg: GraphQLArgument): Leaf[] {
  const out: Leaf[] = [];
  const walk = (type: GraphQLInputType, path: Path, depth: number): void => {
    const inner = isNonNullType(type) ? type.ofType : type;
    out.push({ arg, path, type });
    if (depth > 5) return;
    if (isListType(inner)) walk(inner.ofType, [...path, 0], depth + 1);
    else if (isInputObjectType(inner))
      for (const f of Object.values(inner.getFields())) walk(f.type, [...path, f.name], depth + 1);
  };
  walk(arg.type, [], 0);
  return out;
}

/**
 * Every mutation with arguments, and every field with arguments reachable from Query (through fields that have a base).
 */
function targetsOf(schema: GraphQLSchema): Target[] {
  const targets: Target[] = [];
  const mutation = schema.getMutationType();
  if (mutation) {
    for (const field of Object.values(mutation.getFields())) {
      if (field.args.length > 0)
        targets.push({ kind: 'mutation', name: `Mutation.${field.name}`, path: [], field, parentType: mutation });
    }
  }
  const query = schema.getQueryType()!;
  const seen = new Set<string>();
  const queue: Array<{ type: GraphQLObjectType; path: Step[] }> = [{ type: query, path: [] }];
  const reached = new Set<string>([query.name]);
  while (queue.length > 0) {
    const { type, path } = queue.shift()!;
    for (const field of Object.values(type.getFields())) {
      const key = `${type.name}.${field.name}`;
      if (field.args.length > 0 && !seen.has(key)) {
        seen.add(key);
        targets.push({ kind: 'query', name: key, path, field, parentType: type });
      }
      const next = getNamedType(field.type);
      if (isObjectType(next) && !reached.has(next.name) && path.length < 4) {
        reached.add(next.name);
        queue.push({ type: next, path: [...path, { owner: type.name, field, args: field.args }] });
      }
    }
  }
  return targets;
}

// ---------------------------------------------------------------------------------------------------------
// Documents

/** Scalar fields, and object fields two levels down; fields with arguments are left out. */
function selectionOf(type: GraphQLOutputType, depth = 0): string {
  const named = getNamedType(type);
  if (!isObjectType(named)) return '';
  const parts: string[] = ['__typename'];
  for (const f of Object.values(named.getFields())) {
    if (f.args.length > 0) continue;
    const inner = getNamedType(f.type);
    if (isObjectType(inner)) {
      if (depth < 2) parts.push(`${f.name} ${selectionOf(inner, depth + 1)}`);
    } else parts.push(f.name);
  }
  return `{ ${parts.join(' ')} }`;
}

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** A GraphQL literal for a value, typed where the type is known (enums are names), untyped otherwise. */
function literal(value: Json | undefined, type: GraphQLInputType | null): string {
  if (value === null || value === undefined) return 'null';
  const inner = type && isNonNullType(type) ? type.ofType : type;
  if (Array.isArray(value))
    return `[${value.map((v) => literal(v, inner && isListType(inner) ? inner.ofType : null)).join(', ')}]`;
  if (typeof value === 'object') {
    const fields = inner && isInputObjectType(inner) ? inner.getFields() : {};
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${literal(v, fields[k]?.type ?? null)}`)
      .join(', ')} }`;
  }
  if (typeof value === 'string') return inner && isEnumType(inner) && NAME.test(value) ? value : JSON.stringify(value);
  return String(value);
}

interface Request {
  query: string;
  variables: Record<string, Json>;
}

function argBase(target: Target, arg: GraphQLArgument): Json | undefined {
  return baseValue(arg.type, `${target.parentType.name}.${target.field.name}`, arg.name);
}

function buildRequest(target: Target, values: Map<string, Json | undefined>, inline: boolean): Request {
  const variables: Record<string, Json> = {};
  const defs: string[] = [];
  const argText = (
    field: GraphQLField<unknown, unknown>,
    args: readonly GraphQLArgument[],
    vals: Map<string, Json | undefined>,
    asVariables: boolean,
  ): string => {
    const parts: string[] = [];
    for (const a of args) {
      if (!vals.has(a.name)) continue;
      const v = vals.get(a.name);
      if (v === undefined) continue;
      if (asVariables) {
        const name = `${field.name}_${a.name}`;
        defs.push(`$${name}: ${a.type.toString()}`);
        variables[name] = v;
        parts.push(`${a.name}: $${name}`);
      } else parts.push(`${a.name}: ${literal(v, a.type)}`);
    }
    return parts.length > 0 ? `(${parts.join(', ')})` : '';
  };
  let open = '';
  let close = '';
  for (const step of target.path) {
    const vals = new Map<string, Json | undefined>();
    for (const a of step.args)
      if (isNonNullType(a.type)) vals.set(a.name, baseValue(a.type, `${step.owner}.${step.field.name}`, a.name));
    open += `${step.field.name}${argText(step.field, step.args, vals, false)} { `;
    close = ` }${close}`;
  }
  const call =
    `${target.field.name}${argText(target.field, target.field.args, values, !inline)} ` +
    `${selectionOf(target.field.type)}`;
  const head = `${target.kind} Fuzz${defs.length > 0 ? `(${defs.join(', ')})` : ''}`;
  return { query: `${head} { ${open}${call}${close} }`, variables };
}

function setAt(value: Json | undefined, path: Path, replacement: Json | undefined): Json | undefined {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const list = Array.isArray(value) ? [...value] : [];
    const next = setAt(list[head], rest, replacement);
    if (next === undefined) list.splice(head, 1);
    else list[head] = next;
    return list;
  }
  const obj: Record<string, Json> = value && typeof value === 'object' && !Array.isArray(value) ? { ...value } : {};
  const next = setAt(obj[head!], rest, replacement);
  if (next === undefined) delete obj[head!];
  else obj[head!] = next;
  return obj;
}
function getAt(value: Json | undefined, path: Path): Json | undefined {
  let cur: Json | undefined = value;
  for (const p of path) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[p as number] : (cur as Record<string, Json>)[p as string];
  }
  return cur;
}

function mutantsFor(target: Target, leaf: Leaf): Mutant[] {
  const inner = isNonNullType(leaf.type) ? leaf.type.ofType : leaf.type;
  const fieldName = [leaf.arg.name, ...leaf.path].filter((p): p is string => typeof p === 'string').at(-1)!;
  const nullable: Mutant[] = [m('null', null)];
  if (isListType(inner)) return [...nullable, ...listMutants(inner.ofType)];
  if (isInputObjectType(inner)) return [...nullable, ...OBJECTS];
  if (isEnumType(inner)) return [...nullable, ...enumMutants(inner.getValues().map((v) => v.name))];
  switch (inner.name) {
    case 'ID':
      return [...nullable, ...idMutants()];
    case 'Int':
    case 'Float':
      return [...nullable, ...INTS];
    case 'Boolean':
      return [...nullable, ...BOOLEANS];
    case 'DateTime':
      return [...nullable, ...DATES];
    case 'String':
      return fieldName === 'after'
        ? [...nullable, ...cursorMutants(`${target.parentType.name}.${target.field.name}`), ...sample(STRINGS, 6)]
        : [...nullable, ...STRINGS];
    default:
      return [...nullable, ...STRINGS.slice(0, 6), ...INTS.slice(0, 3)];
  }
}

// ---------------------------------------------------------------------------------------------------------
// Sending and judging

interface Finding {
  target: string;
  leaf: string;
  mutant: string;
  principal: Principal;
  pending?: Pending;
  problem: string;
  request: Request;
  log: string[];
}

/** Long strings and lists shortened, so a failure report stays readable. */
function abbreviate(value: unknown): unknown {
  if (typeof value === 'string') return value.length > 120 ? `${value.slice(0, 40)}…<${value.length} chars>` : value;
  if (Array.isArray(value))
    return value.length > 8
      ? [...value.slice(0, 3).map(abbreviate), `…<${value.length} items>`]
      : value.map(abbreviate);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, abbreviate(v)]));
  return value;
}

interface Body {
  data?: unknown;
  errors?: Array<{ message: string; extensions?: { code?: unknown } }>;
}
function parseBody(text: string): Body | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Body) : null;
  } catch {
    return null;
  }
}

/** The server's error log line, short: error class, SQLSTATE and the database's sentence (or the message's end). */
function summarizeLogLine(line: string): string {
  try {
    const entry = JSON.parse(line) as {
      msg?: string;
      error?: { type?: string; sqlState?: string; reason?: string; message?: string };
      err?: { type?: string; message?: string };
    };
    const e = entry.error ?? entry.err;
    const message = e?.message ?? '';
    const tail = message.includes(' - ') ? message.slice(message.lastIndexOf(' - ') + 3) : message.slice(-300);
    return (
      `${entry.msg ?? ''} ${e?.type ?? ''}${entry.error?.sqlState ? ` ${entry.error.sqlState}` : ''}: ` +
      `${entry.error?.reason ?? tail}`
    );
  } catch {
    return line.slice(0, 500);
  }
}

function internalUserErrors(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(internalUserErrors);
  if (!value || typeof value !== 'object') return [];
  const rec = value as Record<string, unknown>;
  const own = rec.code === 'INTERNAL_SERVER_ERROR' ? [String(rec.message)] : [];
  return [...own, ...Object.values(rec).flatMap(internalUserErrors)];
}

const findings: Finding[] = [];
const stats = { requests: 0, byCode: new Map<string, number>() };

/** The code of the first error, or 'ok'. */
async function send(
  target: Target,
  leaf: Leaf | null,
  mutant: Mutant | null,
  principal: Principal,
  request: Request,
): Promise<string> {
  const logStart = inst.logLines.length;
  stats.requests++;
  const res = await fetch(`${inst.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(inst.tokens[principal] ? { authorization: `Bearer ${inst.tokens[principal]}` } : {}),
    },
    body: JSON.stringify({ query: request.query, variables: request.variables }),
  });
  const text = await res.text();
  const body = parseBody(text);
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`HTTP ${res.status}`);
  if (!body || typeof body !== 'object') problems.push(`not JSON: ${text.slice(0, 200)}`);
  for (const e of body?.errors ?? []) {
    const code = String(e.extensions?.code ?? 'NONE');
    stats.byCode.set(code, (stats.byCode.get(code) ?? 0) + 1);
    if (code === 'INTERNAL_SERVER_ERROR') problems.push(`INTERNAL_SERVER_ERROR: ${e.message}`);
  }
  // Errors reported inside a payload (inviteUsers' per-row UserError) count too.
  for (const e of internalUserErrors(body?.data)) problems.push(`INTERNAL_SERVER_ERROR in the payload: ${e}`);
  if (problems.length > 0) {
    const requestId = res.headers.get('x-request-id') ?? '';
    const log = inst.logLines.slice(logStart).filter((l) => !requestId || l.includes(requestId));
    findings.push({
      target: target.name,
      leaf: leaf ? [leaf.arg.name, ...leaf.path].join('.') : '(base)',
      mutant: mutant?.label ?? '(base)',
      principal,
      pending: mutant?.pending,
      problem: problems.join('; '),
      request,
      log: log.map(summarizeLogLine),
    });
  }
  if (target.kind === 'mutation' && body && body.data && !body.errors) await restoreSeed();
  return body?.errors?.length
    ? `${String(body.errors[0]!.extensions?.code)}: ${body.errors[0]!.message.slice(0, 120)}`
    : 'ok';
}

/** Collects an endCursor of a connection target, for its own `after` base and as "a cursor of another connection". */
async function collectCursor(target: Target): Promise<void> {
  const named = getNamedType(target.field.type);
  if (!isObjectType(named) || !named.getFields().pageInfo) return;
  const values = new Map<string, Json | undefined>();
  if (target.field.args.some((a) => a.name === 'first')) values.set('first', 1);
  for (const a of target.field.args) if (isNonNullType(a.type)) values.set(a.name, argBase(target, a));
  const req = buildRequest(target, values, false);
  const res = await gql(
    inst.url,
    req.query.replace(selectionOf(target.field.type), '{ pageInfo { endCursor } }'),
    req.variables,
    inst.tokens.orgAdmin,
  );
  const find = (v: unknown): string | null => {
    if (!v || typeof v !== 'object') return null;
    const rec = v as Record<string, unknown>;
    if (rec.pageInfo && typeof rec.pageInfo === 'object')
      return ((rec.pageInfo as Record<string, unknown>).endCursor as string | null) ?? null;
    for (const child of Object.values(rec)) {
      const c = find(child);
      if (c) return c;
    }
    return null;
  };
  const cursor = find(res.data);
  if (cursor) inst.seed.cursors.set(target.name, cursor);
}

/**
 * Reads first, then creations, then changes and deletions: a mutation that succeeds changes the least for those after
 * it.
 */
function order(t: Target): number {
  if (t.kind === 'query') return 0;
  if (/^(update|delete|remove|deactivate|revoke|leave|logOut)/.test(t.field.name)) return 2;
  return 1;
}

// ---------------------------------------------------------------------------------------------------------

describe('fuzzing every argument', async () => {
  // Generated from the schema the server runs: a new mutation or argument is fuzzed without a change here.
  const schema = await buildRosterSchema();
  const TARGETS = targetsOf(schema).sort((a, b) => order(a) - order(b));
  const started = performance.now();
  beforeAll(async () => {
    await seedInstance();
    for (const t of TARGETS) if (t.kind === 'query') await collectCursor(t);
  });
  afterAll(async () => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const codes = [...stats.byCode.entries()].map(([c, n]) => `${c}=${n}`).join(' ');
    console.log(
      `fuzz: seed ${SEED}, ${TARGETS.length} targets, ${stats.requests} requests in ${seconds} s; error codes: ` +
        `${codes}`,
    );
    await inst?.t.close();
  });

  it('covers every field with arguments: each mutation, and each field of an object type reachable from Query', () => {
    const withArgs = Object.values(schema.getTypeMap())
      .filter(
        (t): t is GraphQLObjectType =>
          isObjectType(t) && !t.name.startsWith('__') && t !== schema.getSubscriptionType(),
      )
      .flatMap((t) =>
        Object.values(t.getFields())
          .filter((f) => f.args.length > 0)
          .map((f) => `${t.name}.${f.name}`),
      );
    expect(TARGETS.map((t) => t.name).sort()).toEqual(withArgs.sort());
  });

  for (const target of TARGETS) {
    const leaves = target.field.args.flatMap(leavesOf);
    it(`${target.name}(${target.field.args.map((a) => a.name).join(', ')}): no internal errors`, async () => {
      const before = findings.length;
      const baseArgs = (): Map<string, Json | undefined> =>
        new Map(target.field.args.map((a) => [a.name, argBase(target, a)]));
      // The base itself, once per principal. The first principal the base works for sends every value
      // (signUp, logIn, acceptInvitation: the anonymous caller), the other two a sample.
      let main: Principal | null = null;
      for (const principal of ['orgAdmin', 'anonymous', 'member'] as const) {
        const outcome = await send(target, null, null, principal, buildRequest(target, baseArgs(), false));
        if (outcome === 'ok') main ??= principal;
        if (process.env.FUZZ_DEBUG) console.log(`base ${target.name} as ${principal}: ${outcome}`);
      }
      const principalsInOrder: Principal[] = [
        main ?? 'orgAdmin',
        ...(['orgAdmin', 'member', 'anonymous'] as const).filter((p) => p !== (main ?? 'orgAdmin')),
      ];
      for (const leaf of leaves) {
        const mutants = mutantsFor(target, leaf);
        const inlineSample = new Set(sample(mutants, 2));
        const otherSample = new Set(sample(mutants, 2));
        for (const mutant of mutants) {
          const principals = otherSample.has(mutant) ? principalsInOrder : principalsInOrder.slice(0, 1);
          for (const principal of principals) {
            const values = baseArgs();
            const argValue = values.get(leaf.arg.name);
            values.set(leaf.arg.name, setAt(argValue, leaf.path, mutant.make(getAt(argValue, leaf.path))));
            const outcome = await send(target, leaf, mutant, principal, buildRequest(target, values, false));
            if (process.env.FUZZ_DEBUG)
              console.log(
                `value ${target.name} ${[leaf.arg.name, ...leaf.path].join('.')} <- ${mutant.label} as ${principal}:` +
                  ` ${outcome}`,
              );
            if (principal === principalsInOrder[0] && inlineSample.has(mutant)) {
              const inlineValues = baseArgs();
              const inlineArg = inlineValues.get(leaf.arg.name);
              inlineValues.set(leaf.arg.name, setAt(inlineArg, leaf.path, mutant.make(getAt(inlineArg, leaf.path))));
              await send(
                target,
                leaf,
                { ...mutant, label: `${mutant.label} (inline literal)` },
                principal,
                buildRequest(target, inlineValues, true),
              );
            }
          }
        }
      }
      const mine = findings.slice(before);
      const report = mine.map(
        (f) =>
          `${f.target} ${f.leaf} <- ${f.mutant} as ` +
          `${f.principal}${f.pending ? ` [waits on central ${f.pending} check]` : ''}\n  ${f.problem}\n  ` +
          `${f.request.query.slice(0, 400)}\n  variables: ${JSON.stringify(abbreviate(f.request.variables))}\n  ` +
          `log: ${f.log.join('\n       ') || '(none)'}`,
      );
      expect(report, 'internal errors found by the fuzzer').toEqual([]);
    });
  }
});
