/**
 * The members export (issue 13, item 4; docs/USAGE.md): GET /organizations/:name/members.csv and .jsonl. Columns and
 * RFC 4180 quoting, formula injection neutralised, emails only for those who see them, the same filters and order as
 * the GraphQL members view, authentication like the API with CSRF refusal for bare cookies, audit and activity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, contextOn, gql, instanceWithAdmin, type Actor, type InstanceWithAdmin } from './fixtures';
import { MemberStatus, OrgRole } from '../src/authz/roles';
import { MemberExportService, type MemberExportRow } from '../src/modules/members/member-export.service';
import { Organization } from '../src/modules/organizations/organization.entity';
import { MemberService } from '../src/modules/members/member.service';

/** RFC 4180: fields separated by commas, records by CRLF, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}

describe('members export', () => {
  let ctx: InstanceWithAdmin;
  let member: Actor;
  let outsider: Actor;
  let otherAdmin: Actor;
  const exec = (sql: string, params: unknown[] = []) =>
    ctx.t.server.db.orm.em.fork().getConnection().execute(sql, params);
  const download = (path: string, headers: Record<string, string> = {}, token: string | null = ctx.admin.token) =>
    fetch(`${ctx.url}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const csvOf = async (path: string, token: string | null = ctx.admin.token) => {
    const res = await download(path, {}, token);
    expect(res.status).toBe(200);
    return parseCsv(await res.text());
  };
  const must = async (query: string, variables: Record<string, unknown> = {}, token = ctx.admin.token) => {
    const res = await gql(ctx.url, query, variables, token);
    if (!res.data || res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data;
  };

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    member = await addMember(ctx.t, ctx.org, 'mia');
    await addMember(ctx.t, ctx.org, 'vic', OrgRole.VIEWER);
    await addMember(ctx.t, ctx.org, 'dee', OrgRole.MEMBER, MemberStatus.DEACTIVATED);
    const evil = await addMember(ctx.t, ctx.org, 'eve');
    await exec('update users set name = ? where id = ?', ['=HYPERLINK("http://evil.example","click")', evil.user.id]);
    const quoted = await addMember(ctx.t, ctx.org, 'quinn');
    await exec('update users set name = ? where id = ?', ['Quinn "Q", Jr.\nsecond line', quoted.user.id]);
    await must('mutation { createTeam(input: { organization: "acme", name: "ml" }) { team { name } } }');
    await must('mutation { createTeam(input: { organization: "acme", name: "ops" }) { team { name } } }');
    for (const [team, role] of [
      ['ml', 'ADMIN'],
      ['ops', 'MEMBER'],
    ])
      await must('mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role } } }', {
        i: { organization: 'acme', team, user: 'mia', role },
      });
    await must('mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { id } } }', {
      i: { organization: 'acme', email: 'pending@example.com', role: 'MEMBER', sendEmail: false },
    }).catch(async () =>
      must('mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { id } } }', {
        i: { organization: 'acme', email: 'pending@example.com', role: 'MEMBER' },
      }),
    );
    await must(
      'mutation { createOrganization(input: { name: "other", displayName: "Other" }) { organization { id } } }',
    );
    outsider = await addMember(ctx.t, null, 'olaf');
    otherAdmin = await addMember(ctx.t, null, 'oscar');
    await exec(
      `insert into org_memberships (id, organization_id, user_id, role, status, created_at, updated_at)
       select gen_random_uuid(), id, ?, 'ADMIN', 'ACTIVE', now(), now() from organizations where name = 'other'`,
      [otherAdmin.user.id],
    );
  });
  afterAll(() => ctx?.t.close());

  it('has the columns, RFC 4180 quoting, a dated file name, and neutralises formulas', async () => {
    const res = await download('/organizations/acme/members.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    const day = new Date().toISOString().slice(0, 10);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="acme-members-${day}.csv"`);
    const text = await res.text();
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([
      'username',
      'name',
      'email',
      'role',
      'status',
      'last active',
      'teams',
      'added at',
      'runs created',
      'reports created',
      'days active',
    ]);
    expect(text).toContain('\r\n');
    const byUser = new Map(rows.map((r) => [r[0], r]));
    expect(byUser.get('eve')![1]).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(byUser.get('quinn')![1]).toBe('Quinn "Q", Jr.\nsecond line');
    expect(text).toContain('"Quinn ""Q"", Jr.\nsecond line"');
    const mia = byUser.get('mia')!;
    expect(mia.slice(2, 5)).toEqual(['mia@example.com', 'MEMBER', 'ACTIVE']);
    expect(mia[6]).toBe('ml:ADMIN;ops:MEMBER');
    expect(mia[7]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(mia.slice(8)).toEqual(['0', '0', '0']);
    const admin = byUser.get('admin')!;
    expect(admin[5]).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    // Admins see deactivated members and pending invitations, as in the members view.
    expect(byUser.get('dee')![4]).toBe('DEACTIVATED');
    const pending = rows.find((r) => r[4] === 'PENDING')!;
    expect(pending[2]).toBe('pending@example.com');
    expect(pending.slice(8)).toEqual(['', '', '']);
  });

  it('writes a BOM on request, and a JSON Lines variant', async () => {
    const bom = await download('/organizations/acme/members.csv?bom=1');
    const bytes = new Uint8Array(await bom.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const jsonl = await download('/organizations/acme/members.jsonl?roles=ADMIN');
    expect(jsonl.headers.get('content-disposition')).toMatch(/acme-members-\d{4}-\d\d-\d\d\.jsonl"$/);
    const lines = (await jsonl.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as MemberExportRow);
    expect(lines.map((l) => l.username)).toEqual(['admin']);
    expect(lines[0]).toMatchObject({ email: 'admin@example.com', role: 'ADMIN', status: 'ACTIVE', runsCreated: 0 });
    // The teams' creator is their admin.
    expect(lines[0]!.teams).toEqual([
      { team: 'ml', role: 'ADMIN' },
      { team: 'ops', role: 'ADMIN' },
    ]);
    const viaFormat = await download('/organizations/acme/members.csv?format=jsonl&roles=ADMIN');
    expect((await viaFormat.text()).trim().split('\n')).toHaveLength(1);
  });

  it('follows the filters and order of the GraphQL members view', async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['', {}],
      ['?orderBy=NAME&direction=DESC', { orderBy: { field: 'NAME', direction: 'DESC' } }],
      ['?orderBy=ROLE', { orderBy: { field: 'ROLE' } }],
      ['?roles=MEMBER,VIEWER&statuses=ACTIVE', { roles: ['MEMBER', 'VIEWER'], statuses: ['ACTIVE'] }],
      ['?roles=MEMBER&roles=ADMIN', { roles: ['MEMBER', 'ADMIN'] }],
      ['?search=qu', { search: 'qu' }],
      ['?teams=ml', { teams: ['ml'] }],
      ['?orderBy=ADDED_AT&direction=DESC', { orderBy: { field: 'ADDED_AT', direction: 'DESC' } }],
    ];
    for (const [query, args] of cases) {
      const data = await must(
        'query($a: [OrgRole!], $s: [MemberStatus!], $t: [String!], $q: String, $o: MemberOrder) { organization(name: ' +
          '"acme") { members(first: 100, roles: $a, statuses: $s, teams: $t, search: $q, orderBy: $o) { nodes { ' +
          'username email } } } }',
        { a: args.roles, s: args.statuses, t: args.teams, q: args.search, o: args.orderBy },
      );
      const expected = data.organization.members.nodes.map(
        (n: { username: string | null; email: string }) => n.username ?? n.email,
      );
      const rows = (await csvOf(`/organizations/acme/members.csv${query}`)).slice(1);
      expect(
        rows.map((r) => r[0] || r[2]),
        query,
      ).toEqual(expected);
    }
  });

  it('refuses bad filters like the GraphQL arguments', async () => {
    for (const query of [
      '?roles=OWNER',
      '?orderBy=SALARY',
      '?direction=UP',
      '?colour=red',
      '?bom=2',
      '?format=xml',
      // Text PostgreSQL cannot store never reaches SQL (the GraphQL path refuses it in input hygiene).
      '?search=a%00b',
      '?teams=vision%00',
    ]) {
      const res = await download(`/organizations/acme/members.csv${query}`);
      expect(res.status, query).toBe(400);
      expect(
        ((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code,
      ).toBe('BAD_USER_INPUT');
    }
  });

  it('hides emails from those who may not see them, and refuses everyone outside', async () => {
    const rows = (await csvOf('/organizations/acme/members.csv', member.token)).slice(1);
    expect(rows.length).toBeGreaterThan(3);
    expect(rows.every((r) => r[2] === '')).toBe(true);
    // A member sees ACTIVE members only, and activity counts for their own row only.
    expect(rows.every((r) => r[4] === 'ACTIVE')).toBe(true);
    // (The download itself may already have counted as a day of activity.)
    expect(rows.find((r) => r[0] === 'mia')!.slice(8, 10)).toEqual(['0', '0']);
    expect(rows.find((r) => r[0] === 'mia')![10]).toMatch(/^[01]$/);
    expect(rows.find((r) => r[0] === 'admin')!.slice(8)).toEqual(['', '', '']);
    for (const token of [outsider.token, otherAdmin.token]) {
      const res = await download('/organizations/acme/members.csv', {}, token);
      expect(res.status).toBe(404);
    }
    expect((await download('/organizations/acme/members.csv', {}, null)).status).toBe(401);
    expect((await download('/organizations/acme/members.csv', {}, 'not-a-token')).status).toBe(401);
    expect((await download('/organizations/nope/members.csv')).status).toBe(404);
  });

  it('takes the session cookie only with X-Roster-Client or from this origin (CSRF)', async () => {
    const cookie = { cookie: `roster_session=${ctx.admin.token}` };
    const bare = await download('/organizations/acme/members.csv', cookie, null);
    expect(bare.status).toBe(403);
    expect(
      ((await bare.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code,
    ).toBe('CSRF_REFUSED');
    const crossSite = await download(
      '/organizations/acme/members.csv',
      { ...cookie, 'sec-fetch-site': 'cross-site' },
      null,
    );
    expect(crossSite.status).toBe(403);
    expect(
      (await download('/organizations/acme/members.csv', { ...cookie, 'x-roster-client': 'web' }, null)).status,
    ).toBe(200);
    expect(
      (await download('/organizations/acme/members.csv', { ...cookie, 'sec-fetch-site': 'same-origin' }, null)).status,
    ).toBe(200);
  });

  it('is an audit event and counts as activity', async () => {
    const downloader = await addMember(ctx.t, ctx.org, 'dora');
    const res = await download('/organizations/acme/members.csv?roles=ADMIN', {}, downloader.token);
    expect(res.status).toBe(200);
    await res.text();
    await ctx.t.server.activity.flush();
    const events = (await exec(
      `select action, metadata from audit_events where actor_id = ? and action = 'member.exported'`,
      [downloader.user.id],
    )) as Array<{ action: string; metadata: { format: string; filters: { roles: string[] } } }>;
    expect(events).toHaveLength(1);
    expect(events[0]!.metadata.format).toBe('csv');
    expect(events[0]!.metadata.filters.roles).toEqual(['ADMIN']);
    const days = await exec('select day from daily_activity where user_id = ?', [downloader.user.id]);
    expect(days).toHaveLength(1);
  });

  it('reads in keyset batches that together are the whole view, in order', async () => {
    const em = ctx.t.server.db.orm.em.fork();
    const org = await em.findOneOrFail(Organization, { name: 'acme' });
    const svc = new MemberExportService(contextOn(ctx.t.server.db.orm, ctx.t.server, ctx.admin.user));
    const batches: string[][] = [];
    for await (const batch of svc.batches(org, {}, 3)) batches.push(batch.map((r) => r.username ?? r.email ?? ''));
    expect(batches.slice(0, -1).every((b) => b.length === 3)).toBe(true);
    const rows = (await csvOf('/organizations/acme/members.csv')).slice(1);
    expect(batches.flat()).toEqual(rows.map((r) => r[0] || r[2]));
    // A range read two rows per statement (as when a range grew past its limit) reads on to its end.
    const members = new MemberService(contextOn(ctx.t.server.db.orm, ctx.t.server, ctx.admin.user));
    const all = await members.exportRange(org, {}, null, null, 2);
    expect(all.map((r) => r.username ?? r.email ?? '')).toEqual(batches.flat());
  });
});
