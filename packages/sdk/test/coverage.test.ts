import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, GraphQLEnumType, type GraphQLObjectType } from 'graphql';
import { describe, expect, test } from 'vitest';
import { ERROR_CLASSES, RosterError, RosterClient } from '../src';

// The SDK must keep up with the schema: a new Query or Mutation field without a
// same-named RosterClient method fails here.
const schema = buildSchema(readFileSync(path.join(__dirname, '../../schema/schema.graphql'), 'utf8'));

function fieldsOf(type: GraphQLObjectType | null | undefined): string[] {
  return type ? Object.keys(type.getFields()) : [];
}

describe('schema coverage', () => {
  const roots = { Query: fieldsOf(schema.getQueryType()), Mutation: fieldsOf(schema.getMutationType()) };

  test('the schema has the root fields the SDK was written against', () => {
    expect(roots.Query).toEqual(expect.arrayContaining(['viewer', 'instance', 'organization', 'organizations']));
    expect(roots.Mutation).toEqual(
      expect.arrayContaining([
        'signUp',
        'logIn',
        'logOut',
        'createApiKey',
        'revokeApiKey',
        'createOrganization',
        'updateOrganization',
      ]),
    );
  });

  test('every ErrorCode value of the schema has its own RosterError subclass, and no other code does', () => {
    const type = schema.getType('ErrorCode');
    expect(type).toBeInstanceOf(GraphQLEnumType);
    const codes = (type as GraphQLEnumType).getValues().map((v) => v.name);
    expect(codes).toContain('INVALID_CREDENTIALS');
    expect(Object.keys(ERROR_CLASSES).sort()).toEqual([...codes].sort());
    for (const ErrorClass of Object.values(ERROR_CLASSES)) {
      expect(ErrorClass.prototype).toBeInstanceOf(RosterError);
      expect(ErrorClass).not.toBe(RosterError);
    }
  });

  for (const [root, fields] of Object.entries(roots)) {
    test.each(fields)(`${root}.%s has a RosterClient method`, (name) => {
      expect(typeof (RosterClient.prototype as unknown as Record<string, unknown>)[name]).toBe('function');
    });
  }
});
