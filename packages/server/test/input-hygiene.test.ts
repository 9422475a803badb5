import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceWithAdmin, gql, codeOf, type InstanceWithAdmin } from './fixtures';
import { MAX_INPUT_LIST_LENGTH } from '../src/graphql/input-hygiene';
import { MAX_BULK_INVITES } from '../src/modules/invitations/invitation.service';

const CREATE_ORG =
  'mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { organization { name displayName } } }';

describe('input hygiene at the boundary', () => {
  let ctx: InstanceWithAdmin;
  beforeAll(async () => {
    ctx = await instanceWithAdmin();
  });
  afterAll(() => ctx?.t.close());

  async function auditCount(): Promise<number> {
    const rows = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute('select count(*)::int as n from audit_events');
    return (rows[0] as { n: number }).n;
  }

  it('refuses a NUL byte in a variable with BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const before = await auditCount();
    const res = await gql(ctx.url, CREATE_ORG, { i: { name: 'lab', displayName: 'Lab\u0000' } }, ctx.admin.token);
    expect(res.data).toBeUndefined();
    expect(res.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'displayName' });
    expect(res.errors![0]!.message).toMatch(/displayName contains a NUL byte/);
    expect(await auditCount()).toBe(before);
  });

  it('refuses unpaired surrogates in variables and in inline literals, but keeps valid astral characters', async () => {
    const lone = await gql(
      ctx.url,
      CREATE_ORG,
      { i: { name: 'lab', displayName: 'bad \ud800 text' } },
      ctx.admin.token,
    );
    expect(lone.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'displayName' });
    expect(lone.errors![0]!.message).toMatch(/unpaired UTF-16 surrogate/);

    const trailing = await gql(ctx.url, CREATE_ORG, { i: { name: 'lab', displayName: 'x\udc00' } }, ctx.admin.token);
    expect(trailing.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'displayName' });

    // In a document literal, graphql-js itself refuses a lone surrogate (escaped or raw) as a syntax error.
    const literal = await gql(
      ctx.url,
      'mutation { createOrganization(input: { name: "lab", displayName: "\\ud800" }) { organization { name } } }',
      {},
      ctx.admin.token,
    );
    expect(literal.errors![0]!.extensions).toEqual({ code: 'GRAPHQL_PARSE_FAILED' });
    // …but accepts an escaped NUL, which the boundary check refuses.
    const nulLiteral = await gql(
      ctx.url,
      'mutation { createOrganization(input: { name: "lab", displayName: "a\\u0000" }) { organization { name } } }',
      {},
      ctx.admin.token,
    );
    expect(nulLiteral.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'displayName' });

    const arg = await gql(ctx.url, '{ organization(name: "a\\u0000b") { name } }', {}, ctx.admin.token);
    expect(arg.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });

    const ok = await gql(ctx.url, CREATE_ORG, { i: { name: 'lab', displayName: 'Lab 🧪 عربى' } }, ctx.admin.token);
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.createOrganization.organization.displayName).toBe('Lab 🧪 عربى');
  });

  it('names nested fields by their path', async () => {
    const res = await gql(
      ctx.url,
      'mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { results { index } } }',
      { i: { organization: 'acme', invitations: [{ email: 'a@example.com' }, { email: 'b\u0000@example.com' }] } },
      ctx.admin.token,
    );
    expect(res.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'invitations.1.email' });
  });

  it('bounds every list argument', async () => {
    const teams = Array.from({ length: MAX_INPUT_LIST_LENGTH + 1 }, (_, i) => `t${i}`);
    const res = await gql(
      ctx.url,
      'query($t: [String!]) { organization(name: "acme") { members(teams: $t) { totalCount } } }',
      { t: teams },
      ctx.admin.token,
    );
    expect(res.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 't' });
    expect(res.errors![0]!.message).toMatch(/1001 items/);
  });

  it('lets a field declare its own list cap (inviteUsers: MAX_BULK_INVITES), whatever variable fills it', async () => {
    // Rows the service refuses one by one (not an address): they cross the boundary without writing anything.
    const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ email: `not an address ${i}` }));
    const WHOLE = 'mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { failed } }';
    const BY_ROWS =
      'mutation($rows: [InviteUsersRowInput!]!) { inviteUsers(input: { organization: "acme", invitations: $rows }) { ' +
      'failed } }';
    const more = MAX_INPUT_LIST_LENGTH + 1;
    const whole = await gql(ctx.url, WHOLE, { i: { organization: 'acme', invitations: rows(more) } }, ctx.admin.token);
    expect(whole.errors).toBeUndefined();
    expect(whole.data!.inviteUsers.failed).toBe(more);
    const byRows = await gql(ctx.url, BY_ROWS, { rows: rows(more) }, ctx.admin.token);
    expect(byRows.errors).toBeUndefined();
    expect(byRows.data!.inviteUsers.failed).toBe(more);

    const over = MAX_BULK_INVITES + 1;
    const tooMany = await gql(
      ctx.url,
      WHOLE,
      { i: { organization: 'acme', invitations: rows(over) } },
      ctx.admin.token,
    );
    expect(tooMany.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'invitations' });
    expect(tooMany.errors![0]!.message).toMatch(new RegExp(`has ${over} items.*at most ${MAX_BULK_INVITES} items`));
    const tooManyRows = await gql(ctx.url, BY_ROWS, { rows: rows(over) }, ctx.admin.token);
    expect(tooManyRows.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'rows' });

    // Other lists keep the generic cap, also inside the rows of the capped one.
    const teams = Array.from({ length: more }, (_, i) => ({ team: `t${i}` }));
    const nested = await gql(
      ctx.url,
      WHOLE,
      { i: { organization: 'acme', invitations: [{ email: 'a@example.com', teams }] } },
      ctx.admin.token,
    );
    expect(nested.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'invitations.0.teams' });
    expect(nested.errors![0]!.message).toMatch(new RegExp(`at most ${MAX_INPUT_LIST_LENGTH} items`));
  });

  it('answers BAD_USER_INPUT, not an internal error, when more than 50 variables fail to coerce', async () => {
    const query = 'query($r: [OrgRole!]) { organization(name: "acme") { members(roles: $r) { totalCount } } }';
    const res = await gql(ctx.url, query, { r: Array.from({ length: 80 }, (_, i) => `NOPE${i}`) }, ctx.admin.token);
    expect(res.status).toBe(200);
    const codes = new Set(res.errors!.map((e) => e.extensions?.code));
    expect([...codes]).toEqual(['BAD_USER_INPUT']);
    expect(res.errors!.at(-1)!.message).toMatch(/Too many invalid variables/);
  });

  it('keeps coercion errors on 200 for application/json and 400 for application/graphql-response+json', async () => {
    const json = await gql(
      ctx.url,
      'query($n: Int!) { organizations(first: $n) { totalCount } }',
      { n: 'x' },
      ctx.admin.token,
    );
    expect(json.status).toBe(200);
    expect(codeOf(json)).toBe('BAD_USER_INPUT');
    const strict = await gql(
      ctx.url,
      'query($n: Int!) { organizations(first: $n) { totalCount } }',
      { n: 'x' },
      ctx.admin.token,
      { accept: 'application/graphql-response+json' },
    );
    expect(strict.status).toBe(400);
  });
});
