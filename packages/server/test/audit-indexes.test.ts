import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceWithAdmin, type InstanceWithAdmin } from './fixtures';
import { auditWhere, type AuditFilter, type AuditScope } from '../src/modules/audit/audit-log.service';
import { AuditAction } from '../src/modules/audit/audit.service';

/**
 * The audit log's page query uses an index for each filter, in the log's order (newest first by id), on a table
 * large enough for the planner to care (100,000 events over 200 days). Plans are PostgreSQL's: PGlite skips.
 */
describe.skipIf(!process.env.DATABASE_URL)('audit log indexes', () => {
  let ctx: InstanceWithAdmin;
  const exec = <T>(sql: string, bindings: unknown[] = []) =>
    ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute<T[]>(sql, bindings as never[]);
  const plan = async (scope: AuditScope, filter: AuditFilter): Promise<string> => {
    const where = auditWhere(scope, filter);
    const rows = await exec<{ 'QUERY PLAN': string }>(
      `explain select e.id from audit_events e where ${where.sql} order by e.id desc limit 21`,
      where.bindings,
    );
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  };

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    await exec(
      `insert into audit_events (action, actor_type, actor_id, actor_label, target_type, target_id, target_label,
         organization_id, created_at)
       select (array['user.logged_in', 'member.invited', 'team.created', 'api_key.created'])[1 + g % 4], 'user',
         gen_random_uuid(), 'user' || (g % 500), 'user', (g % 700)::text, 'label' || (g % 700),
         case when g % 3 = 0 then null else ?::uuid end, now() - (g * 3 || ' minutes')::interval
       from generate_series(1, 100000) g`,
      [ctx.org.id],
    );
    await exec('analyze audit_events');
  });
  afterAll(() => ctx?.t.close());

  it('reads an actor’s and a target’s events from their index, already in order', async () => {
    expect(await plan({ kind: 'instance' }, { actor: 'user7' })).toMatch(
      /Index (Only )?Scan Backward using audit_events_actor_label_id_index/,
    );
    expect(await plan({ kind: 'instance' }, { target: 'label7' })).toMatch(
      /Index (Only )?Scan Backward using audit_events_target_label_id_index/,
    );
  });

  it('reads a narrow time range from the created_at index, however long ago, and a wide one by index', async () => {
    const day = 86_400_000;
    const old = await plan(
      { kind: 'instance' },
      { since: new Date(Date.now() - 150 * day), until: new Date(Date.now() - 149 * day) },
    );
    expect(old).toMatch(/audit_events_created_at_index/);
    expect(await plan({ kind: 'instance' }, { since: new Date(Date.now() - day) })).toMatch(
      /audit_events_created_at_index/,
    );
    // Most of the table: walking the primary key newest first is cheapest.
    expect(await plan({ kind: 'instance' }, { since: new Date(Date.now() - 180 * day) })).toMatch(
      /Index Scan Backward using audit_events_pkey/,
    );
  });

  it('never scans the whole table for any filter or scope', async () => {
    const org: AuditScope = { kind: 'organization', organizationId: ctx.org.id };
    for (const [scope, filter] of [
      [{ kind: 'instance' }, {}],
      [{ kind: 'instance' }, { actions: [AuditAction.TEAM_CREATED] }],
      [{ kind: 'instance' }, { actions: [AuditAction.TEAM_CREATED, AuditAction.MEMBER_INVITED] }],
      [{ kind: 'instance' }, { targetType: 'user', target: 'label9' }],
      [org, {}],
      [org, { actor: 'user9' }],
      [org, { actions: [AuditAction.USER_LOGGED_IN], since: new Date(Date.now() - 86_400_000 * 10) }],
    ] as Array<[AuditScope, AuditFilter]>) {
      expect(await plan(scope, filter), JSON.stringify(filter)).not.toMatch(/Seq Scan on audit_events/);
    }
  });
});
