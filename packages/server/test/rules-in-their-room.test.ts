import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  instanceWithAdmin,
  addMember,
  gql,
  codeOf,
  inviteByLink,
  type InstanceWithAdmin,
  type Actor,
} from './fixtures';
import { OrgRole } from '../src/authz/roles';

/**
 * Issue 9, "defects" and "rules outside their room": each rule has one home (authz for who may see or act, the
 * service for the rule, the entity for derived state), and the schema describes what the code does.
 */
describe('one rule in one place', () => {
  let ctx: InstanceWithAdmin;
  let orgAdmin: Actor;
  let member: Actor;
  let other: Actor;
  const db = () => ctx.t.server.db.orm.em.fork().getConnection();

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    orgAdmin = await addMember(ctx.t, ctx.org, 'oscar', OrgRole.ADMIN);
    member = await addMember(ctx.t, ctx.org, 'mia', OrgRole.MEMBER);
    other = await addMember(ctx.t, ctx.org, 'olaf', OrgRole.MEMBER);
  });
  afterAll(() => ctx?.t.close());

  describe('descriptions say what the code does', () => {
    const field = async (type: string, name: string) => {
      const res = await gql<{
        __type: {
          fields: Array<{
            name: string;
            description: string;
            type: { name: string | null; ofType: { ofType: { ofType: { name: string } | null } | null } | null };
          }>;
        };
      }>(
        ctx.url,
        'query($t: String!) { __type(name: $t) { fields { name description type { name ofType { ofType { ofType { ' +
          'name } } } } } } }',
        { t: type },
      );
      return res.data!.__type.fields.find((f) => f.name === name)!;
    };

    it(
      'User.email: the user and instance admins; an organization admin gets null (and reads emails in the members ' +
        'view)',
      async () => {
        expect((await field('User', 'email')).description).toMatch(/organization admins included/);
        const res = await gql<{
          organization: {
            members: { nodes: Array<{ email: string | null; user: { username: string; email: string | null } }> };
          };
        }>(
          ctx.url,
          'query { organization(name: "acme") { members(first: 100) { nodes { email user { username email } } } } }',
          {},
          orgAdmin.token,
        );
        const mia = res.data!.organization.members.nodes.find((n) => n.user.username === 'mia')!;
        expect(mia).toEqual({ email: 'mia@example.com', user: { username: 'mia', email: null } });
      },
    );

    it('ApiKey.expiresAt: every key expires, so it is never null', async () => {
      expect((await field('ApiKey', 'expiresAt')).description).not.toMatch(/null for never/);
      const res = await gql<{ createApiKey: { apiKey: { expiresAt: string | null } } }>(
        ctx.url,
        'mutation { createApiKey(input: { name: "ci" }) { apiKey { expiresAt } } }',
        {},
        member.token,
      );
      expect(res.data!.createApiKey.apiKey.expiresAt).not.toBeNull();
    });

    it('Viewer.kind: USER for a personal API key (SERVICE_ACCOUNT only for a service account key)', async () => {
      expect((await field('Viewer', 'kind')).description).toMatch(/^USER \(a session or a personal API key\)/);
      const key = await gql<{ createApiKey: { secret: string } }>(
        ctx.url,
        'mutation { createApiKey(input: { name: "k" }) { secret } }',
        {},
        member.token,
      );
      const viewer = await gql<{ viewer: { kind: string; authenticatedWith: string } }>(
        ctx.url,
        'query { viewer { kind authenticatedWith } }',
        {},
        key.data!.createApiKey.secret,
      );
      expect(viewer.data!.viewer).toEqual({ kind: 'USER', authenticatedWith: 'API_KEY' });
    });

    it('Organization.warnings has its own type, not the instance warning type', async () => {
      const warnings = await field('Organization', 'warnings');
      expect(warnings.type.ofType?.ofType?.ofType?.name).toBe('OrganizationWarning');
      const res = await gql<{ organization: { warnings: Array<{ code: string }> } }>(
        ctx.url,
        'query { organization(name: "acme") { warnings { code message } } }',
        {},
        orgAdmin.token,
      );
      expect(res.data!.organization.warnings).toEqual([]);
    });

    it('updateMemberRole says that demoting to VIEWER caps team roles at VIEW_ONLY', async () => {
      const res = await gql<{ __schema: { mutationType: { fields: Array<{ name: string; description: string }> } } }>(
        ctx.url,
        'query { __schema { mutationType { fields { name description } } } }',
        {},
      );
      const d = res.data!.__schema.mutationType.fields.find((f) => f.name === 'updateMemberRole')!.description;
      expect(d).toMatch(/VIEWER caps .*team roles .*VIEW_ONLY/);
    });
  });

  it('permissions nothing implements are neither granted nor listed', async () => {
    const perms = async (a: Actor) =>
      (
        await gql<{ organization: { viewerPermissions: string[] } }>(
          ctx.url,
          'query { organization(name: "acme") { viewerPermissions } }',
          {},
          a.token,
        )
      ).data!.organization.viewerPermissions;
    // The API names them with the OrganizationPermission enum (`audit_log:read` is AUDIT_LOG_READ).
    const implemented = [
      'API_KEY_READ_ALL',
      'AUDIT_LOG_READ',
      'CUSTOM_ROLE_MANAGE',
      'MEMBER_INVITE',
      'MEMBER_MANAGE',
      'MEMBER_READ',
      'MEMBER_READ_EMAIL',
      'ORG_READ',
      'ORG_UPDATE',
      // SCIM provisioning (issue 14): createScimToken, revokeScimToken, Organization.scimTokens.
      'SCIM_MANAGE',
      // Organization service accounts (issue 11): createServiceAccount without a team.
      'SERVICE_ACCOUNT_MANAGE_ORG',
      'TEAM_CREATE',
      'TEAM_MANAGE_ANY',
      // Usage (issue 13): activeUsers, usage, every member's activity summary.
      'USAGE_READ',
    ];
    expect(await perms(orgAdmin)).toEqual(implemented);
    expect(await perms(ctx.admin)).toEqual(implemented);
  });

  it('organization settings have their defaults in one place (the entity), as MEMBERs feel them', async () => {
    const res = await gql<{ organization: { settings: unknown } }>(
      ctx.url,
      'query { organization(name: "acme") { settings { membersCanCreateTeams apiKeyMaxLifetimeDays } } }',
      {},
      member.token,
    );
    expect(res.data!.organization.settings).toEqual({ membersCanCreateTeams: false, apiKeyMaxLifetimeDays: null });
    expect(
      codeOf(
        await gql(
          ctx.url,
          'mutation { createTeam(input: { organization: "acme", name: "mine" }) { team { name } } }',
          {},
          member.token,
        ),
      ),
    ).toBe('FORBIDDEN');
  });

  it('inviteUsers: the service counts what succeeded and failed', async () => {
    const res = await gql<{ inviteUsers: { succeeded: number; failed: number; results: Array<{ index: number }> } }>(
      ctx.url,
      'mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { succeeded failed results { index } } }',
      {
        i: {
          organization: 'acme',
          sendEmail: false,
          invitations: [
            { email: 'a1@example.com' },
            { email: 'not-an-email' },
            { email: 'mia@example.com' },
            { email: 'a2@example.com' },
          ],
        },
      },
      orgAdmin.token,
    );
    expect(res.data!.inviteUsers).toMatchObject({ succeeded: 2, failed: 2 });
    expect(res.data!.inviteUsers.results).toHaveLength(4);
  });

  it('invitation expiry: one rule for Invitation.expired, the accept link, seat counting and resend', async () => {
    await gql(
      ctx.url,
      'mutation { updateOrganization(input: { organization: "acme", seatLimit: 100 }) { organization { name } } }',
      {},
      ctx.admin.token,
    );
    const seats = async () =>
      (
        await gql<{ organization: { seats: { used: number } } }>(
          ctx.url,
          'query { organization(name: "acme") { seats { used } } }',
          {},
          orgAdmin.token,
        )
      ).data!.organization.seats.used;
    const inv = await inviteByLink(ctx.url, orgAdmin.token, 'acme', 'late@example.com');
    const before = await seats();
    const expired = async () =>
      (
        await gql<{ organization: { invitations: { nodes: Array<{ email: string; expired: boolean }> } } }>(
          ctx.url,
          'query { organization(name: "acme") { invitations(first: 100) { nodes { email expired } } } }',
          {},
          orgAdmin.token,
        )
      ).data!.organization.invitations.nodes.find((n) => n.email === 'late@example.com')!.expired;
    expect(await expired()).toBe(false);
    await db().execute(`update invitations set expires_at = now() - interval '1 second' where id = ?`, [inv.id]);
    expect(await expired()).toBe(true);
    expect(
      codeOf(await gql(ctx.url, 'query($t: String!) { invitationPreview(token: $t) { email } }', { t: inv.token })),
    ).toBe('INVITE_EXPIRED');
    expect(await seats()).toBe(before - 1);
    const resent = await gql<{ resendInvitation: { invitation: { expired: boolean } } }>(
      ctx.url,
      'mutation($i: ResendInvitationInput!) { resendInvitation(input: $i) { invitation { expired } } }',
      { i: { id: inv.id, sendEmail: false } },
      orgAdmin.token,
    );
    expect(resent.data!.resendInvitation.invitation.expired).toBe(false);
    expect(await seats()).toBe(before);
  });

  it('OrganizationMember.invitation: shown to those who see invitations (member:invite), on PENDING rows', async () => {
    const q =
      'query { organization(name: "acme") { members(first: 100, statuses: [PENDING]) { nodes { email invitation { ' +
      'email } } } } }';
    const res = await gql<{
      organization: { members: { nodes: Array<{ email: string; invitation: { email: string } | null }> } };
    }>(ctx.url, q, {}, orgAdmin.token);
    const row = res.data!.organization.members.nodes.find((n) => n.email === 'late@example.com')!;
    expect(row.invitation).toEqual({ email: 'late@example.com' });
    const asMember = await gql<{ organization: { members: { nodes: unknown[] } } }>(ctx.url, q, {}, member.token);
    expect(asMember.data!.organization.members.nodes).toEqual([]);
  });

  it(
    '"is this myself" is decided on the account, not on the ' +
      'typed login: a member leaves by their email in any case',
    async () => {
      await gql(
        ctx.url,
        'mutation { createTeam(input: { organization: "acme", name: "crew" }) { team { name } } }',
        {},
        orgAdmin.token,
      );
      await gql(
        ctx.url,
        'mutation { addTeamMember(input: { organization: "acme", team: "crew", user: "olaf" }) { member { role } } }',
        {},
        orgAdmin.token,
      );
      // Another member is not themselves: removing them needs member:manage on the team.
      expect(
        codeOf(
          await gql(
            ctx.url,
            'mutation { removeTeamMember(input: { organization: "acme", team: "crew", user: "OLAF@example.com" }) { ' +
              'user { username } } }',
            {},
            member.token,
          ),
        ),
      ).toBe('FORBIDDEN');
      const left = await gql<{ removeTeamMember: { user: { username: string } } }>(
        ctx.url,
        'mutation { removeTeamMember(input: { organization: "acme", team: "crew", user: " OLAF@Example.com " }) { ' +
          'user { username } } }',
        {},
        other.token,
      );
      expect(left.data!.removeTeamMember.user.username).toBe('olaf');
      expect(
        codeOf(
          await gql(
            ctx.url,
            'mutation { removeMember(input: { organization: "acme", user: "Olaf@Example.com" }) { user { username } ' +
              '} }',
            {},
            member.token,
          ),
        ),
      ).toBe('FORBIDDEN');
      const gone = await gql<{ removeMember: { user: { username: string } } }>(
        ctx.url,
        'mutation { removeMember(input: { organization: "acme", user: "OLAF@EXAMPLE.COM" }) { user { username } } }',
        {},
        other.token,
      );
      expect(gone.data!.removeMember.user.username).toBe('olaf');
      const rows: Array<{ action: string }> = await db().execute(
        `select action from audit_events where target_label = 'olaf' and action in ('team.member_left', ` +
          `'member.removed') order by created_at`,
      );
      expect(rows.map((r) => r.action)).toEqual(['team.member_left', 'member.removed']);
    },
  );

  it(
    "API-key ownership is the policy's: another user's key " + 'is NOT_FOUND, an instance admin may revoke it',
    async () => {
      const key = await gql<{ createApiKey: { apiKey: { id: string } } }>(
        ctx.url,
        'mutation { createApiKey(input: { name: "mine" }) { apiKey { id } } }',
        {},
        member.token,
      );
      const id = key.data!.createApiKey.apiKey.id;
      const revoke = 'mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { apiKey { status } } }';
      expect(codeOf(await gql(ctx.url, revoke, { i: { id } }, orgAdmin.token))).toBe('NOT_FOUND');
      expect(
        (await gql<{ revokeApiKey: { apiKey: { status: string } } }>(ctx.url, revoke, { i: { id } }, ctx.admin.token))
          .data!.revokeApiKey.apiKey.status,
      ).toBe('REVOKED');
    },
  );
});
