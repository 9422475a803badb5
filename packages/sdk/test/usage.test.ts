import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { BadUserInputError, ForbiddenError, NotFoundError, RosterClient, TooManyBucketsError } from '../src';
import { bootstrapAdmin, useServer } from './helpers';

async function textOf(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe('usage and the members export', () => {
  const server = useServer();
  let admin: RosterClient;
  let org: string;

  beforeAll(async () => {
    ({ client: admin } = await bootstrapAdmin(server.url));
    const orgs = await admin.organizations({ first: 1 });
    org = orgs.nodes[0]!.name;
  });

  test('exportMembersCsv streams the CSV as a web ReadableStream, with filters', async () => {
    const stream = await admin.exportMembersCsv(org, {
      roles: ['ADMIN'],
      orderBy: { field: 'NAME', direction: 'DESC' },
    });
    expect(stream).toBeInstanceOf(ReadableStream);
    const lines = (await textOf(stream)).trim().split('\r\n');
    expect(lines[0]).toBe(
      'username,name,email,role,status,last active,teams,added at,runs created,reports created,days active',
    );
    expect(lines[1]).toMatch(/^ada,Ada Lovelace,ada@example.com,ADMIN,ACTIVE,/);
    const bom = new Uint8Array(await new Response(await admin.org(org).exportMembersCsv({ bom: true })).arrayBuffer());
    expect([...bom.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  test('exportMembersJsonl and the file helper', async () => {
    const jsonl = await textOf(await admin.exportMembersJsonl(org));
    const rows = jsonl
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { username: string; email: string; daysActive: number });
    expect(rows[0]).toMatchObject({ username: 'ada', email: 'ada@example.com' });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'roster-export-'));
    try {
      const file = path.join(dir, 'members.csv');
      const { bytes } = await admin.org(org).exportMembersToFile(file);
      const text = readFileSync(file, 'utf8');
      expect(Buffer.byteLength(text)).toBe(bytes);
      expect(text.split('\r\n')[0]).toMatch(/^username,name,email/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('refusals are typed errors before any byte', async () => {
    await expect(admin.exportMembersCsv('nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(admin.exportMembersCsv(org, { roles: ['OWNER' as never] })).rejects.toBeInstanceOf(BadUserInputError);
    const anonymous = new RosterClient({ url: server.url });
    await expect(anonymous.exportMembersCsv(org)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  test('activeUsers, organization usage, instance usage and member activity', async () => {
    const series = await admin.org(org).activeUsers({ range: 'LAST_7_DAYS', granularity: 'DAY' });
    expect(series.series).toHaveLength(7);
    expect(series.activeUsers).toBeGreaterThanOrEqual(1);
    await expect(admin.org(org).activeUsers({ range: 'ALL_TIME', granularity: 'DAY' })).resolves.toBeTruthy();
    const usage = await admin.org(org).usage();
    expect(usage).toMatchObject({ members: 1, seatsUsed: 1, seatLimit: null });
    const instance = await admin.instanceUsage({ first: 10, range: 'LAST_12_MONTHS', granularity: 'MONTH' });
    expect(instance.instance.usage?.organizationCount).toBe(1);
    expect(instance.organizations.nodes[0]?.usage.members).toBe(1);
    expect(instance.instance.usage?.activeUsers.series).toHaveLength(12);
    const members = await admin.org(org).members({ first: 5 });
    expect(members.nodes[0]?.activity).toMatchObject({ runsCreated: 0, reportsCreated: 0 });
    expect(TooManyBucketsError).toBeDefined();
    expect(ForbiddenError).toBeDefined();
  });
});
