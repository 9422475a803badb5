import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { instanceWithAdmin, gql, type InstanceWithAdmin } from './fixtures';
import { UNIQUE_CONSTRAINTS, rethrowUniqueAsConflict, violatedConstraint } from '../src/db/unique-violation';
import { AppError } from '../src/errors';
import { User } from '../src/modules/accounts/user.entity';
import { Organization } from '../src/modules/organizations/organization.entity';
import { randomUUID } from 'node:crypto';

/** The unique constraint a statement violates, as the server's helper reports it. */
async function conflictOf(
  insert: () => Promise<unknown>,
): Promise<{ code: unknown; field: unknown; constraint: string | null }> {
  try {
    await insert();
  } catch (err) {
    expect(err).toBeInstanceOf(UniqueConstraintViolationException);
    const constraint = violatedConstraint(err as UniqueConstraintViolationException);
    try {
      rethrowUniqueAsConflict(err);
    } catch (mapped) {
      expect(mapped).toBeInstanceOf(AppError);
      return { code: (mapped as AppError).extensions.code, field: (mapped as AppError).extensions.field, constraint };
    }
  }
  throw new Error('expected a unique violation');
}

describe('unique constraint names map to input fields', () => {
  let ctx: InstanceWithAdmin;
  beforeAll(async () => {
    ctx = await instanceWithAdmin();
  });
  afterAll(() => ctx?.t.close());

  it(
    'lists every unique constraint and unique index of the ' + 'schema (a new one must say which field it guards)',
    async () => {
      const rows: Array<{ name: string }> = await ctx.t.server.db.orm.em
        .fork()
        .getConnection()
        .execute(
          `select c.relname as name from pg_index x join pg_class c on c.oid = x.indexrelid join pg_namespace n on ` +
            `n.oid = c.relnamespace
        where x.indisunique and not x.indisprimary and n.nspname = current_schema() order by 1`,
        );
      expect(rows.map((r) => r.name).filter((n) => !n.startsWith('mikro_orm_'))).toEqual(
        Object.keys(UNIQUE_CONSTRAINTS).sort(),
      );
    },
  );

  it('names the field by the constraint, not by guessing from the message', async () => {
    // The email value contains "username" and the username contains "email": a regex on the message would pick the
    // wrong field.
    const em = () => ctx.t.server.db.orm.em.fork();
    const email = await conflictOf(() =>
      em().insert(User, { id: randomUUID(), email: 'admin@example.com', username: 'username-x', name: 'X' }),
    );
    expect(email).toEqual({ code: 'CONFLICT', field: 'email', constraint: 'users_email_unique' });
    const username = await conflictOf(() =>
      em().insert(User, { id: randomUUID(), email: 'email-username@example.com', username: 'admin', name: 'X' }),
    );
    expect(username).toEqual({ code: 'CONFLICT', field: 'username', constraint: 'users_username_unique' });
    const org = await conflictOf(() =>
      em().insert(Organization, { id: randomUUID(), name: 'acme', displayName: 'Acme username email' }),
    );
    expect(org).toEqual({ code: 'CONFLICT', field: 'name', constraint: 'organizations_name_unique' });
  });

  it(
    'reaches the client as CONFLICT with the field through ' +
      'GraphQL (createOrganization losing to an existing name)',
    async () => {
      const res = await gql(
        ctx.url,
        'mutation { createOrganization(input: { name: "acme" }) { organization { name } } }',
        {},
        ctx.admin.token,
      );
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'name' });
    },
  );
});
