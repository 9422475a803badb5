import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  instanceWithAdmin,
  addMember,
  gql,
  codeOf,
  countStatements,
  type InstanceWithAdmin,
  type Actor,
  outcomeOf,
} from './fixtures';
import { MemberStatus, OrgRole } from '../src/authz/roles';

const CREATE =
  'mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { organization { name displayName ' +
  'seatLimit viewerRole } } }';
const UPDATE =
  'mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { organization { name displayName ' +
  'seatLimit settings { membersCanCreateTeams apiKeyMaxLifetimeDays } } } }';
const ORG =
  'query($n: String!) { organization(name: $n) { name viewerRole viewerPermissions seats { limit used available } } }';

describe('organizations', () => {
  let ctx: InstanceWithAdmin;
  let member: Actor;
  let viewer: Actor;
  let deactivated: Actor;
  let outsider: Actor;
  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    member = await addMember(ctx.t, ctx.org, 'mia', OrgRole.MEMBER);
    viewer = await addMember(ctx.t, ctx.org, 'vic', OrgRole.VIEWER);
    deactivated = await addMember(ctx.t, ctx.org, 'dee', OrgRole.ADMIN, MemberStatus.DEACTIVATED);
    outsider = await addMember(ctx.t, null, 'otto');
  });
  afterAll(() => ctx?.t.close());

  it('lets instance admins create organizations, the creator becoming ADMIN', async () => {
    const res = await gql(
      ctx.url,
      CREATE,
      { i: { name: 'research', displayName: 'Research', seatLimit: 3 } },
      ctx.admin.token,
    );
    expect(res.data!.createOrganization.organization).toEqual({
      name: 'research',
      displayName: 'Research',
      seatLimit: 3,
      viewerRole: 'ADMIN',
    });
    const dup = await gql(ctx.url, CREATE, { i: { name: 'research' } }, ctx.admin.token);
    expect(codeOf(dup)).toBe('CONFLICT');
    expect(dup.errors![0]!.extensions!.field).toBe('name');
  });

  it('refuses organization creation to everyone else and bad names to everyone', async () => {
    for (const actor of [member, viewer, outsider]) {
      expect(codeOf(await gql(ctx.url, CREATE, { i: { name: `by-${actor.user.username}` } }, actor.token))).toBe(
        'FORBIDDEN',
      );
    }
    expect(codeOf(await gql(ctx.url, CREATE, { i: { name: 'anon-org' } }))).toBe('UNAUTHENTICATED');
    for (const name of ['Bad Name', 'x', '-lead', 'a'.repeat(41)]) {
      const res = await gql(ctx.url, CREATE, { i: { name } }, ctx.admin.token);
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0]!.extensions!.field).toBe('name');
    }
    expect(codeOf(await gql(ctx.url, CREATE, { i: { name: 'neg', seatLimit: -1 } }, ctx.admin.token))).toBe(
      'BAD_USER_INPUT',
    );
    const count = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute('select count(*)::int as n from organizations');
    expect(count[0]!.n).toBe(2);
  });

  it('shows an organization to its active members only, with their role and permissions', async () => {
    const asMember = await gql(ctx.url, ORG, { n: 'acme' }, member.token);
    expect(asMember.data!.organization).toMatchObject({
      name: 'acme',
      viewerRole: 'MEMBER',
      viewerPermissions: ['MEMBER_READ', 'ORG_READ'],
    });
    const asViewer = await gql(ctx.url, ORG, { n: 'acme' }, viewer.token);
    expect(asViewer.data!.organization.viewerRole).toBe('VIEWER');
    const asAdmin = await gql(ctx.url, ORG, { n: 'acme' }, ctx.admin.token);
    expect(asAdmin.data!.organization.viewerPermissions).toContain('MEMBER_INVITE');
    expect(asAdmin.data!.organization.viewerPermissions).toContain('AUDIT_LOG_READ');
    for (const actor of [outsider, deactivated]) {
      expect(outcomeOf(await gql(ctx.url, ORG, { n: 'acme' }, actor.token))).toBe('absent');
    }
    expect(outcomeOf(await gql(ctx.url, ORG, { n: 'no-such-org' }, ctx.admin.token))).toBe('absent');
    expect(codeOf(await gql(ctx.url, ORG, { n: 'acme' }))).toBe('UNAUTHENTICATED');
  });

  it('counts seats: active and pending admins and members, not viewers or deactivated users', async () => {
    const res = await gql(ctx.url, ORG, { n: 'acme' }, ctx.admin.token);
    // admin + mia use seats; vic is a viewer, dee is deactivated.
    expect(res.data!.organization.seats).toEqual({ limit: null, used: 2, available: null });
    const research = await gql(ctx.url, ORG, { n: 'research' }, ctx.admin.token);
    expect(research.data!.organization.seats).toEqual({ limit: 3, used: 1, available: 2 });
  });

  it('lists only the organizations the caller belongs to; instance admins see all', async () => {
    const q = '{ organizations { totalCount nodes { name } } }';
    expect((await gql(ctx.url, q, {}, member.token)).data!.organizations).toEqual({
      totalCount: 1,
      nodes: [{ name: 'acme' }],
    });
    expect((await gql(ctx.url, q, {}, outsider.token)).data!.organizations).toEqual({ totalCount: 0, nodes: [] });
    expect((await gql(ctx.url, q, {}, deactivated.token)).data!.organizations.totalCount).toBe(0);
    expect((await gql(ctx.url, q, {}, ctx.admin.token)).data!.organizations.totalCount).toBe(2);
  });

  it('lets org admins update display name and settings, but only instance admins the seat limit', async () => {
    const orgAdmin = await addMember(ctx.t, ctx.org, 'oria', OrgRole.ADMIN);
    const ok = await gql(
      ctx.url,
      UPDATE,
      { i: { organization: 'acme', displayName: 'ACME ML', settings: { membersCanCreateTeams: true } } },
      orgAdmin.token,
    );
    expect(ok.data!.updateOrganization.organization).toMatchObject({
      displayName: 'ACME ML',
      settings: { membersCanCreateTeams: true },
    });
    expect(codeOf(await gql(ctx.url, UPDATE, { i: { organization: 'acme', seatLimit: 100 } }, orgAdmin.token))).toBe(
      'FORBIDDEN',
    );
    for (const actor of [member, viewer]) {
      expect(
        codeOf(await gql(ctx.url, UPDATE, { i: { organization: 'acme', displayName: 'Hacked' } }, actor.token)),
      ).toBe('FORBIDDEN');
    }
    expect(
      codeOf(await gql(ctx.url, UPDATE, { i: { organization: 'acme', displayName: 'Hacked' } }, outsider.token)),
    ).toBe('NOT_FOUND');
    expect(codeOf(await gql(ctx.url, UPDATE, { i: { organization: 'acme', displayName: '' } }, orgAdmin.token))).toBe(
      'BAD_USER_INPUT',
    );
    const seat = await gql(ctx.url, UPDATE, { i: { organization: 'acme', seatLimit: 10 } }, ctx.admin.token);
    expect(seat.data!.updateOrganization.organization.seatLimit).toBe(10);
    // Omitted keeps the limit; explicit null clears it (the one way to clear a nullable setting).
    const kept = await gql(ctx.url, UPDATE, { i: { organization: 'acme', displayName: 'ACME ML' } }, ctx.admin.token);
    expect(kept.data!.updateOrganization.organization.seatLimit).toBe(10);
    expect(codeOf(await gql(ctx.url, UPDATE, { i: { organization: 'acme', seatLimit: null } }, orgAdmin.token))).toBe(
      'FORBIDDEN',
    );
    const cleared = await gql(ctx.url, UPDATE, { i: { organization: 'acme', seatLimit: null } }, ctx.admin.token);
    expect(cleared.data!.updateOrganization.organization.seatLimit).toBeNull();
    expect(
      codeOf(await gql(ctx.url, UPDATE, { i: { organization: 'acme', clearSeatLimit: true } }, ctx.admin.token)),
    ).toBe('BAD_USER_INPUT');
    const state = await gql(ctx.url, 'query { organization(name: "acme") { displayName } }', {}, member.token);
    expect(state.data!.organization.displayName).toBe('ACME ML');
    // Members may now create teams: the policy reflects the setting.
    const perms = await gql(ctx.url, ORG, { n: 'acme' }, member.token);
    expect(perms.data!.organization.viewerPermissions).toContain('TEAM_CREATE');
  });

  it('pages organizations by name with a fixed number of SQL statements whatever the page size', async () => {
    for (const n of ['org-a', 'org-b', 'org-c', 'org-d'])
      await gql(ctx.url, CREATE, { i: { name: n } }, ctx.admin.token);
    const q =
      'query($f: Int, $a: String) { organizations(first: $f, after: $a) { totalCount pageInfo { hasNextPage ' +
      'endCursor } nodes { name seats { used limit } viewerRole viewerPermissions } } }';
    const names: string[] = [];
    let after: string | null = null;
    for (;;) {
      // biome-ignore lint/suspicious/noExplicitAny: the paging loop reads its own query's fields.
      const page: any = await gql(ctx.url, q, { f: 2, a: after }, ctx.admin.token);
      names.push(...page.data.organizations.nodes.map((n: { name: string }) => n.name));
      if (!page.data.organizations.pageInfo.hasNextPage) break;
      after = page.data.organizations.pageInfo.endCursor;
    }
    expect(names).toEqual(['acme', 'org-a', 'org-b', 'org-c', 'org-d', 'research']);
    const small = await countStatements(ctx.t, () => gql(ctx.url, q, { f: 2 }, ctx.admin.token));
    const large = await countStatements(ctx.t, () => gql(ctx.url, q, { f: 6 }, ctx.admin.token));
    expect(large.result.data!.organizations.nodes).toHaveLength(6);
    expect(large.statements.length).toBe(small.statements.length);
    expect(large.statements.length).toBeLessThanOrEqual(6);
  });
});
