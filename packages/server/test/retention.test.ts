import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instanceWithAdmin, countStatements, type InstanceWithAdmin } from './fixtures';
import { RETENTION_LOCK_KEY, RetentionPruner } from '../src/modules/audit/retention';
import type { Database } from '../src/db/orm';
import { loadConfig } from '../src/config';

const DAY = 86_400_000;
/** A second process needs a second connection: PGlite serves one, so those tests run on PostgreSQL (CI). */
const POSTGRES = Boolean(process.env.DATABASE_URL);

describe('retention: pruning old audit events and emails', () => {
  let ctx: InstanceWithAdmin;
  let other: Database;
  const settings = { auditDays: 30, emailDays: 60, emailBodyDays: 7, intervalMs: 3_600_000 };
  const sql = <T = Record<string, unknown>>(q: string, b: unknown[] = []) =>
    ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute<T[]>(q, b as never[]);
  const count = async (q: string) => Number((await sql<{ n: string }>(q))[0]!.n);

  /** `old` audit events 40 days old and `recent` from today, besides what the fixture wrote. */
  async function seedAudit(old: number, recent: number): Promise<void> {
    await sql(
      `insert into audit_events (action, actor_type, created_at)
         select 'user.logged_in', 'user', now() - interval '40 days' from generate_series(1, ?)`,
      [old],
    );
    await sql(
      `insert into audit_events (action, actor_type, created_at) select 'user.logged_in', 'user', now()
         from generate_series(1, ?)`,
      [recent],
    );
  }

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    if (POSTGRES) other = await ctx.t.openExtraDatabase();
  });
  afterAll(async () => {
    await other?.close();
    await ctx?.t.close();
  });
  beforeEach(async () => {
    await sql('delete from audit_events');
    await sql('delete from outbox_emails');
  });

  it('deletes audit events past the retention in batches of 5,000, keeping recent ones', async () => {
    await seedAudit(12_345, 100);
    const pruner = new RetentionPruner(ctx.t.server.db.orm, settings, ctx.t.server.logger);
    const { result, statements } = await countStatements(ctx.t, () => pruner.runOnce());
    expect(result).toMatchObject({ auditEventsDeleted: 12_345, batches: 3 });
    // Three full or partial batches, each one delete statement.
    expect(statements.filter((s) => /^\s*delete from audit_events/.test(s))).toHaveLength(3);
    expect(await count(`select count(*) as n from audit_events where created_at < now() - interval '30 days'`)).toBe(0);
    // The recent rows, plus the one event recording the run.
    expect(await count('select count(*) as n from audit_events')).toBe(101);
    const [event] = await sql<{ action: string; actor_type: string; metadata: Record<string, unknown> }>(
      `select action, actor_type, metadata from audit_events where action = 'retention.pruned'`,
    );
    expect(event).toMatchObject({ actor_type: 'system', metadata: { auditEventsDeleted: 12_345 } });
    // Nothing left to do: the next run changes nothing and records nothing.
    expect(await pruner.runOnce()).toMatchObject({ auditEventsDeleted: 0, batches: 0 });
    expect(await count('select count(*) as n from audit_events')).toBe(101);
  });

  it('keeps everything with a retention of 0 days', async () => {
    await seedAudit(50, 0);
    const pruner = new RetentionPruner(
      ctx.t.server.db.orm,
      { ...settings, auditDays: 0, emailDays: 0, emailBodyDays: 0 },
      ctx.t.server.logger,
    );
    expect(await pruner.runOnce()).toMatchObject({ auditEventsDeleted: 0, batches: 0 });
    expect(await count('select count(*) as n from audit_events')).toBe(50);
  });

  it.skipIf(!POSTGRES)(
    'lets two processes race: one prunes at a time, every old row goes exactly once, none of the new',
    async () => {
      await seedAudit(20_000, 10);
      const a = new RetentionPruner(ctx.t.server.db.orm, settings, ctx.t.server.logger, 1_000);
      const b = new RetentionPruner(other.orm, settings, ctx.t.server.logger, 1_000);
      // A second call while a process's run is going joins that run: runs of one process never overlap.
      const runs = new Set([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
      expect(runs.size).toBe(2);
      const results = await Promise.all(runs);
      // Another round finishes whatever a run that found the lock taken left.
      const again = await Promise.all([a.runOnce(), b.runOnce()]);
      const deleted = [...results, ...again].reduce((n, r) => n + (r?.auditEventsDeleted ?? 0), 0);
      expect(deleted).toBe(20_000);
      expect(await count(`select count(*) as n from audit_events where action = 'user.logged_in'`)).toBe(10);
    },
  );

  it.skipIf(!POSTGRES)('stops when another process holds the lock, and deletes nothing meanwhile', async () => {
    await seedAudit(100, 0);
    const knex = other.orm.em.getConnection().getKnex();
    const trx = await knex.transaction();
    try {
      const held = await trx.raw('select pg_try_advisory_xact_lock(?::bigint) as ok', [RETENTION_LOCK_KEY]);
      expect(held.rows[0].ok).toBe(true);
      const pruner = new RetentionPruner(ctx.t.server.db.orm, settings, ctx.t.server.logger);
      expect(await pruner.runOnce()).toBeNull();
      expect(await count('select count(*) as n from audit_events')).toBe(100);
    } finally {
      await trx.rollback();
    }
  });

  it('clears bodies of delivered emails after EMAIL_BODY_RETENTION_DAYS and deletes old final ones', async () => {
    const insert = (status: string, ageDays: number, body: string | null) =>
      sql(
        `insert into outbox_emails (id, kind, to_address, subject, text_body, html_body, status, created_at, sent_at)
           values (gen_random_uuid(), 'invitation', 'x@example.com', 'Hi', ?, ?, ?, ?, ?)`,
        [
          body,
          body,
          status,
          new Date(Date.now() - ageDays * DAY),
          status === 'SENT' ? new Date(Date.now() - ageDays * DAY) : null,
        ],
      );
    await insert('FAILED', 10, 'link-a'); // body cleared, row kept
    await insert('LOGGED', 3, 'link-b'); // too recent: body kept
    await insert('QUEUED', 100, 'link-c'); // not final: untouched
    await insert('SENT', 90, null); // deleted
    await insert('FAILED', 61, 'link-d'); // deleted
    const pruner = new RetentionPruner(ctx.t.server.db.orm, settings, ctx.t.server.logger);
    expect(await pruner.runOnce()).toMatchObject({ emailBodiesCleared: 2, emailsDeleted: 2 });
    const rows = await sql<{ status: string; text_body: string | null }>(
      'select status, text_body from outbox_emails order by created_at',
    );
    expect(rows).toEqual([
      { status: 'QUEUED', text_body: 'link-c' },
      { status: 'FAILED', text_body: null },
      { status: 'LOGGED', text_body: 'link-b' },
    ]);
  });

  it('reads its settings from the environment, 0 keeping forever', async () => {
    expect(loadConfig({}).retention).toEqual({
      auditDays: 365,
      emailDays: 90,
      emailBodyDays: 7,
      intervalMs: 3_600_000,
    });
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '0' }).retention.auditDays).toBe(0);
    expect(() => loadConfig({ AUDIT_RETENTION_DAYS: '-1' })).toThrow(/AUDIT_RETENTION_DAYS/);
  });
});
