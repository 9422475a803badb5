/**
 * Attribution (issue 11, item 6): a service account's request that names a person in X-Roster-Acting-User records
 * runs, reports and projects as theirs (createdBy) and as logged by the account (loggedBy), only for an ACTIVE
 * member of the team whose role may do it; otherwise ATTRIBUTION_FAILED and nothing is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, codeOf, gql, instanceWithAdmin, type Actor, type InstanceWithAdmin } from './fixtures';
import { MemberStatus, OrgRole } from '../src/authz/roles';

const LOG_RUN =
  'mutation { logRun(input: { organization: "acme", team: "ml", project: "train" }) { run { id createdBy { ' +
  'username } createdByUsername loggedBy { name } loggedByName } } }';
const CREATE_REPORT =
  'mutation { createReport(input: { organization: "acme", team: "ml", title: "weekly" }) { report { createdBy { ' +
  'username } loggedByName } } }';
const CREATE_PROJECT =
  'mutation($i: CreateProjectInput!) { createProject(input: $i) { project { createdBy { username } loggedByName } } }';

describe('attribution', () => {
  let ctx: InstanceWithAdmin;
  let member: Actor;
  let secret: string;
  const root = () => ctx.admin.token;
  const as = (actingUser: string | null, query = LOG_RUN, variables: Record<string, unknown> = {}) =>
    gql(ctx.url, query, variables, secret, actingUser === null ? {} : { 'x-roster-acting-user': actingUser });
  const runCount = async (): Promise<number> => {
    const rows: Array<{ n: string }> = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute('select count(*)::int as n from runs');
    return Number(rows[0]!.n);
  };
  const must = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await gql(ctx.url, query, variables, root());
    if (!res.data || res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data;
  };
  const addToTeam = (user: string, role: string) =>
    must('mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role } } }', {
      i: { organization: 'acme', team: 'ml', user, role },
    });

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    member = await addMember(ctx.t, ctx.org, 'tim');
    await addMember(ctx.t, ctx.org, 'vera');
    await addMember(ctx.t, ctx.org, 'olga');
    await addMember(ctx.t, ctx.org, 'dora');
    await addMember(ctx.t, ctx.org, 'ozzy', OrgRole.ADMIN);
    await must('mutation { createTeam(input: { organization: "acme", name: "ml" }) { team { name } } }');
    await addToTeam('tim', 'MEMBER');
    await addToTeam('vera', 'VIEW_ONLY');
    await addToTeam('dora', 'MEMBER');
    await must('mutation { deactivateMember(input: { organization: "acme", user: "dora" }) { member { status } } }');
    await must(CREATE_PROJECT, { i: { organization: 'acme', team: 'ml', name: 'train' } });
    const sa = await must(
      'mutation { createServiceAccount(input: { organization: "acme", team: "ml", name: "ci" }) { serviceAccount { ' +
        'id } } }',
    );
    const key = await must(
      'mutation($i: CreateServiceAccountKeyInput!) { createServiceAccountKey(input: $i) { secret } }',
      { i: { serviceAccount: sa.createServiceAccount.serviceAccount.id, name: 'ci' } },
    );
    secret = key.createServiceAccountKey.secret;
  });
  afterAll(() => ctx?.t.close());

  it('records the named team member as author and the service account as logger', async () => {
    const res = await as('tim');
    expect(res.errors).toBeUndefined();
    expect(res.data!.logRun.run).toMatchObject({
      createdBy: { username: 'tim' },
      createdByUsername: 'tim',
      loggedBy: { name: 'ci' },
      loggedByName: 'ci',
    });
    // By email too, in any case, with spaces around.
    expect((await as('  TIM@example.com ')).data!.logRun.run.createdBy).toEqual({ username: 'tim' });
    // Reports and projects the same way.
    expect((await as('tim', CREATE_REPORT)).data!.createReport.report).toEqual({
      createdBy: { username: 'tim' },
      loggedByName: 'ci',
    });
    const project = await as('tim', CREATE_PROJECT, { i: { organization: 'acme', team: 'ml', name: 'tims' } });
    expect(project.data!.createProject.project).toEqual({ createdBy: { username: 'tim' }, loggedByName: 'ci' });
  });

  it('the attributed person owns the run: they may delete it as their own', async () => {
    const run = (await as('tim')).data!.logRun.run;
    const del = await gql(
      ctx.url,
      'mutation($i: DeleteRunInput!) { deleteRun(input: $i) { deletedRunId } }',
      { i: { id: run.id } },
      member.token,
    );
    expect(del.errors).toBeUndefined();
  });

  it('fails with ATTRIBUTION_FAILED, naming user and team, and writes nothing, for anyone else', async () => {
    for (const [who, why] of [
      ['olga', 'an organization member outside the team'],
      ['vera', 'a VIEW_ONLY team member (may not log runs)'],
      ['dora', 'a deactivated organization member still on the team'],
      ['ozzy', 'an organization admin outside the team'],
      ['nobody', 'an unknown user (answered like the others: no account probing)'],
      ['x'.repeat(300), 'an over-long value'],
    ] as const) {
      const before = await runCount();
      const res = await as(who);
      expect(codeOf(res), why).toBe('ATTRIBUTION_FAILED');
      expect(res.errors![0]!.message, why).toContain(`"${who}"`);
      expect(res.errors![0]!.message, why).toContain('team "ml"');
      expect(res.errors![0]!.extensions, why).toMatchObject({ actingUser: who, team: 'ml' });
      expect(await runCount(), why).toBe(before);
    }
    expect(codeOf(await as('olga', CREATE_REPORT))).toBe('ATTRIBUTION_FAILED');
  });

  it('without the header the service account is the author; for people the header is ignored', async () => {
    expect((await as(null)).data!.logRun.run).toMatchObject({
      createdBy: null,
      createdByUsername: 'ci',
      loggedByName: 'ci',
    });
    const personal = await gql(ctx.url, LOG_RUN, {}, member.token, { 'x-roster-acting-user': 'olga' });
    expect(personal.data!.logRun.run).toMatchObject({ createdBy: { username: 'tim' }, loggedBy: null });
  });

  it('a removal racing an attributed run: each is attributed to a member or refused, never an error', async () => {
    await addMember(ctx.t, ctx.org, 'rita', OrgRole.MEMBER, MemberStatus.ACTIVE);
    for (let i = 0; i < 4; i++) {
      await addToTeam('rita', 'MEMBER');
      const [run, removal] = await Promise.all([
        as('rita'),
        gql(
          ctx.url,
          'mutation { removeTeamMember(input: { organization: "acme", team: "ml", user: "rita" }) { ' +
            'user { username } } }',
          {},
          root(),
        ),
      ]);
      expect(removal.errors).toBeUndefined();
      const outcome = codeOf(run) ?? 'ok';
      expect(['ok', 'ATTRIBUTION_FAILED']).toContain(outcome);
      if (outcome === 'ok') expect(run.data!.logRun.run.createdBy).toEqual({ username: 'rita' });
    }
    // Once removed, never again.
    expect(codeOf(await as('rita'))).toBe('ATTRIBUTION_FAILED');
  });
});
