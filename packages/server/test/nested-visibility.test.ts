/**
 * Visibility of nested fields (docs/AUTHZ.md): nothing of organization A reaches a caller of organization B
 * through nested paths — a user who belongs to both (defaultOrganization, memberships, lastActiveAt), a team's
 * members, an invitation, the audit log, the authors of projects, runs and reports, or a mutation payload —
 * while members of A still see it. Each case asserts the exact answer (null, filtered, NOT_FOUND).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ref } from '@mikro-orm/core';
import { buildSchema, getNamedType, isObjectType, type GraphQLObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  instanceWithAdmin,
  addMember,
  gql,
  codeOf,
  countStatements,
  inviteByLink,
  type InstanceWithAdmin,
  type Actor,
  outcomeOf,
} from './fixtures';
import { User } from '../src/modules/accounts/user.entity';
import { Organization } from '../src/modules/organizations/organization.entity';
import { Membership } from '../src/modules/organizations/membership.entity';
import { MemberStatus, OrgRole } from '../src/authz/roles';

/** Everything a user object can lead to. */
const USER_FIELDS = `username lastActiveAt
  defaultOrganization { name displayName seatLimit seats { limit used available } settings { membersCanCreateTeams } }
  memberships { nodes { role status organization { name } } }`;

const VIA_MEMBERS =
  `query($o: String!) { organization(name: $o) { members(first: 100) { nodes { username ` +
  `invitation { id } user { ${USER_FIELDS} } } } } }`;
const VIA_TEAM =
  `query($o: String!, $t: String!) { team(organization: $o, name: $t) { name organization { name } ` +
  `settings { hidden } members(first: 100) { nodes { user { ${USER_FIELDS} } } } } }`;
const WORK =
  `{ team(organization: "beta", name: "bteam") {
  projects(first: 5) { nodes { name createdByUsername createdBy { ${USER_FIELDS} } runs(first: 5) { nodes { ` +
  `createdByUsername createdBy { ${USER_FIELDS} } } } } }
  reports(first: 5) { nodes { title createdByUsername createdBy { ${USER_FIELDS} } } }
} }`;
const ME = `{ viewer { user { ${USER_FIELDS} } } }`;

interface UserSeen {
  username: string;
  lastActiveAt: string | null;
  defaultOrganization: {
    name: string;
    seatLimit: number | null;
    seats: { limit: number | null; used: number; available: number | null };
    settings: { membersCanCreateTeams: boolean };
  } | null;
  memberships: { nodes: Array<{ role: string; status: string; organization: { name: string } }> };
}

/** What a caller of B sees of someone whose other organization is A: who they are, nothing of A. */
const seenFromB = (username: string, lastActiveAt: 'set' | null) => ({
  username,
  lastActiveAt: lastActiveAt === 'set' ? expect.any(String) : null,
  defaultOrganization: null,
  memberships: { nodes: [] },
});

describe('visibility of nested fields across organizations', () => {
  let ctx: InstanceWithAdmin;
  const root = () => ctx.admin.token;
  /** Organization A is "acme" (the fixture's), B is "beta". */
  let aAdmin: Actor;
  let aMember: Actor;
  let bAdmin: Actor;
  let bMember: Actor;
  let bViewer: Actor;
  let bTeamAdmin: Actor;
  let dual: Actor;
  let leaver: Actor;
  let quitter: Actor;
  let betaOrg: Organization;

  async function must(query: string, variables: Record<string, unknown> = {}, token = root()) {
    const res = await gql(ctx.url, query, variables, token);
    if (!res.data || res.errors) throw new Error(`setup failed: ${query.slice(0, 80)} ${JSON.stringify(res.errors)}`);
    return res.data;
  }

  /** Adds a membership of another organization to an existing user, directly (like the addMember fixture). */
  async function join(org: Organization, actor: Actor, role: OrgRole): Promise<void> {
    const em = ctx.t.server.db.orm.em.fork();
    em.create(Membership, {
      organization: ref(em.getReference(Organization, org.id)),
      user: ref(em.getReference(User, actor.user.id)),
      role,
      status: MemberStatus.ACTIVE,
    });
    await em.flush();
  }

  async function setUser(actor: Actor, values: { defaultOrganization?: string; lastActiveAt?: Date }): Promise<void> {
    const em = ctx.t.server.db.orm.em.fork();
    const user = await em.findOneOrFail(User, { id: actor.user.id });
    if (values.defaultOrganization)
      user.defaultOrganization = ref(em.getReference(Organization, values.defaultOrganization));
    if (values.lastActiveAt) user.lastActiveAt = values.lastActiveAt;
    await em.flush();
  }

  const addToTeam = (organization: string, team: string, user: string, role: string) =>
    must('mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role } } }', {
      i: { organization, team, user, role },
    });

  const q = (query: string, variables: Record<string, unknown>, actor: Actor) =>
    gql(ctx.url, query, variables, actor.token);

  function userIn(nodes: Array<{ user: UserSeen | null; username?: string | null }>, username: string): UserSeen {
    const node = nodes.find((n) => n.user?.username === username);
    if (!node?.user) throw new Error(`${username} not in the list`);
    return node.user;
  }

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    await must(
      'mutation { updateOrganization(input: { organization: "acme", seatLimit: 50, settings: { ' +
        'membersCanCreateTeams: true } }) { organization { name } } }',
    );
    await must('mutation { createOrganization(input: { name: "beta" }) { organization { name } } }');
    betaOrg = await ctx.t.server.db.orm.em.fork().findOneOrFail(Organization, { name: 'beta' });

    aAdmin = await addMember(ctx.t, ctx.org, 'aadm', OrgRole.ADMIN);
    aMember = await addMember(ctx.t, ctx.org, 'amem', OrgRole.MEMBER);
    bAdmin = await addMember(ctx.t, betaOrg, 'badm', OrgRole.ADMIN);
    bMember = await addMember(ctx.t, betaOrg, 'bmem', OrgRole.MEMBER);
    bViewer = await addMember(ctx.t, betaOrg, 'bview', OrgRole.VIEWER);
    bTeamAdmin = await addMember(ctx.t, betaOrg, 'btad', OrgRole.MEMBER);
    quitter = await addMember(ctx.t, betaOrg, 'bquit', OrgRole.MEMBER);
    // In both organizations, A by default.
    dual = await addMember(ctx.t, ctx.org, 'dual', OrgRole.MEMBER);
    await join(betaOrg, dual, OrgRole.MEMBER);
    await setUser(dual, { defaultOrganization: ctx.org.id, lastActiveAt: new Date('2026-11-01T10:00:00Z') });
    // Was in B (authored work there), now only in A.
    leaver = await addMember(ctx.t, ctx.org, 'leaver', OrgRole.MEMBER);
    await join(betaOrg, leaver, OrgRole.MEMBER);
    await setUser(leaver, { defaultOrganization: ctx.org.id, lastActiveAt: new Date('2026-11-02T10:00:00Z') });

    await must(
      'mutation { createTeam(input: { organization: "acme", name: "alpha", settings: { hidden: true } }) { team { ' +
        'name } } }',
    );
    await addToTeam('acme', 'alpha', 'dual', 'MEMBER');
    await must('mutation { createTeam(input: { organization: "beta", name: "bteam" }) { team { name } } }');
    for (const [user, role] of [
      ['btad', 'ADMIN'],
      ['bmem', 'MEMBER'],
      ['bview', 'VIEW_ONLY'],
      ['dual', 'MEMBER'],
      ['leaver', 'MEMBER'],
    ] as const)
      await addToTeam('beta', 'bteam', user, role);

    await must(
      'mutation { createProject(input: { organization: "beta", team: "bteam", name: "leaver-proj", visibility: ' +
        'PUBLIC }) { project { name } } }',
      {},
      leaver.token,
    );
    await must(
      'mutation { logRun(input: { organization: "beta", team: "bteam", project: "leaver-proj", name: "leaver-run" ' +
        '}) { run { id } } }',
      {},
      leaver.token,
    );
    await must(
      'mutation { logRun(input: { organization: "beta", team: "bteam", project: "leaver-proj", name: "dual-run" }) ' +
        '{ run { id } } }',
      {},
      dual.token,
    );
    await must(
      'mutation { createReport(input: { organization: "beta", team: "bteam", title: "Leaver report", project: ' +
        '"leaver-proj" }) { report { id } } }',
      {},
      leaver.token,
    );
    await must(
      'mutation { removeMember(input: { organization: "beta", user: "leaver" }) { user { username } } }',
      {},
      bAdmin.token,
    );
    // Something that happens only in A's audit log, about the shared user.
    await must(
      'mutation { updateMemberRole(input: { organization: "acme", user: "dual", role: VIEWER }) { member { role } } }',
      {},
      aAdmin.token,
    );
    await must(
      'mutation { updateMemberRole(input: { organization: "acme", user: "dual", role: MEMBER }) { member { role } } }',
      {},
      aAdmin.token,
    );
  });
  afterAll(() => ctx?.t.close());

  const bCallers = () =>
    [
      ['B member', bMember],
      ['B viewer', bViewer],
      ['B team admin', bTeamAdmin],
    ] as const;

  it(
    "User.defaultOrganization, memberships and lastActiveAt through B's members view: nothing of A for B; A's " +
      'members see A',
    async () => {
      for (const [who, caller] of bCallers()) {
        const res = await q(VIA_MEMBERS, { o: 'beta' }, caller);
        expect(res.errors, who).toBeUndefined();
        // dual shares B with the caller: who they are and when they were last active, but not their A default nor any
        // membership.
        expect(userIn(res.data!.organization.members.nodes, 'dual'), who).toEqual(seenFromB('dual', 'set'));
      }
      // B's admin too (the memberships list is the user's own business).
      expect(userIn((await q(VIA_MEMBERS, { o: 'beta' }, bAdmin)).data!.organization.members.nodes, 'dual')).toEqual(
        seenFromB('dual', 'set'),
      );

      // A member of A reaches the same user through A: A is visible, whole.
      const fromA = await q(VIA_MEMBERS, { o: 'acme' }, aMember);
      expect(fromA.errors).toBeUndefined();
      expect(userIn(fromA.data!.organization.members.nodes, 'dual')).toMatchObject({
        username: 'dual',
        lastActiveAt: expect.any(String),
        defaultOrganization: {
          name: 'acme',
          seatLimit: 50,
          seats: { limit: 50, used: expect.any(Number) },
          settings: { membersCanCreateTeams: true },
        },
        memberships: { nodes: [] },
      });

      // The user themselves and instance admins see every membership.
      const self = await q(ME, {}, dual);
      expect(self.data!.viewer.user.defaultOrganization).toMatchObject({ name: 'acme', seatLimit: 50 });
      expect(
        self
          .data!.viewer.user.memberships.nodes.map((m: { organization: { name: string } }) => m.organization.name)
          .sort(),
      ).toEqual(['acme', 'beta']);
      const admin = await gql(ctx.url, VIA_MEMBERS, { o: 'beta' }, root());
      const seenByInstanceAdmin = userIn(admin.data!.organization.members.nodes, 'dual');
      expect(seenByInstanceAdmin.defaultOrganization).toMatchObject({ name: 'acme' });
      expect(seenByInstanceAdmin.memberships.nodes.map((m) => m.organization.name).sort()).toEqual(['acme', 'beta']);
    },
  );

  it(
    "Team → members → user: nothing of A for B's member, " + "viewer and team admin; A's team is NOT_FOUND to them",
    async () => {
      for (const [who, caller] of bCallers()) {
        const res = await q(VIA_TEAM, { o: 'beta', t: 'bteam' }, caller);
        expect(res.errors, who).toBeUndefined();
        expect(res.data!.team.organization, who).toEqual({ name: 'beta' });
        expect(userIn(res.data!.team.members.nodes, 'dual'), who).toEqual(seenFromB('dual', 'set'));
        const other = await q(VIA_TEAM, { o: 'acme', t: 'alpha' }, caller);
        expect(outcomeOf(other), who).toBe('absent');
        expect(other.data?.team ?? null, who).toBeNull();
      }
      // dual, inside A's hidden team, sees A through it.
      const inside = await q(VIA_TEAM, { o: 'acme', t: 'alpha' }, dual);
      expect(inside.errors).toBeUndefined();
      expect(inside.data!.team.organization).toEqual({ name: 'acme' });
      expect(userIn(inside.data!.team.members.nodes, 'dual').defaultOrganization).toMatchObject({ name: 'acme' });
    },
  );

  it(
    'Project, run and report authors: attribution stays, ' + 'details of an author who left B (now only in A) do not',
    async () => {
      for (const [who, caller] of bCallers()) {
        const res = await q(WORK, {}, caller);
        expect(res.errors, who).toBeUndefined();
        const project = res.data!.team.projects.nodes.find((p: { name: string }) => p.name === 'leaver-proj');
        expect(project.createdByUsername, who).toBe('leaver');
        expect(project.createdBy, who).toEqual(seenFromB('leaver', null));
        const runs = project.runs.nodes as Array<{ createdByUsername: string; createdBy: UserSeen }>;
        expect(runs.find((r) => r.createdByUsername === 'leaver')!.createdBy, who).toEqual(seenFromB('leaver', null));
        expect(runs.find((r) => r.createdByUsername === 'dual')!.createdBy, who).toEqual(seenFromB('dual', 'set'));
        const report = res.data!.team.reports.nodes.find((r: { title: string }) => r.title === 'Leaver report');
        expect(report.createdBy, who).toEqual(seenFromB('leaver', null));
      }
      // A's member sees the same account, with A.
      const fromA = await q(VIA_MEMBERS, { o: 'acme' }, aMember);
      expect(userIn(fromA.data!.organization.members.nodes, 'leaver')).toMatchObject({
        lastActiveAt: expect.any(String),
        defaultOrganization: { name: 'acme' },
      });
    },
  );

  it("invitations: the public preview reveals only the accept page facts; A's invitations never reach B", async () => {
    const { token } = await inviteByLink(ctx.url, root(), 'acme', 'newbie@example.com', 'MEMBER');
    const PREVIEW =
      'query($t: String!) { invitationPreview(token: $t) { email organizationName organizationDisplayName role ' +
      'invitedBy expiresAt accountExists } }';
    for (const caller of [undefined, bMember.token]) {
      const res = await gql(ctx.url, PREVIEW, { t: token }, caller);
      expect(res.errors).toBeUndefined();
      expect(res.data!.invitationPreview).toEqual({
        email: 'newbie@example.com',
        organizationName: 'acme',
        organizationDisplayName: 'acme',
        role: 'MEMBER',
        invitedBy: 'admin',
        expiresAt: expect.any(String),
        accountExists: false,
      });
    }
    // No object hangs off a preview, an invitation or an audit event: nothing to walk into from there.
    const sdl = buildSchema(fs.readFileSync(path.resolve(__dirname, '../../schema/schema.graphql'), 'utf8'));
    for (const typeName of ['InvitationPreview', 'Invitation', 'AuditEvent', 'AuditActor', 'AuditTarget']) {
      const type = sdl.getType(typeName) as GraphQLObjectType;
      const nested = Object.values(type.getFields()).filter(
        (f) =>
          isObjectType(getNamedType(f.type)) &&
          !['EmailDelivery', 'TeamAssignment', 'AuditActor', 'AuditTarget'].includes(getNamedType(f.type).name),
      );
      expect(nested.map((f) => `${typeName}.${f.name}`)).toEqual([]);
    }
    const walk = await gql(
      ctx.url,
      'query($t: String!) { invitationPreview(token: $t) { organization { seats { used } } } }',
      { t: token },
    );
    expect(walk.data).toBeUndefined();
    expect(walk.errors).toBeDefined();

    // B's admin: A's invitations are NOT_FOUND, B's list does not hold them; B's others may not list invitations at
    // all.
    expect(outcomeOf(await q('{ organization(name: "acme") { invitations { nodes { email } } } }', {}, bAdmin))).toBe(
      'absent',
    );
    const bInvites = await q(
      '{ organization(name: "beta") { invitations(first: 100) { nodes { email } } } }',
      {},
      bAdmin,
    );
    expect(bInvites.data!.organization.invitations.nodes).toEqual([]);
    for (const [who, caller] of bCallers()) {
      expect(codeOf(await q('{ organization(name: "beta") { invitations { totalCount } } }', {}, caller)), who).toBe(
        'FORBIDDEN',
      );
      expect(outcomeOf(await q('{ organization(name: "acme") { invitations { totalCount } } }', {}, caller)), who).toBe(
        'absent',
      );
    }
    // A's admin sees it, with the teams it adds (names only) and who invited (a username).
    const aInvites = await q(
      '{ organization(name: "acme") { invitations(first: 100) { nodes { email invitedBy teams { team } } } } }',
      {},
      aAdmin,
    );
    expect(aInvites.data!.organization.invitations.nodes).toContainEqual({
      email: 'newbie@example.com',
      invitedBy: 'admin',
      teams: [],
    });
    // A's plain member sees neither the pending row nor its invitation.
    const aRows = (await q(VIA_MEMBERS, { o: 'acme' }, aMember)).data!.organization.members.nodes as Array<{
      username: string | null;
      invitation: unknown;
    }>;
    expect(aRows.every((n) => n.username !== null && n.invitation === null)).toBe(true);
  });

  it("audit log: B's log holds only B's events (actors are labels, not users); A's log is NOT_FOUND to B", async () => {
    const logQuery = (o: string) =>
      `{ organization(name: "${o}") { auditLog(first: 100) { nodes { action actor { type id label } target { type ` +
      `label } } } } }`;
    const bLog = await q(logQuery('beta'), {}, bAdmin);
    expect(bLog.errors).toBeUndefined();
    const bEvents = bLog.data!.organization.auditLog.nodes as Array<{
      action: string;
      actor: { label: string | null };
      target: { label: string | null } | null;
    }>;
    expect(bEvents.length).toBeGreaterThan(0);
    // dual's role changes and A's team happened in A only.
    expect(
      bEvents.filter(
        (e) =>
          e.action === 'MEMBER_ROLE_CHANGED' || e.target?.label === 'alpha' || e.target?.label === 'newbie@example.com',
      ),
    ).toEqual([]);
    expect(bEvents).toContainEqual({
      action: 'MEMBER_REMOVED',
      actor: { type: 'user', id: bAdmin.user.id, label: 'badm' },
      target: { type: 'user', label: 'leaver' },
    });
    expect(outcomeOf(await q(logQuery('acme'), {}, bAdmin))).toBe('absent');
    for (const [who, caller] of bCallers()) {
      expect(codeOf(await q(logQuery('beta'), {}, caller)), who).toBe('FORBIDDEN');
      expect(outcomeOf(await q(logQuery('acme'), {}, caller)), who).toBe('absent');
    }
    // A's admin sees A's events about the shared user.
    const aLog = (await q(logQuery('acme'), {}, aAdmin)).data!.organization.auditLog.nodes as Array<{
      action: string;
      target: { label: string | null } | null;
    }>;
    expect(aLog.filter((e) => e.action === 'MEMBER_ROLE_CHANGED' && e.target?.label === 'dual')).toHaveLength(2);
  });

  it(
    'payloads answer with the access the caller had when ' + 'the request began; the next request is NOT_FOUND',
    async () => {
      // Leaving B: the payload (the SDK asks for the organization's fields) still answers, as the caller saw B a moment
      // ago.
      const res = await q(
        'mutation { removeMember(input: { organization: "beta", user: "bquit" }) { organization { name seatLimit ' +
          'seats { used } settings { membersCanCreateTeams } } } }',
        {},
        quitter,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.removeMember.organization).toMatchObject({ name: 'beta', seatLimit: null });
      expect(outcomeOf(await q('{ organization(name: "beta") { name } }', {}, quitter))).toBe('absent');
      expect((await q(ME, {}, quitter)).data!.viewer.user).toEqual({
        username: 'bquit',
        lastActiveAt: expect.any(String),
        defaultOrganization: null,
        memberships: { nodes: [] },
      });

      // Leaving a hidden team: same, and the team is NOT_FOUND afterwards.
      await must(
        'mutation { createTeam(input: { organization: "beta", name: "hush", settings: { hidden: true } }) { team { ' +
          'name } } }',
      );
      await addToTeam('beta', 'hush', 'bmem', 'MEMBER');
      const left = await q(
        'mutation { leaveTeam(input: { organization: "beta", team: "hush" }) { team { name organization { name } ' +
          'settings { hidden } } } }',
        {},
        bMember,
      );
      expect(left.errors).toBeUndefined();
      expect(left.data!.leaveTeam.team).toEqual({
        name: 'hush',
        organization: { name: 'beta' },
        settings: { hidden: true },
      });
      expect(outcomeOf(await q('{ team(organization: "beta", name: "hush") { name } }', {}, bMember))).toBe('absent');

      // Joining: a logged-in member of B accepting an invitation to A sees A in the payload at once.
      const joiner = await addMember(ctx.t, betaOrg, 'joiner', OrgRole.MEMBER);
      const { token } = await inviteByLink(ctx.url, root(), 'acme', 'joiner@example.com', 'VIEWER');
      const joined = await q(
        `mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { organization { name seatLimit seats { ` +
          `limit } settings { membersCanCreateTeams } } user { ${USER_FIELDS} } } }`,
        { i: { token } },
        joiner,
      );
      expect(joined.errors).toBeUndefined();
      expect(joined.data!.acceptInvitation.organization).toEqual({
        name: 'acme',
        seatLimit: 50,
        seats: { limit: 50 },
        settings: { membersCanCreateTeams: true },
      });
      expect(
        joined
          .data!.acceptInvitation.user.memberships.nodes.map(
            (m: { organization: { name: string } }) => m.organization.name,
          )
          .sort(),
      ).toEqual(['acme', 'beta']);
    },
  );

  it(
    'checks visibility in batches: the statements of a members page with nested user details do not grow with the ' +
      'page',
    async () => {
      for (let n = 0; n < 6; n++) {
        const person = await addMember(ctx.t, betaOrg, `pp${n}`, OrgRole.MEMBER);
        await join(ctx.org, person, OrgRole.MEMBER);
        await setUser(person, { defaultOrganization: n % 2 ? ctx.org.id : betaOrg.id });
      }
      const PAGE =
        `query($n: Int!) { organization(name: "beta") { members(first: $n, search: "pp") { nodes { user { ` +
        `username lastActiveAt defaultOrganization { name } memberships { nodes { organization { name } } } } } } } }`;
      const measure = async (caller: Actor, n: number) => {
        const { result, statements } = await countStatements(ctx.t, () => gql(ctx.url, PAGE, { n }, caller.token));
        expect(result.errors).toBeUndefined();
        const users = (
          result.data!.organization.members.nodes as Array<{ user: { defaultOrganization: { name: string } | null } }>
        ).map((m) => m.user);
        expect(users).toHaveLength(n);
        // B's member sees the B defaults only; never A.
        if (caller === bMember)
          expect(users.every((u) => u.defaultOrganization === null || u.defaultOrganization.name === 'beta')).toBe(
            true,
          );
        return statements.filter((st) => /^\s*select/i.test(st) && !/outbox_emails/.test(st)).length;
      };
      for (const caller of [bMember, bAdmin]) {
        const small = await measure(caller, 2);
        const large = await measure(caller, 6);
        // One batched lookup may land in one tick or two depending on resolution order; per-row lookups would add 4 or
        // more.
        expect(large).toBeLessThanOrEqual(small + 1);
        expect(large).toBeLessThanOrEqual(11);
      }
    },
  );

  it(
    'a deactivated membership: the user no longer sees that organization through themselves; its admins still see ' +
      'the row',
    async () => {
      await must(
        'mutation { deactivateMember(input: { organization: "acme", user: "dual" }) { member { status } } }',
        {},
        aAdmin.token,
      );
      try {
        const self = await q(ME, {}, dual);
        expect(self.errors).toBeUndefined();
        expect(self.data!.viewer.user.defaultOrganization).toBeNull();
        expect(self.data!.viewer.user.memberships.nodes).toEqual([
          { role: 'MEMBER', status: 'ACTIVE', organization: { name: 'beta' } },
        ]);
        // A's admin sees the DEACTIVATED row, and A as dual's default; A's plain member sees no row at all.
        const byAdmin = await q(VIA_MEMBERS, { o: 'acme' }, aAdmin);
        expect(userIn(byAdmin.data!.organization.members.nodes, 'dual')).toMatchObject({
          defaultOrganization: { name: 'acme' },
          lastActiveAt: expect.any(String),
        });
        const byMember = (await q(VIA_MEMBERS, { o: 'acme' }, aMember)).data!.organization.members.nodes as Array<{
          username: string | null;
        }>;
        expect(byMember.map((n) => n.username)).not.toContain('dual');
        // B's callers still see dual as a B member, and still nothing of A.
        expect(userIn((await q(VIA_MEMBERS, { o: 'beta' }, bMember)).data!.organization.members.nodes, 'dual')).toEqual(
          seenFromB('dual', 'set'),
        );
      } finally {
        await must(
          'mutation { reactivateMember(input: { organization: "acme", user: "dual" }) { member { status } } }',
          {},
          aAdmin.token,
        );
      }
    },
  );
});
