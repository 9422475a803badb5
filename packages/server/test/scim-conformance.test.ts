import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { gql } from './fixtures';
import {
  ERROR,
  GROUP,
  LIST,
  PATCH_OP,
  ROSTER,
  USER,
  scimInstance,
  validateWithScimmy,
  type ScimInstance,
} from './scim-fixture';

/**
 * A conformance suite written from RFC 7643 (schema) and RFC 7644 (protocol); each test names the section it checks.
 * Response resources are validated with SCIMMY, an independent implementation of RFC 7643.
 */
let ctx: ScimInstance;
/** `location` and `$ref` are built from PUBLIC_URL (review finding 8), not from the URL the client called. */
const PUBLIC_URL = 'https://roster.example.com';
const PUBLIC_BASE = `${PUBLIC_URL}/scim/v2`;
beforeAll(async () => {
  ctx = await scimInstance({ PUBLIC_URL });
});
afterAll(async () => {
  await ctx?.t.close();
});

const isError = (body: Record<string, unknown>, status: number) => {
  expect(body.schemas).toEqual([ERROR]);
  expect(body.status).toBe(String(status));
  expect(typeof body.detail).toBe('string');
};

describe('discovery (RFC 7644 §4, RFC 7643 §5-§7)', () => {
  it('RFC 7644 §4 / RFC 7643 §5: ServiceProviderConfig says what is supported, with maxResults', async () => {
    const res = await ctx.scim.get('/ServiceProviderConfig');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
    expect(res.body.patch.supported).toBe(true);
    expect(res.body.bulk.supported).toBe(false);
    expect(res.body.filter).toEqual({ supported: true, maxResults: 1000 });
    expect(res.body.sort.supported).toBe(true);
    expect(res.body.etag.supported).toBe(true);
    expect(res.body.changePassword.supported).toBe(false);
    expect(res.body.authenticationSchemes[0].type).toBe('oauthbearertoken');
  });

  it('RFC 7643 §6: ResourceTypes lists User (with the Roster extension) and Group', async () => {
    const res = await ctx.scim.get('/ResourceTypes');
    expect(res.status).toBe(200);
    expect(res.body.schemas).toEqual([LIST]);
    const byId = Object.fromEntries(res.body.Resources.map((r: { id: string }) => [r.id, r]));
    expect(byId.User.endpoint).toBe('/Users');
    expect(byId.User.schema).toBe(USER);
    expect(byId.User.schemaExtensions).toEqual([{ schema: ROSTER, required: false }]);
    expect(byId.Group.schema).toBe(GROUP);
    expect((await ctx.scim.get('/ResourceTypes/User')).body.id).toBe('User');
    expect((await ctx.scim.get('/ResourceTypes/Nope')).status).toBe(404);
  });

  it('RFC 7643 §7: Schemas describe every attribute with its characteristics', async () => {
    const res = await ctx.scim.get('/Schemas');
    expect(res.body.totalResults).toBe(3);
    const user = (await ctx.scim.get(`/Schemas/${USER}`)).body;
    const userName = user.attributes.find((a: { name: string }) => a.name === 'userName');
    expect(userName).toMatchObject({ type: 'string', required: true, caseExact: false, uniqueness: 'server' });
    const groups = user.attributes.find((a: { name: string }) => a.name === 'groups');
    expect(groups.mutability).toBe('readOnly');
    for (const a of [...user.attributes, ...(await ctx.scim.get(`/Schemas/${GROUP}`)).body.attributes]) {
      for (const k of ['name', 'type', 'multiValued', 'required', 'caseExact', 'mutability', 'returned', 'uniqueness'])
        expect(a).toHaveProperty(k);
    }
    expect((await ctx.scim.get(`/Schemas/${ROSTER}`)).body.attributes.map((a: { name: string }) => a.name)).toEqual([
      'organizationRole',
      'teamRoles',
    ]);
  });
});

describe('errors (RFC 7644 §3.12)', () => {
  it('RFC 7644 §3.12 / §2: no token, a wrong token and a session token are 401 with a SCIM error body', async () => {
    for (const client of [
      new (ctx.scim.constructor as typeof import('./scim-fixture').ScimClient)(ctx.scim.base, null),
      new (ctx.scim.constructor as typeof import('./scim-fixture').ScimClient)(ctx.scim.base, 'rsc_nope'),
      new (ctx.scim.constructor as typeof import('./scim-fixture').ScimClient)(ctx.scim.base, ctx.admin.token),
    ]) {
      const res = await client.get('/Users');
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
      isError(res.body, 401);
    }
  });

  it('RFC 7644 §3.12: unknown routes are 404, bad JSON is 400 invalidSyntax, a huge body 413', async () => {
    const r404 = await ctx.scim.get('/Nope');
    expect(r404.status).toBe(404);
    isError(r404.body, 404);
    const bad = await ctx.scim.request('POST', '/Users', '{"schemas": [', {});
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidSyntax');
    const huge = await ctx.scim.post('/Users', { schemas: [USER], userName: 'x'.repeat(1_100_000) });
    expect(huge.status).toBe(413);
    isError(huge.body, 413);
    const bulk = await ctx.scim.post('/Bulk', {});
    expect(bulk.status).toBe(501);
  });

  it('RFC 7644 §3.4.2.2: a filter outside the grammar is 400 invalidFilter', async () => {
    for (const f of ['userName eq', 'userName xx "a"', 'nosuch eq "a"', '(userName eq "a"', 'active eq "yes"']) {
      const res = await ctx.scim.get(`/Users?filter=${encodeURIComponent(f)}`);
      expect(res.status, f).toBe(400);
      expect(res.body.scimType, f).toBe('invalidFilter');
    }
  });

  it('RFC 7644 §3.3: a missing userName is 400 invalidValue; the wrong schema is invalidSyntax', async () => {
    const res = await ctx.scim.post('/Users', { schemas: [USER], emails: [{ value: 'a@example.com' }] });
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('invalidValue');
    const wrong = await ctx.scim.post('/Users', { schemas: [GROUP], userName: 'x@example.com' });
    expect(wrong.body.scimType).toBe('invalidSyntax');
  });
});

describe('input hygiene and search (RFC 7644 §3.12, §3.4.3)', () => {
  it('RFC 7644 §3.12: NUL bytes and lone surrogates anywhere are 400, never a 500', async () => {
    const nul = 'a\u0000b';
    const lone = 'a\ud800b';
    for (const bad of [nul, lone]) {
      const u = await ctx.scim.createUser(`${bad}@example.com`);
      expect(u.status).toBe(400);
      const d = await ctx.scim.createUser('hygiene@example.com', { displayName: bad });
      expect(d.status).toBe(400);
      // A lone surrogate cannot be percent-encoded as UTF-8: its CESU-8 bytes are sent instead.
      const encoded = bad === lone ? 'a%ED%A0%80b' : encodeURIComponent(bad);
      const f = await ctx.scim.get(`/Users?filter=userName%20eq%20%22${encoded}%22`);
      expect([200, 400]).toContain(f.status);
      if (bad === nul) expect(f.status).toBe(400);
      const e = await ctx.scim.createUser('hygiene2@example.com', { externalId: bad });
      expect(e.status).toBe(400);
    }
  });

  it('RFC 7644 §3.4.3: POST /Users/.search takes the query in the body', async () => {
    await ctx.scim.createUser('searcher@example.com');
    const res = await ctx.scim.post('/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userName sw "searcher"',
      attributes: ['userName'],
      startIndex: 1,
      count: 10,
    });
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0]).toEqual({
      schemas: [USER, ROSTER],
      id: expect.any(String),
      userName: 'searcher@example.com',
    });
  });

  it('RFC 7644 §3.3: creating a user supersedes a pending invitation for the address', async () => {
    const inv = await gql<{ inviteUser: { invitation: { id: string } } }>(
      ctx.url,
      'mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { id } } }',
      { i: { organization: 'acme', email: 'invited@example.com', sendEmail: false } },
      ctx.admin.token,
    );
    expect(inv.errors).toBeUndefined();
    const invitationId = inv.data!.inviteUser.invitation.id;
    const conn = ctx.t.server.db.orm.em.fork().getConnection();
    // An invitation email still waiting to go out (due in an hour, so the sender leaves it queued meanwhile).
    await conn.execute(
      `insert into outbox_emails (id, kind, to_address, subject, invitation_id, next_attempt_at)
       values (gen_random_uuid(), 'invitation', 'invited@example.com', 'Join acme', ?, now() + interval '1 hour')`,
      [invitationId],
    );
    const res = await ctx.scim.createUser('invited@example.com');
    expect(res.status).toBe(201);
    const rows = await conn.execute<Array<{ status: string; revoked: boolean; queued: number }>>(
      `select status, revoked_at is not null as revoked, (select count(*)::int from outbox_emails e
         where e.invitation_id = i.id and e.status = 'QUEUED') as queued from invitations i where id = ?`,
      [invitationId],
    );
    // Revoked as revokeInvitation revokes: with its time, and its link no longer mailed.
    expect(rows[0]).toEqual({ status: 'REVOKED', revoked: true, queued: 0 });
    const members = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ n: number }>>(
        `select count(*)::int as n from org_memberships m left join users u on u.id = m.user_id
          left join invitations i on i.id = m.invitation_id where coalesce(u.email, i.email) = 'invited@example.com'`,
      );
    expect(members[0]!.n).toBe(1);
  });
});

describe('Users (RFC 7644 §3.3-§3.6)', () => {
  let id: string;

  it('RFC 7644 §3.3: POST creates a user: 201, Location, ETag, meta (RFC 7643 §3.1)', async () => {
    const res = await ctx.scim.createUser('Ada.Lovelace@Example.com', { externalId: 'okta-00u1' });
    expect(res.status).toBe(201);
    id = res.body.id;
    expect(res.headers.get('location')).toBe(`${PUBLIC_BASE}/Users/${id}`);
    expect(res.headers.get('etag')).toBe(res.body.meta.version);
    expect(res.body.meta).toMatchObject({ resourceType: 'User', location: `${PUBLIC_BASE}/Users/${id}` });
    expect(Date.parse(res.body.meta.created)).not.toBeNaN();
    expect(Date.parse(res.body.meta.lastModified)).not.toBeNaN();
    expect(res.body).toMatchObject({
      schemas: [USER, ROSTER],
      userName: 'Ada.Lovelace@Example.com',
      externalId: 'okta-00u1',
      active: true,
      emails: [{ value: 'ada.lovelace@example.com', type: 'work', primary: true }],
      name: { givenName: 'Given', familyName: 'Family', formatted: 'Given Family' },
      [ROSTER]: { organizationRole: 'MEMBER', teamRoles: [] },
    });
    validateWithScimmy('User', res.body);
  });

  it('RFC 7643 §4.1 / RFC 7644 §3.3: userName is unique case-insensitively: 409 uniqueness', async () => {
    const res = await ctx.scim.createUser('ADA.LOVELACE@example.com');
    expect(res.status).toBe(409);
    expect(res.body.scimType).toBe('uniqueness');
  });

  it('RFC 7644 §3.4.1: GET by id; unknown id is 404', async () => {
    const res = await ctx.scim.get(`/Users/${id}`);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(id);
    validateWithScimmy('User', res.body);
    expect((await ctx.scim.get('/Users/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await ctx.scim.get('/Users/not-a-uuid')).status).toBe(404);
  });

  it('RFC 7644 §3.4.2.2: userName eq matches case-insensitively; externalId eq case-exactly', async () => {
    const a = await ctx.scim.get(`/Users?filter=${encodeURIComponent('userName eq "ada.lovelace@EXAMPLE.com"')}`);
    expect(a.body.totalResults).toBe(1);
    expect(a.body.Resources[0].id).toBe(id);
    const b = await ctx.scim.get(`/Users?filter=${encodeURIComponent('externalId eq "okta-00u1"')}`);
    expect(b.body.totalResults).toBe(1);
    const c = await ctx.scim.get(`/Users?filter=${encodeURIComponent('externalId eq "OKTA-00U1"')}`);
    expect(c.body.totalResults).toBe(0);
  });

  it('RFC 7644 §3.4.2.5 / §3.9: attributes and excludedAttributes; id and schemas always returned', async () => {
    const a = await ctx.scim.get(`/Users/${id}?attributes=userName,name.givenName`);
    expect(a.body).toEqual({
      schemas: [USER, ROSTER],
      id,
      userName: 'Ada.Lovelace@Example.com',
      name: { givenName: 'Given' },
    });
    const b = await ctx.scim.get(
      `/Users?excludedAttributes=groups,emails,${ROSTER}&filter=${encodeURIComponent(`id eq "${id}"`)}`,
    );
    const r = b.body.Resources[0];
    expect(r.groups).toBeUndefined();
    expect(r.emails).toBeUndefined();
    expect(r[ROSTER]).toBeUndefined();
    expect(r.userName).toBeDefined();
    expect(r.meta.version).toBe((await ctx.scim.get(`/Users/${id}`)).body.meta.version);
    const c = await ctx.scim.get(`/Users/${id}?attributes=${ROSTER}:organizationRole`);
    expect(c.body[ROSTER]).toEqual({ organizationRole: 'MEMBER' });
  });

  it('RFC 7644 §3.5.1: PUT replaces; the same PUT twice is one change (same version, one audit event)', async () => {
    const body = {
      schemas: [USER],
      userName: 'Ada.Lovelace@Example.com',
      externalId: 'okta-00u1',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ value: 'ada.lovelace@example.com', primary: true }],
      active: true,
    };
    const first = await ctx.scim.put(`/Users/${id}`, body);
    expect(first.status).toBe(200);
    expect(first.body.name).toEqual({ formatted: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace' });
    validateWithScimmy('User', first.body);
    const events = async () =>
      (
        await ctx.t.server.db.orm.em
          .fork()
          .getConnection()
          .execute<Array<{ n: number }>>(
            `select count(*)::int as n from audit_events where target_id = ? and actor_type = 'scim_token'`,
            [id],
          )
      )[0]!.n;
    const before = await events();
    const second = await ctx.scim.put(`/Users/${id}`, body);
    expect(second.body.meta.version).toBe(first.body.meta.version);
    expect(await events()).toBe(before);
  });

  it('RFC 7644 §3.14: If-Match with a stale version is 412 and changes nothing; the current one applies', async () => {
    const cur = await ctx.scim.get(`/Users/${id}`);
    const stale = await ctx.scim.patch(`/Users/${id}`, [{ op: 'replace', path: 'displayName', value: 'X Y' }], {
      'if-match': 'W/"stale"',
    });
    expect(stale.status).toBe(412);
    isError(stale.body, 412);
    expect((await ctx.scim.get(`/Users/${id}`)).body.displayName).toBe('Ada Lovelace');
    const ok = await ctx.scim.patch(`/Users/${id}`, [{ op: 'replace', path: 'displayName', value: 'Ada L' }], {
      'if-match': cur.body.meta.version,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.displayName).toBe('Ada L');
    expect(ok.body.meta.version).not.toBe(cur.body.meta.version);
    const notModified = await ctx.scim.get(`/Users/${id}`, { 'if-none-match': ok.body.meta.version });
    expect(notModified.status).toBe(304);
  });

  it('RFC 7644 §3.5.2: PATCH with an unknown op is 400; a readOnly attribute is 400 mutability', async () => {
    const bad = await ctx.scim.request('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'explode', path: 'active' }],
    });
    expect(bad.status).toBe(400);
    const ro = await ctx.scim.patch(`/Users/${id}`, [{ op: 'replace', path: 'groups', value: [] }]);
    expect(ro.status).toBe(400);
    expect(ro.body.scimType).toBe('mutability');
    const noSchema = await ctx.scim.request('PATCH', `/Users/${id}`, { Operations: [] });
    expect(noSchema.body.scimType).toBe('invalidSyntax');
  });

  it('RFC 7644 §3.6: DELETE removes from the organization (204, then 404); the account stays', async () => {
    const res = await ctx.scim.createUser('grace@example.com');
    const del = await ctx.scim.delete(`/Users/${res.body.id}`);
    expect(del.status).toBe(204);
    expect((await ctx.scim.get(`/Users/${res.body.id}`)).status).toBe(404);
    const rows = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ n: number }>>('select count(*)::int as n from users where id = ?', [res.body.id]);
    expect(rows[0]!.n).toBe(1);
    expect((await ctx.scim.delete(`/Users/${res.body.id}`)).status).toBe(404);
  });
});

describe('Groups (RFC 7644 §3.3-§3.6 on RFC 7643 §4.2)', () => {
  it('RFC 7643 §4.2: POST a group with members; displayName is the team name', async () => {
    const u = await ctx.scim.createUser('linus@example.com');
    const res = await ctx.scim.post('/Groups', {
      schemas: [GROUP],
      displayName: 'ml-research',
      externalId: 'grp-1',
      members: [{ value: u.body.id }],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ displayName: 'ml-research', externalId: 'grp-1' });
    expect(res.body.members).toEqual([
      { value: u.body.id, $ref: `${PUBLIC_BASE}/Users/${u.body.id}`, display: 'linus@example.com', type: 'User' },
    ]);
    validateWithScimmy('Group', res.body);
    const user = await ctx.scim.get(`/Users/${u.body.id}`);
    expect(user.body.groups).toEqual([
      { value: res.body.id, $ref: `${PUBLIC_BASE}/Groups/${res.body.id}`, display: 'ml-research' },
    ]);
    expect(user.body[ROSTER].teamRoles).toEqual([{ value: res.body.id, display: 'ml-research', role: 'MEMBER' }]);
    const dup = await ctx.scim.post('/Groups', { schemas: [GROUP], displayName: 'ML-Research' });
    expect(dup.status).toBe(409);
    const bad = await ctx.scim.post('/Groups', { schemas: [GROUP], displayName: 'Not a team name!' });
    expect(bad.body.scimType).toBe('invalidValue');
    // Bounded like a PATCH: a Group written whole names at most 10,000 members.
    const tooMany = await ctx.scim.post('/Groups', {
      schemas: [GROUP],
      displayName: 'crowd',
      members: Array.from({ length: 10_001 }, () => ({ value: u.body.id })),
    });
    expect([tooMany.status, tooMany.body.scimType]).toEqual([400, 'invalidValue']);
    // Team names in teamRoles are compared with stored ones: text PostgreSQL cannot hold is refused, not a 500.
    const nul = await ctx.scim.createUser('nul-team@example.com', {
      [ROSTER]: { organizationRole: 'MEMBER', teamRoles: [{ display: 'ml\u0000research', role: 'MEMBER' }] },
    });
    expect([nul.status, nul.body.scimType]).toEqual([400, 'invalidValue']);
    const byName = await ctx.scim.get(`/Groups?filter=${encodeURIComponent('displayName eq "ML-RESEARCH"')}`);
    expect(byName.body.Resources.map((g: { id: string }) => g.id)).toEqual([res.body.id]);
    const byExt = await ctx.scim.get(`/Groups?filter=${encodeURIComponent('externalId eq "grp-1" and members pr')}`);
    expect(byExt.body.totalResults).toBe(1);
    expect(
      (await ctx.scim.get(`/Groups?filter=${encodeURIComponent('externalId eq "GRP-1"')}`)).body.totalResults,
    ).toBe(0);
    const put = await ctx.scim.put(`/Groups/${res.body.id}`, {
      schemas: [GROUP],
      displayName: 'ml-research',
      externalId: 'grp-1',
      members: [],
    });
    expect(put.body.members).toEqual([]);
    const again = await ctx.scim.put(`/Groups/${res.body.id}`, {
      schemas: [GROUP],
      displayName: 'ml-research',
      externalId: 'grp-1',
      members: [{ value: u.body.id }],
    });
    expect(again.body.members.map((m: { value: string }) => m.value)).toEqual([u.body.id]);
    const filtered = await ctx.scim.get(`/Groups?filter=${encodeURIComponent(`members eq "${u.body.id}"`)}`);
    expect(filtered.body.Resources.map((g: { id: string }) => g.id)).toEqual([res.body.id]);
    const noMembers = await ctx.scim.get('/Groups?excludedAttributes=members');
    expect(noMembers.body.Resources.every((g: Record<string, unknown>) => g.members === undefined)).toBe(true);
  });

  it('RFC 7644 §3.14 on Groups: the version covers the members, whether or not they are returned', async () => {
    const u = await ctx.scim.createUser('etag-member@example.com');
    const g = await ctx.scim.post('/Groups', { schemas: [GROUP], displayName: 'etag-team' });
    const full = await ctx.scim.get(`/Groups/${g.body.id}`);
    const slim = await ctx.scim.get(`/Groups/${g.body.id}?excludedAttributes=members`);
    expect(slim.body.members).toBeUndefined();
    expect(slim.body.meta.version).toBe(full.body.meta.version);
    const add = await ctx.scim.patch(
      `/Groups/${g.body.id}?excludedAttributes=members`,
      [{ op: 'add', path: 'members', value: [{ value: u.body.id }] }],
      { 'if-match': full.body.meta.version },
    );
    expect(add.status).toBe(200);
    expect(add.body.members).toBeUndefined();
    expect(add.body.meta.version).not.toBe(full.body.meta.version);
    expect((await ctx.scim.get(`/Groups/${g.body.id}`)).body.meta.version).toBe(add.body.meta.version);
    const stale = await ctx.scim.patch(`/Groups/${g.body.id}`, [{ op: 'remove', path: 'members' }], {
      'if-match': full.body.meta.version,
    });
    expect(stale.status).toBe(412);
    const again = await ctx.scim.patch(`/Groups/${g.body.id}`, [
      { op: 'add', path: 'members', value: [{ value: u.body.id }] },
    ]);
    expect(again.body.meta.version).toBe(add.body.meta.version);
  });
});

describe('review finding 1: every spelling of members patches all of them', () => {
  it('RFC 7644 §3.5.2.3/§3.5.2.2: replace/remove on "members.value" and the URN key, no If-Match', async () => {
    const [a, b, c] = await Promise.all(['rm-a', 'rm-b', 'rm-c'].map((n) => ctx.scim.createUser(`${n}@example.com`)));
    const ids = [a!.body.id as string, b!.body.id as string, c!.body.id as string];
    const g = await ctx.scim.post('/Groups', {
      schemas: [GROUP],
      displayName: 'replace-team',
      members: [{ value: ids[0] }, { value: ids[1] }],
    });
    const members = async () =>
      ((await ctx.scim.get(`/Groups/${g.body.id}`)).body.members ?? []).map((m: { value: string }) => m.value).sort();
    // replace members.value: A and B leave, C stays alone (it was: C added, nobody removed).
    const r1 = await ctx.scim.patch(`/Groups/${g.body.id}`, [
      { op: 'replace', path: 'members.value', value: [{ value: ids[2] }] },
    ]);
    expect(r1.status).toBe(200);
    expect(await members()).toEqual([ids[2]]);
    // A path-less replace with the schema-qualified key.
    const r2 = await ctx.scim.patch(`/Groups/${g.body.id}`, [
      { op: 'replace', value: { [`${GROUP}:members`]: [{ value: ids[0] }, { value: ids[1] }] } },
    ]);
    expect(r2.status).toBe(200);
    expect(await members()).toEqual([ids[0], ids[1]].sort());
    // remove members.value: everyone leaves (it was: 200 and nothing changed).
    const r3 = await ctx.scim.patch(`/Groups/${g.body.id}`, [{ op: 'remove', path: 'members.value' }]);
    expect(r3.status).toBe(200);
    expect(await members()).toEqual([]);
  });
});

describe('review finding 8: the Host header is not reflected', () => {
  /** A request with a Host header of the caller's choosing (fetch does not let one set it). */
  const withHost = (method: string, path: string, host: string, body?: unknown) =>
    new Promise<{ status: number; location: string | undefined; body: Record<string, unknown> }>((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = httpRequest(
        `${ctx.scim.base}${path}`,
        {
          method,
          headers: {
            host,
            authorization: `Bearer ${ctx.secret}`,
            ...(data ? { 'content-type': 'application/scim+json' } : {}),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: JSON.parse(text) }),
          );
        },
      );
      req.on('error', reject);
      req.end(data);
    });

  it('RFC 7644 §3.3 (Location), RFC 7643 §3.1 (meta.location): built from PUBLIC_URL, not Host', async () => {
    const created = await withHost('POST', '/Users', 'evil.example', {
      schemas: [USER],
      userName: 'host-probe@example.com',
    });
    expect(created.status).toBe(201);
    expect(created.location).toBe(`${PUBLIC_BASE}/Users/${String(created.body.id)}`);
    expect(JSON.stringify(created.body)).not.toContain('evil.example');
    const config = await withHost('GET', '/ServiceProviderConfig', 'evil.example');
    expect(JSON.stringify(config.body)).not.toContain('evil.example');
    expect(JSON.stringify(config.body)).toContain(PUBLIC_BASE);
  });
});
