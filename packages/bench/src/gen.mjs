// Data generator: recreates the bench database, bootstraps Roster through its GraphQL API (first sign-up, one
// organization per size, one team each), then bulk-inserts members with set-based SQL (generate_series).
import { ADMIN, BENCH_URL, PASSWORD, gql, recreateDatabase, startServer, withClient } from './lib.mjs';

export const SIZES = { '1k': 1_000, '10k': 10_000, '100k': 100_000 };
export const orgName = (label) => `bench-${label}`;
export const TEAMS = 200;
export const TEAMS_PER_MEMBER = 3;
export const DAYS = 90;

const FIRST = ['Ada', 'Bruno', 'Chen', 'Dana', 'Emil', 'Fatima', 'Gus', 'Hana', 'Ivan', 'Jun', 'Kofi', 'Lena', 'Mia'];
const LAST = ['Abbott', 'Bauer', 'Costa', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Horvat', 'Ito', 'Jensen', 'Khan'];

/** Bulk rows of one organization: `size` ACTIVE members (the admin included) and size/20 PENDING invitations. */
async function fillOrganization(c, { orgId, adminId, label, size }) {
  const started = Date.now();
  const users = size - 1;
  const pending = Math.round(size / 20);
  const { rows } = await c.query('select password_hash from users where id = $1', [adminId]);
  const hash = rows[0].password_hash;
  await c.query('begin');
  await c.query(
    'create temp table gu on commit drop as select g, gen_random_uuid() as id from generate_series(1, $1) g',
    [users],
  );
  // 10% never active; the others last active 1..60 days ago at some second of that day.
  await c.query(
    `insert into users (id, email, username, name, password_hash, default_organization_id, created_at, last_active_at)
     select id, 'u' || $1 || '-' || g || '@bench.test', 'u' || $1 || '-' || g,
       ($2::text[])[1 + ((g::bigint * 7919) % array_length($2::text[], 1))::int] || ' ' ||
       ($3::text[])[1 + ((g::bigint * 104729) % array_length($3::text[], 1))::int] || ' ' || g,
       $4, $5, now() - interval '120 days',
       case when g % 10 = 0 then null
         else (current_date - 1 - (g * 37) % 60)::timestamptz + make_interval(secs => (g * 13) % 86400) end
     from gu`,
    [label, FIRST, LAST, hash, orgId],
  );
  // Roles: 2% ADMIN, 18% VIEWER, the rest MEMBER.
  await c.query(
    `insert into org_memberships (id, organization_id, user_id, role, status, created_at, updated_at)
     select gen_random_uuid(), $1, id,
       case when g % 50 = 0 then 'ADMIN' when g % 50 < 10 then 'VIEWER' else 'MEMBER' end, 'ACTIVE',
       now() - interval '120 days' + make_interval(secs => g), now()
     from gu`,
    [orgId],
  );
  // Teams 2..200, copying storage and settings from the team created through the API.
  await c.query(
    `insert into teams (id, organization_id, name, storage, settings, created_by_id, created_at)
     select gen_random_uuid(), t.organization_id, 'team-' || lpad(g::text, 3, '0'), t.storage, t.settings, $2, now()
     from teams t, generate_series(2, $3) g where t.organization_id = $1`,
    [orgId, adminId, TEAMS],
  );
  await c.query(
    `create temp table tt on commit drop as
     select row_number() over (order by name) - 1 as idx, id from teams where organization_id = $1`,
    [orgId],
  );
  // Three distinct teams per member: indexes g, g + 67 and g + 134 (mod 200).
  await c.query(
    `insert into team_memberships (id, team_id, user_id, role, created_at)
     select gen_random_uuid(), tt.id, gu.id, 'MEMBER', now()
     from gu cross join generate_series(0, $1 - 1) k join tt on tt.idx = (gu.g + k * 67) % $2`,
    [TEAMS_PER_MEMBER, TEAMS],
  );
  // Daily activity over 90 days: every third day from the last active day back.
  await c.query(
    `insert into daily_activity (user_id, organization_id, day)
     select gu.id, $1, current_date - 1 - (gu.g * 37) % 60 - d
     from gu cross join generate_series(0, $2 - 1, 3) d
     where gu.g % 10 <> 0 and (gu.g * 37) % 60 + d < $2`,
    [orgId, DAYS],
  );
  // PENDING rows: an invitation (no teams) and its membership row.
  await c.query(
    `create temp table gi on commit drop as select g, gen_random_uuid() as id from generate_series(1, $1) g`,
    [pending],
  );
  await c.query(
    `insert into invitations (id, organization_id, email, role, teams, token_hash, status, expires_at,
       invited_by_id, invited_by_label, created_at)
     select id, $1, 'invitee-' || $2 || '-' || g || '@bench.test', 'MEMBER', '[]',
       encode(sha256(convert_to(id::text, 'UTF8')), 'hex'), 'PENDING', now() + interval '30 days',
       $3, $4, now() - make_interval(secs => g)
     from gi`,
    [orgId, label, adminId, ADMIN.username],
  );
  await c.query(
    `insert into org_memberships (id, organization_id, user_id, invitation_id, role, status, created_at, updated_at)
     select gen_random_uuid(), $1, null, id, 'MEMBER', 'PENDING', now() - make_interval(secs => g), now() from gi`,
    [orgId],
  );
  await c.query('commit');
  return { users, pending, ms: Date.now() - started };
}

/** Recreates the database and builds one organization per label; returns what it built. */
export async function generate(labels, log = console.log) {
  await recreateDatabase();
  const server = await startServer({ port: 4519 });
  const built = [];
  try {
    const signUp = await gql(
      server.url,
      `mutation($input: SignUpInput!) { signUp(input: $input) { token user { id } } }`,
      { input: { ...ADMIN, password: PASSWORD, organizationName: orgName(labels[0]) } },
    );
    const token = signUp.json.data.signUp.token;
    const adminId = signUp.json.data.signUp.user.id;
    for (const [n, label] of labels.entries()) {
      if (n > 0) {
        await gql(
          server.url,
          `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }`,
          { input: { name: orgName(label) } },
          { token },
        );
      }
      await gql(
        server.url,
        `mutation($input: CreateTeamInput!) { createTeam(input: $input) { team { id } } }`,
        { input: { organization: orgName(label), name: 'team-001' } },
        { token },
      );
    }
    await server.stop();
    await withClient(BENCH_URL, async (c) => {
      for (const label of labels) {
        const org = await c.query('select id from organizations where name = $1', [orgName(label)]);
        const result = await fillOrganization(c, { orgId: org.rows[0].id, adminId, label, size: SIZES[label] });
        log(`generated ${orgName(label)}: ${result.users + 1} active, ${result.pending} pending in ${result.ms} ms`);
        built.push({ label, ...result });
      }
      const t = Date.now();
      await c.query('vacuum analyze');
      log(`vacuum analyze: ${Date.now() - t} ms`);
    });
  } finally {
    await server.stop();
  }
  return built;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const labels = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SIZES);
  await generate(labels);
}
