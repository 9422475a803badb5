import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, codeOf, gql } from './fixtures';
import { GROUP, ROSTER, USER, scimInstance, validateWithScimmy, type ScimInstance } from './scim-fixture';
import { issueSession } from '../src/auth/sessions';
import { User } from '../src/modules/accounts/user.entity';
import { Organization } from '../src/modules/organizations/organization.entity';
import { OrgRole } from '../src/authz/roles';
import { syncTeamsFromGroups } from '../src/modules/sso/group-sync';

/**
 * Request sequences in the shapes Okta and Microsoft Entra ID send (their provisioning documentation and logs):
 * create, update, deactivate, reactivate, group push, delete. Plus the invariants SCIM must keep.
 */
let ctx: ScimInstance;
beforeAll(async () => {
  ctx = await scimInstance();
});
afterAll(async () => {
  await ctx?.t.close();
});

const q = (f: string) => `?filter=${encodeURIComponent(f)}`;
const rows = async (sql: string, params: unknown[] = []) =>
  ctx.t.server.db.orm.em.fork().getConnection().execute(sql, params) as Promise<Array<Record<string, unknown>>>;

/** A session for a user SCIM created (they would sign in through SSO), to act as them through the API. */
async function sessionOf(userId: string): Promise<string> {
  const em = ctx.t.server.db.orm.em.fork();
  const user = await em.findOneOrFail(User, { id: userId });
  const { token } = issueSession(em, user, 24, { clientAddress: null, userAgent: 'test' });
  await em.flush();
  return token;
}

describe('Okta (RFC 7644 §3.3, §3.4.2, §3.5.1, §3.5.2 as Okta sends them)', () => {
  let id: string;
  const okta = { 'x-okta-request-id': 'okta-req-0001' };

  it('import check, create, then a full PUT update (Okta: filter userName eq, POST, PUT)', async () => {
    const lookup = await ctx.scim.get(`/Users${q('userName eq "dana@example.com"')}&startIndex=1&count=100`, okta);
    expect(lookup.body).toMatchObject({ totalResults: 0, Resources: [] });
    const created = await ctx.scim.post(
      '/Users',
      {
        schemas: [USER],
        userName: 'dana@example.com',
        name: { givenName: 'Dana', familyName: 'Scully' },
        emails: [{ primary: true, value: 'dana@example.com', type: 'work' }],
        displayName: 'Dana Scully',
        locale: 'en-US',
        externalId: '00u1abcd',
        groups: [],
        password: 'ignored-Pa55word',
        active: true,
      },
      okta,
    );
    expect(created.status).toBe(201);
    id = created.body.id;
    validateWithScimmy('User', created.body);
    const put = await ctx.scim.put(
      `/Users/${id}`,
      {
        schemas: [USER],
        id,
        userName: 'dana@example.com',
        name: { givenName: 'Dana', familyName: 'Mulder' },
        emails: [{ primary: true, value: 'dana@example.com', type: 'work' }],
        displayName: 'Dana Mulder',
        active: true,
      },
      okta,
    );
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      displayName: 'Dana Mulder',
      name: { familyName: 'Mulder' },
      externalId: '00u1abcd',
    });
    const [event] = await rows(
      'select actor_type, actor_label, metadata from audit_events ' +
        `where action = 'member.scim_provisioned' and target_id = ?`,
      [id],
    );
    expect(event).toMatchObject({ actor_type: 'scim_token', actor_label: 'Okta' });
    expect(event!.metadata).toMatchObject({ via: 'scim', idpRequestId: 'okta-req-0001' });
  });

  it('deactivate (PATCH replace value {active:false}, no path), then reactivate', async () => {
    const off = await ctx.scim.patch(`/Users/${id}`, [{ op: 'replace', value: { active: false } }], okta);
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    const [m] = await rows(`select status from org_memberships where user_id = ?`, [id]);
    expect(m!.status).toBe('DEACTIVATED');
    const on = await ctx.scim.patch(`/Users/${id}`, [{ op: 'replace', value: { active: true } }], okta);
    expect(on.body.active).toBe(true);
    const actions = (await rows(`select action from audit_events where target_id = ? order by id`, [id])).map(
      (r) => r.action,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'member.scim_provisioned',
        'member.scim_updated',
        'member.deactivated',
        'member.reactivated',
      ]),
    );
  });

  it('group push: create the group, add members, remove one with members[value eq "…"], rename, delete', async () => {
    const other = await ctx.scim.createUser('fox@example.com');
    const group = await ctx.scim.post('/Groups', { schemas: [GROUP], displayName: 'xfiles', members: [] }, okta);
    expect(group.status).toBe(201);
    const gid = group.body.id;
    const add = await ctx.scim.patch(
      `/Groups/${gid}`,
      [
        {
          op: 'add',
          path: 'members',
          value: [
            { value: id, display: 'dana@example.com' },
            { value: other.body.id, display: 'fox@example.com' },
          ],
        },
      ],
      okta,
    );
    expect(add.status).toBe(200);
    expect(add.body.members.map((m: { value: string }) => m.value).sort()).toEqual([id, other.body.id].sort());
    const remove = await ctx.scim.patch(`/Groups/${gid}`, [{ op: 'remove', path: `members[value eq "${id}"]` }], okta);
    expect(remove.body.members.map((m: { value: string }) => m.value)).toEqual([other.body.id]);
    const rename = await ctx.scim.patch(
      `/Groups/${gid}`,
      [{ op: 'replace', value: { id: gid, displayName: 'xfiles-archive' } }],
      okta,
    );
    expect(rename.body.displayName).toBe('xfiles-archive');
    validateWithScimmy('Group', rename.body);
    // The membership SCIM made is IdP-managed: a hand change through the API names the identity provider.
    const handRemove = await gql(
      ctx.url,
      'mutation($i: RemoveTeamMemberInput!) { removeTeamMember(input: $i) { removedTeamMemberId } }',
      { i: { organization: 'acme', team: 'xfiles-archive', user: 'fox@example.com' } },
      ctx.admin.token,
    );
    expect(codeOf(handRemove)).toBe('IDP_MANAGED_MEMBERSHIP');
    expect(handRemove.errors![0]!.message).toContain('"Okta"');
    // A team admin who may not list SCIM tokens (scim:manage) is told the same, without the token's name.
    const teamAdmin = await addMember(ctx.t, ctx.org, 'tess', OrgRole.MEMBER);
    const made = await gql(
      ctx.url,
      'mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role } } }',
      { i: { organization: 'acme', team: 'xfiles-archive', user: 'tess', role: 'ADMIN' } },
      ctx.admin.token,
    );
    expect(made.errors).toBeUndefined();
    const byTeamAdmin = await gql(
      ctx.url,
      'mutation($i: RemoveTeamMemberInput!) { removeTeamMember(input: $i) { removedTeamMemberId } }',
      { i: { organization: 'acme', team: 'xfiles-archive', user: 'fox@example.com' } },
      teamAdmin.token,
    );
    expect(codeOf(byTeamAdmin)).toBe('IDP_MANAGED_MEMBERSHIP');
    expect(byTeamAdmin.errors![0]!.message).toContain('provisioned by your identity provider through SCIM');
    expect(byTeamAdmin.errors![0]!.message).not.toContain('Okta');
    const del = await ctx.scim.delete(`/Groups/${gid}`, okta);
    expect(del.status).toBe(204);
    expect((await ctx.scim.get(`/Groups/${gid}`)).status).toBe(404);
  });

  it('deprovision with DELETE: removed from the organization, account kept', async () => {
    expect((await ctx.scim.delete(`/Users/${id}`, okta)).status).toBe(204);
    expect((await rows('select count(*)::int as n from org_memberships where user_id = ?', [id]))[0]!.n).toBe(0);
    expect((await rows('select count(*)::int as n from users where id = ?', [id]))[0]!.n).toBe(1);
  });
});

describe('Microsoft Entra ID (RFC 7644 §3.5.2 as Entra sends it)', () => {
  let id: string;
  const entra = { 'client-request-id': '5a2c9f3e-7d1b-4b8e-9c0a-1f2e3d4c5b6a' };

  it('probe with a random userName, then create with an enterprise-extension body', async () => {
    const probe = await ctx.scim.get(`/Users${q('userName eq "7a1f3c9e-0b1d-4f7e-9e3a-2c5d8b6f4a10"')}`, entra);
    expect(probe.status).toBe(200);
    expect(probe.body.totalResults).toBe(0);
    const created = await ctx.scim.post(
      '/Users',
      {
        schemas: [USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
        externalId: 'e1d2c3b4',
        userName: 'Ravi.Shankar@contoso.onmicrosoft.com',
        active: true,
        addresses: [{ primary: true, type: 'work', country: 'NL' }],
        displayName: 'Ravi Shankar',
        emails: [{ primary: true, type: 'work', value: 'ravi@contoso.com' }],
        meta: { resourceType: 'User' },
        name: { familyName: 'Shankar', givenName: 'Ravi' },
        title: 'Engineer',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Research' },
      },
      entra,
    );
    expect(created.status).toBe(201);
    id = created.body.id;
    expect(created.body.userName).toBe('Ravi.Shankar@contoso.onmicrosoft.com');
    expect(created.body.emails[0].value).toBe('ravi@contoso.com');
    const byExternal = await ctx.scim.get(`/Users${q('externalId eq "e1d2c3b4"')}`, entra);
    expect(byExternal.body.Resources[0].id).toBe(id);
  });

  it('update: "Replace"/"Add" ops with paths, emails[type eq "work"].value, case-insensitive names', async () => {
    const res = await ctx.scim.patch(
      `/Users/${id}`,
      [
        { op: 'Replace', path: 'displayName', value: 'Ravi S. Shankar' },
        { op: 'Add', path: 'emails[type eq "work"].value', value: 'ravi.shankar@contoso.com' },
        { op: 'Replace', path: 'NAME.givenName', value: 'Ravindra' },
        { op: 'Add', path: 'title', value: 'Staff Engineer' },
        {
          op: 'Replace',
          path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
          value: 'Platform',
        },
      ],
      entra,
    );
    expect(res.status).toBe(200);
    expect(res.body.displayName).toBe('Ravi S. Shankar');
    expect(res.body.emails[0].value).toBe('ravi.shankar@contoso.com');
    expect(res.body.name.givenName).toBe('Ravindra');
  });

  it('disable with the string boolean "False", enable with "True"', async () => {
    const off = await ctx.scim.patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value: 'False' }], entra);
    expect(off.body.active).toBe(false);
    const [e] = await rows(
      `select metadata from audit_events where action = 'member.deactivated' and target_id = ? order by id desc`,
      [id],
    );
    expect(e!.metadata).toMatchObject({ via: 'scim', idpRequestId: entra['client-request-id'] });
    const on = await ctx.scim.patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value: 'True' }], entra);
    expect(on.body.active).toBe(true);
  });

  it('group provisioning: filter displayName, create, Add members, Remove members by value list', async () => {
    const none = await ctx.scim.get(`/Groups${q('displayName eq "contoso-eng"')}&excludedAttributes=members`, entra);
    expect(none.body.totalResults).toBe(0);
    const g = await ctx.scim.post(
      '/Groups',
      { schemas: [GROUP], externalId: 'a8b7c6', displayName: 'contoso-eng', members: [] },
      entra,
    );
    const gid = g.body.id;
    const add = await ctx.scim.patch(`/Groups/${gid}`, [{ op: 'Add', path: 'members', value: [{ value: id }] }], entra);
    expect(add.body.members.map((m: { value: string }) => m.value)).toEqual([id]);
    const check = await ctx.scim.get(
      `/Groups${q(`id eq "${gid}" and members[value eq "${id}"]`)}&excludedAttributes=members`,
    );
    expect(check.body.totalResults).toBe(1);
    const rm = await ctx.scim.patch(
      `/Groups/${gid}`,
      [{ op: 'Remove', path: 'members', value: [{ value: id }] }],
      entra,
    );
    expect(rm.body.members).toEqual([]);
    const rename = await ctx.scim.patch(`/Groups/${gid}`, [
      { op: 'Replace', path: 'displayName', value: 'contoso-platform' },
    ]);
    expect(rename.body.displayName).toBe('contoso-platform');
  });

  it('hard delete', async () => {
    expect((await ctx.scim.delete(`/Users/${id}`, entra)).status).toBe(204);
    expect((await ctx.scim.get(`/Users/${id}`)).status).toBe(404);
  });
});

describe('invariants', () => {
  it("deprovisioning cuts the user's API key on its next request", async () => {
    const created = await ctx.scim.createUser('kim@example.com');
    const session = await sessionOf(created.body.id);
    const key = await gql<{ createApiKey: { secret: string } }>(
      ctx.url,
      'mutation { createApiKey(input: { name: "laptop" }) { secret } }',
      {},
      session,
    );
    const apiKey = key.data!.createApiKey.secret;
    const ORG = '{ organization(name: "acme") { name members { totalCount } } }';
    expect((await gql(ctx.url, ORG, {}, apiKey)).data?.organization).toMatchObject({ name: 'acme' });
    await ctx.scim.patch(`/Users/${created.body.id}`, [{ op: 'replace', path: 'active', value: false }]);
    const after = await gql(ctx.url, ORG, {}, apiKey);
    expect(after.data?.organization ?? null).toBeNull();
    expect((await gql(ctx.url, ORG, {}, session)).data?.organization ?? null).toBeNull();
  });

  it('deactivating, demoting or deleting the last admin is refused with a SCIM error and changes nothing', async () => {
    const adminId = ctx.admin.user.id;
    const before = await rows('select role, status, updated_at from org_memberships where user_id = ?', [adminId]);
    const events = async () => (await rows('select count(*)::int as n from audit_events'))[0]!.n;
    const n = await events();
    for (const res of [
      await ctx.scim.patch(`/Users/${adminId}`, [{ op: 'replace', path: 'active', value: false }]),
      await ctx.scim.patch(`/Users/${adminId}`, [
        { op: 'replace', path: 'displayName', value: 'Renamed first' },
        { op: 'replace', path: `${ROSTER}:organizationRole`, value: 'MEMBER' },
      ]),
      await ctx.scim.put(`/Users/${adminId}`, { schemas: [USER], userName: 'admin@example.com', active: false }),
      await ctx.scim.delete(`/Users/${adminId}`),
    ]) {
      expect(res.status).toBe(409);
      expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
      expect(res.body.detail).toMatch(/^LAST_ADMIN: .*must keep at least one active admin/);
    }
    expect(await rows('select role, status, updated_at from org_memberships where user_id = ?', [adminId])).toEqual(
      before,
    );
    expect(await events()).toBe(n);
  });

  it("a group change that removes the team's last admin is refused", async () => {
    const team = await gql(
      ctx.url,
      'mutation { createTeam(input: { organization: "acme", name: "core" }) { team { name } } }',
      {},
      ctx.admin.token,
    );
    expect(team.errors).toBeUndefined();
    // The admin created the team as its ADMIN (by hand); a SCIM replace of the members without them is refused.
    const groups = await ctx.scim.get(`/Groups${q('displayName eq "core"')}`);
    const gid = groups.body.Resources[0].id;
    const someone = await ctx.scim.createUser('pat@example.com');
    const res = await ctx.scim.patch(`/Groups/${gid}`, [
      { op: 'replace', path: 'members', value: [{ value: someone.body.id }] },
    ]);
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/^LAST_ADMIN/);
    expect((await ctx.scim.get(`/Groups/${gid}`)).body.members.map((m: { value: string }) => m.value)).toEqual([
      ctx.admin.user.id,
    ]);
  });

  it('DELETE of an active last team admin is refused; deactivated first, it goes through', async () => {
    const boss = await ctx.scim.createUser('boss@example.com');
    const bossSession = await sessionOf(boss.body.id);
    await gql(
      ctx.url,
      'mutation { updateOrganization(input: { organization: "acme", settings: { membersCanCreateTeams: true } }) ' +
        '{ organization { name } } }',
      {},
      ctx.admin.token,
    );
    const made = await gql(
      ctx.url,
      'mutation { createTeam(input: { organization: "acme", name: "bossteam" }) { team { name } } }',
      {},
      bossSession,
    );
    expect(made.errors).toBeUndefined();
    const refused = await ctx.scim.delete(`/Users/${boss.body.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/^LAST_ADMIN: boss is the last admin of team "bossteam"/);
    expect((await ctx.scim.get(`/Users/${boss.body.id}`)).status).toBe(200);
    await ctx.scim.patch(`/Users/${boss.body.id}`, [{ op: 'replace', path: 'active', value: false }]);
    expect((await ctx.scim.delete(`/Users/${boss.body.id}`)).status).toBe(204);
  });

  it('DELETE of a group whose team has projects is refused (it would delete their runs)', async () => {
    const g = await ctx.scim.post('/Groups', { schemas: [GROUP], displayName: 'has-work' });
    const p = await gql(
      ctx.url,
      'mutation { createProject(input: { organization: "acme", team: "has-work", name: "p1" }) { project { name } } }',
      {},
      ctx.admin.token,
    );
    expect(p.errors).toBeUndefined();
    const res = await ctx.scim.delete(`/Groups/${g.body.id}`);
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/has 1 project/);
    expect((await ctx.scim.get(`/Groups/${g.body.id}`)).status).toBe(200);
  });

  it('externalId is unique in the organization (409 uniqueness); the extension URN as a PATCH path', async () => {
    const a = await ctx.scim.createUser('ext-a@example.com', { externalId: 'same-ext' });
    expect(a.status).toBe(201);
    const b = await ctx.scim.createUser('ext-b@example.com', { externalId: 'same-ext' });
    expect(b.status).toBe(409);
    expect(b.body.scimType).toBe('uniqueness');
    const role = await ctx.scim.patch(`/Users/${a.body.id}`, [
      { op: 'replace', path: ROSTER, value: { organizationRole: 'VIEWER' } },
    ]);
    expect(role.body[ROSTER].organizationRole).toBe('VIEWER');
  });

  it('review finding 2, RFC 7643 §4.1.1: userName is unique per organization, case-insensitively', async () => {
    const ada = await ctx.scim.createUser('ada', { emails: [{ value: 'ada-1@example.com', primary: true }] });
    expect(ada.status).toBe(201);
    const upper = await ctx.scim.createUser('ADA', { emails: [{ value: 'ada-2@example.com', primary: true }] });
    expect(upper.status).toBe(409);
    expect(upper.body.scimType).toBe('uniqueness');
    const bob = await ctx.scim.createUser('bob-un', { emails: [{ value: 'bob-un@example.com', primary: true }] });
    expect(bob.status).toBe(201);
    // PATCH and PUT of userName to another member's: refused, and nothing changed.
    const patch = await ctx.scim.patch(`/Users/${bob.body.id}`, [{ op: 'replace', path: 'userName', value: 'Ada' }]);
    expect(patch.status).toBe(409);
    expect(patch.body.scimType).toBe('uniqueness');
    const put = await ctx.scim.put(`/Users/${bob.body.id}`, { ...bob.body, userName: 'aDa' });
    expect(put.status).toBe(409);
    // A member added in Roster has its email as userName.
    const asAdmin = await ctx.scim.patch(`/Users/${bob.body.id}`, [
      { op: 'replace', path: 'userName', value: 'Admin@Example.com' },
    ]);
    expect(asAdmin.status).toBe(409);
    const post = await ctx.scim.createUser('ADMIN@example.com', {
      emails: [{ value: 'other-admin@example.com', primary: true }],
    });
    expect(post.status).toBe(409);
    expect((await ctx.scim.get(`/Users/${bob.body.id}`)).body.userName).toBe('bob-un');
    // Its own userName in another case is no conflict.
    const recase = await ctx.scim.patch(`/Users/${ada.body.id}`, [{ op: 'replace', path: 'userName', value: 'Ada' }]);
    expect(recase.status).toBe(200);
    expect(recase.body.userName).toBe('Ada');
    // The unique index backs the check: a row written around it is refused by PostgreSQL.
    const conn = ctx.t.server.db.orm.em.fork().getConnection();
    await expect(
      conn.execute('update scim_users set user_name = ? where user_id = ?', ['ADA', bob.body.id]),
    ).rejects.toThrow(/scim_users_user_name_unique/);
  });

  it('SCIM memberships: a role change by hand names the IdP; SSO group sync leaves them alone', async () => {
    const u = await ctx.scim.createUser('synced@example.com');
    const g = await ctx.scim.post('/Groups', {
      schemas: [GROUP],
      displayName: 'scim-only',
      members: [{ value: u.body.id }],
    });
    expect(g.status).toBe(201);
    const role = await gql(
      ctx.url,
      'mutation($i: UpdateTeamMemberRoleInput!) { updateTeamMemberRole(input: $i) { member { role } } }',
      { i: { organization: 'acme', team: 'scim-only', user: 'synced@example.com', role: 'ADMIN' } },
      ctx.admin.token,
    );
    expect(codeOf(role)).toBe('IDP_MANAGED_MEMBERSHIP');
    expect(role.errors![0]!.message).toMatch(/identity provider "Okta" through SCIM/);
    // A sign-in with no groups at all: group sync removes what it manages, never what SCIM manages.
    const em = ctx.t.server.db.orm.em.fork();
    const user = await em.findOneOrFail(User, { id: u.body.id });
    const summary = await em.transactional((tx) => syncTeamsFromGroups(tx, user, [], [], () => undefined));
    expect(summary.removed).toBe(0);
    expect((await ctx.scim.get(`/Groups/${g.body.id}`)).body.members.map((m: { value: string }) => m.value)).toEqual([
      u.body.id,
    ]);
  });

  it('the extension sets team roles: joins (IdP-managed), promotes, keeps a team admin, caps viewers', async () => {
    const g = await ctx.scim.post('/Groups', { schemas: [GROUP], displayName: 'roles-team' });
    const lead = await ctx.scim.createUser('roles-lead@example.com', {
      [ROSTER]: { teamRoles: [{ display: 'roles-team', role: 'ADMIN' }] },
    });
    expect(lead.status).toBe(201);
    expect(lead.body[ROSTER].teamRoles).toEqual([{ value: g.body.id, display: 'roles-team', role: 'ADMIN' }]);
    expect((await ctx.scim.get(`/Groups/${g.body.id}`)).body.members.map((m: { value: string }) => m.value)).toEqual([
      lead.body.id,
    ]);
    // Demoting the team's only admin is refused, and changes nothing.
    const demote = await ctx.scim.patch(`/Users/${lead.body.id}`, [
      { op: 'replace', path: `${ROSTER}:teamRoles[value eq "${g.body.id}"].role`, value: 'MEMBER' },
    ]);
    expect(demote.status).toBe(409);
    expect(demote.body.detail).toMatch(/^LAST_ADMIN: .*"roles-team"/);
    // A second admin through the extension (path-less form), then the demotion goes through.
    const second = await ctx.scim.createUser('roles-second@example.com');
    const promote = await ctx.scim.patch(`/Users/${second.body.id}`, [
      { op: 'add', value: { [`${ROSTER}:teamRoles`]: [{ value: g.body.id, role: 'ADMIN' }] } },
    ]);
    expect(promote.body[ROSTER].teamRoles[0].role).toBe('ADMIN');
    const ok = await ctx.scim.patch(`/Users/${lead.body.id}`, [
      { op: 'replace', path: `${ROSTER}:teamRoles[value eq "${g.body.id}"].role`, value: 'MEMBER' },
    ]);
    expect(ok.body[ROSTER].teamRoles[0].role).toBe('MEMBER');
    // An organization VIEWER can only be VIEW_ONLY; an unknown team is refused.
    const viewer = await ctx.scim.createUser('roles-viewer@example.com', { [ROSTER]: { organizationRole: 'VIEWER' } });
    const tooHigh = await ctx.scim.patch(`/Users/${viewer.body.id}`, [
      { op: 'add', path: `${ROSTER}:teamRoles`, value: [{ value: g.body.id, role: 'MEMBER' }] },
    ]);
    expect(tooHigh.status).toBe(400);
    expect(tooHigh.body.detail).toMatch(/VIEWER can only be VIEW_ONLY/);
    const unknown = await ctx.scim.patch(`/Users/${viewer.body.id}`, [
      { op: 'add', path: `${ROSTER}:teamRoles`, value: [{ display: 'no-such-team', role: 'VIEW_ONLY' }] },
    ]);
    expect(unknown.body.scimType).toBe('invalidValue');
    // GET, then PUT what it said: one change at most (none here), the same version.
    const before = await ctx.scim.get(`/Users/${lead.body.id}`);
    const { meta: _, ...body } = before.body;
    const put = await ctx.scim.put(`/Users/${lead.body.id}`, body);
    expect(put.status).toBe(200);
    expect(put.body.meta.version).toBe(before.body.meta.version);
  });

  it('seats hold: SEAT_LIMIT_REACHED is a readable SCIM error; a deactivated user frees the seat', async () => {
    const used = (
      await rows(
        'select count(*)::int as n from org_memberships where organization_id = ? ' +
          `and role in ('ADMIN','MEMBER') and status = 'ACTIVE'`,
        [ctx.org.id],
      )
    )[0]!.n as number;
    const em = ctx.t.server.db.orm.em.fork();
    await em.nativeUpdate(Organization, { id: ctx.org.id }, { seatLimit: used });
    try {
      const full = await ctx.scim.createUser('noseat@example.com');
      expect(full.status).toBe(409);
      expect(full.body.detail).toMatch(/^SEAT_LIMIT_REACHED: "acme" has no free seat/);
      const viewer = await ctx.scim.createUser('viewer@example.com', { [ROSTER]: { organizationRole: 'VIEWER' } });
      expect(viewer.status).toBe(201);
      const inactive = await ctx.scim.createUser('later@example.com', { active: false });
      expect(inactive.status).toBe(201);
      const on = await ctx.scim.patch(`/Users/${inactive.body.id}`, [{ op: 'replace', path: 'active', value: true }]);
      expect(on.status).toBe(409);
      expect(on.body.detail).toMatch(/^SEAT_LIMIT_REACHED/);
      // Promoting a viewer while deactivating them in one request needs no seat; promoting an active one does.
      const promote = await ctx.scim.patch(`/Users/${viewer.body.id}`, [
        { op: 'replace', path: `${ROSTER}:organizationRole`, value: 'MEMBER' },
      ]);
      expect(promote.status).toBe(409);
      const both = await ctx.scim.patch(`/Users/${viewer.body.id}`, [
        { op: 'replace', value: { active: false, [ROSTER]: { organizationRole: 'MEMBER' } } },
      ]);
      expect(both.status).toBe(200);
      expect(both.body).toMatchObject({ active: false, [ROSTER]: { organizationRole: 'MEMBER' } });
    } finally {
      await em.nativeUpdate(Organization, { id: ctx.org.id }, { seatLimit: null });
    }
  });

  it("an existing account (another organization's member) is linked, and SCIM does not rename it", async () => {
    const em = ctx.t.server.db.orm.em.fork();
    const other = em.create(Organization, { name: 'globex', displayName: 'Globex' });
    await em.flush();
    const outsider = await addMember(ctx.t, other, 'mira', OrgRole.ADMIN);
    const res = await ctx.scim.createUser('mira@example.com', { displayName: 'Someone Else' });
    expect(res.status).toBe(201);
    expect(res.body.id).toBe(outsider.user.id);
    // Review finding 3: the account's own name ("Mira") is not shown to this organization's IdP; SCIM's value is.
    expect(res.body.displayName).toBe('Someone Else');
    expect(res.body.name.formatted).toBe('Someone Else');
    expect(JSON.stringify(res.body)).not.toContain('Mira');
    const [account] = await rows('select name from users where id = ?', [outsider.user.id]);
    expect(account!.name).toBe('Mira');
    // No filter reads the account's own name either.
    const byName = await ctx.scim.get(`/Users?filter=${encodeURIComponent('displayName eq "Mira"')}`);
    expect(byName.body.totalResults).toBe(0);
    const renamed = await ctx.scim.patch(`/Users/${res.body.id}`, [
      { op: 'replace', path: 'displayName', value: 'Mira From IdP' },
    ]);
    expect(renamed.body.displayName).toBe('Mira From IdP');
    expect((await rows('select name from users where id = ?', [outsider.user.id]))[0]!.name).toBe('Mira');
  });

  it("review finding 3: changing an owned account's email to a taken one answers without naming it", async () => {
    const owned = await ctx.scim.createUser('owned-mail@example.com');
    const res = await ctx.scim.patch(`/Users/${owned.body.id}`, [
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'admin@example.com' },
    ]);
    expect(res.status).toBe(409);
    expect(res.body.detail).not.toContain('admin@example.com');
    expect(res.body.detail).not.toMatch(/already has/);
  });
});
