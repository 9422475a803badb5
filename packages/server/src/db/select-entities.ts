import type { EntityClass, EntityData, EntityDictionary, EntityManager, Knex } from '@mikro-orm/postgresql';

/**
 * Entities read by one hand-written statement and merged into the EntityManager: managed, so a service may still
 * change and flush them, and an entity the request already holds is returned as it is (not overwritten).
 *
 * For the lookups nearly every request makes (its session, the organization it names, the caller's membership):
 * MikroORM's find/findOne builds the query, its populate plan and its result mapping on each call, which cost 0.45 to
 * 1.3 ms of CPU per lookup on the bench data, against about 0.2 ms for a fixed statement and `em.map`
 * (docs/PERFORMANCE.md). `sql` selects whole rows of the entity's table (`t.*`) and nothing else.
 */
export async function selectEntities<T extends object>(
  em: EntityManager,
  entity: EntityClass<T>,
  sql: string,
  params: readonly unknown[],
): Promise<T[]> {
  const rows: Array<Record<string, unknown>> = await em.execute(sql, [...params]);
  return rows.map((row) => mapRow(em, entity, row));
}

/**
 * The name of a fixed statement that runs as a prepared statement: parsed once per database connection, planned with
 * its parameters' values until PostgreSQL settles on a generic plan (plan_cache_mode auto), instead of parsed and
 * planned on every request. Only for statements whose text never varies, read by unique keys (a generic plan is as
 * good as a custom one), whose columns do not change with the schema (whole rows as `to_jsonb(t)`, never `t.*`: a
 * prepared statement whose result columns changed under it fails); names are unique per text (the driver refuses one
 * name for two texts).
 */
export type PreparedStatementName = `roster_${string}`;

/**
 * Runs a fixed statement (`?` placeholders) through the ORM's knex, so that metrics and statement counts see it, in
 * the EntityManager's transaction if it has one. MikroORM's `em.execute` writes the parameters' values into the
 * statement's text (a new statement for PostgreSQL each time); here they stay parameters.
 */
async function runFixed<R>(
  em: EntityManager,
  sql: string,
  params: readonly unknown[],
  statement: PreparedStatementName | undefined,
): Promise<R[]> {
  if (!statement) return em.execute(sql, [...params]);
  const query = em
    .getKnex()
    .raw(sql, [...params] as Knex.RawBinding[])
    .options({ name: statement });
  const transaction = em.getTransactionContext<Knex.Transaction>();
  if (transaction) query.transacting(transaction);
  const result = (await query) as { rows: R[] };
  return result.rows;
}

/**
 * Several entities per row from one statement (a row and the rows it joins), each column a whole row as JSON
 * (`to_jsonb(t) as <key>`), merged into the EntityManager like `selectEntities`. A key is absent where its column is
 * null (an outer join that found nothing). Columns not named in `entities` come back as they are (`P`): for facts a
 * request only checks, which need no entity.
 */
export async function selectRows<
  R extends Record<string, object>,
  P extends Record<string, unknown> = Record<never, never>,
>(
  em: EntityManager,
  entities: { [K in keyof R]: EntityClass<R[K]> },
  sql: string,
  params: readonly unknown[],
  statement?: PreparedStatementName,
): Promise<Array<Partial<R> & P>> {
  const rows = await runFixed<Record<string, unknown>>(em, sql, params, statement);
  return rows.map((row) => {
    const mapped: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) {
      const entity = (entities as Record<string, EntityClass<object> | undefined>)[key];
      if (!entity) mapped[key] = value;
      else if (value) mapped[key] = mapRow(em, entity, value as Record<string, unknown>);
    }
    return mapped as Partial<R> & P;
  });
}

/**
 * `em.map` without its refresh: column names to properties, strings (JSON rows) to the properties' types, merged so
 * that an entity the request already changed keeps its changes. No validation (the values are the table's own) and no
 * cascade (the factory already registered the references the row holds).
 */
function mapRow<T extends object>(em: EntityManager, entity: EntityClass<T>, row: Record<string, unknown>): T {
  const data = em.getDriver().mapResult(row as EntityDictionary<T>, em.getMetadata().get<T>(entity.name));
  return em.merge(entity, data as EntityData<T>, {
    refresh: false,
    convertCustomTypes: true,
    validate: false,
    cascade: false,
  });
}
