import { ReferenceKind, Reference, Utils, wrap, type EntityProperty } from '@mikro-orm/core';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';

/**
 * Inserts new entities of one class in a single statement, in the caller's transaction:
 * `insert into t (…) select … from jsonb_to_recordset($1) as r(…)`, every row's values in one JSON parameter.
 * For bulk writes of thousands of rows (inviteUsers): the unit of work re-walks every entity it holds on each flush,
 * and MikroORM's own inserts (flush, `em.insertMany`) inline every value into the SQL text, escaped in JavaScript,
 * which for rows carrying email bodies costs more than the database's work. Columns and their types come from the
 * entities' metadata, so the mapping stays on the entities. The entities stay unmanaged (no identity map); values
 * are what their properties hold (initializers included), references are written as their primary keys.
 */
export async function insertEntities<T extends object>(em: EntityManager, entities: readonly T[]): Promise<void> {
  const first = entities[0];
  if (!first) return;
  const meta = em.getMetadata().get<T>(first.constructor.name);
  // A property no entity sets (undefined) is left to the database: its default, or a trigger that derives it
  // (the members view's keys on org_memberships).
  const props = meta.props.filter((p) => isInsertedColumn(p) && entities.some((e) => e[p.name] !== undefined));
  const columns = props.map((p) => quote(p.fieldNames[0]!));
  const rows = entities.map((entity) => {
    const row: Record<string, unknown> = {};
    for (const prop of props) row[prop.fieldNames[0]!] = columnValue(entity[prop.name]);
    return row;
  });
  const knex: Knex = em.getTransactionContext<Knex.Transaction>() ?? em.getKnex();
  await knex.raw(
    `insert into ${quote(meta.tableName)} (${columns.join(', ')}) select ${columns.join(', ')}
       from jsonb_to_recordset(?::jsonb) as r(${props.map((p, i) => `${columns[i]} ${p.columnTypes[0]}`).join(', ')})`,
    [JSON.stringify(rows)],
  );
}

/** Own columns of the table: scalars and the owning side of to-one relations; not database-generated ones. */
function isInsertedColumn(prop: EntityProperty): boolean {
  if (prop.persist === false || prop.autoincrement || prop.generated || prop.fieldNames?.length !== 1) return false;
  return (
    prop.kind === ReferenceKind.SCALAR ||
    prop.kind === ReferenceKind.MANY_TO_ONE ||
    (prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner === true)
  );
}

/** A property's value as JSON for its column: a related entity (or reference to one) by its primary key. */
function columnValue(value: unknown): unknown {
  if (value == null) return null;
  const entity = Reference.isReference(value) ? value.unwrap() : value;
  return Utils.isEntity(entity) ? wrap(entity, true).getPrimaryKey() : value;
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
