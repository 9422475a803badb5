import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { printRosterSchema } from '../src/graphql/schema';

const COMMITTED = path.resolve(__dirname, '../../schema/schema.graphql');

describe('packages/schema', () => {
  it('matches what the server builds (run `pnpm schema` to regenerate)', async () => {
    const built = await printRosterSchema();
    const committed = fs.readFileSync(COMMITTED, 'utf8');
    expect(committed, 'packages/schema/schema.graphql is stale: run `pnpm schema` and commit it').toBe(built);
  });

  it('describes every type and field, as GraphiQL shows them as docs', async () => {
    const { buildSchema, isObjectType, isInputObjectType, isEnumType } = await import('graphql');
    const schema = buildSchema(await printRosterSchema());
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields()))
          if (!field.description) missing.push(`${type.name}.${field.name}`);
      }
      if (isEnumType(type))
        for (const v of type.getValues())
          if (
            !v.description &&
            type.name !== 'ApiKeyStatus' &&
            type.name !== 'AuthMethod' &&
            type.name !== 'PrincipalKind'
          )
            missing.push(`${type.name}.${v.name}`);
    }
    expect(missing).toEqual([]);
  });

  it('follows the mutation convention verbNoun(input: VerbNounInput!): VerbNounPayload!', async () => {
    const { buildSchema } = await import('graphql');
    const schema = buildSchema(await printRosterSchema());
    const bad: string[] = [];
    for (const field of Object.values(schema.getMutationType()!.getFields())) {
      const pascal = field.name[0]!.toUpperCase() + field.name.slice(1);
      if (String(field.type) !== `${pascal}Payload!`) bad.push(`${field.name} returns ${String(field.type)}`);
      for (const arg of field.args)
        if (arg.name !== 'input' || String(arg.type) !== `${pascal}Input!`)
          bad.push(`${field.name}(${arg.name}: ${String(arg.type)})`);
    }
    expect(bad).toEqual([]);
  });
});
