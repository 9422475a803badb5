import {
  Kind,
  TypeInfo,
  getNullableType,
  getOperationAST,
  isInputObjectType,
  isInputType,
  isListType,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputFieldMap,
  type GraphQLInputType,
  type GraphQLSchema,
  type TypeNode,
  type ValueNode,
} from 'graphql';
import { Extensions } from 'type-graphql';
import { AppError, ErrorCode } from '../errors';

/**
 * Longest list any argument may hold, unless its field declares a cap of its own with `MaxItems`; services set tighter
 * bounds of their own (e.g. 20 team filters).
 */
export const MAX_INPUT_LIST_LENGTH = 1000;

/** The extension `MaxItems` sets on an input field or argument. */
const LIST_CAP_EXTENSION = 'maxItems';

/**
 * Lets one list field or argument hold up to `max` items at the boundary instead of MAX_INPUT_LIST_LENGTH (inviteUsers'
 * `invitations`), without raising the bound of every other list. The service's validator enforces the same constant.
 */
export function MaxItems(max: number): ReturnType<typeof Extensions> {
  return Extensions({ [LIST_CAP_EXTENSION]: max });
}

/** The list cap of an input field or argument (or of a position without one). */
function listCapOf(definition: { extensions: Readonly<Record<string, unknown>> } | null | undefined): number {
  const cap = definition?.extensions[LIST_CAP_EXTENSION];
  return typeof cap === 'number' ? cap : MAX_INPUT_LIST_LENGTH;
}

// A NUL byte, or a UTF-16 surrogate without its partner: PostgreSQL cannot store either in text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether PostgreSQL can store this text: the one rule, also used for text inside cursors (graphql/cursor.ts). */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

function problemWith(value: string): string | null {
  const match = UNSTORABLE.exec(value);
  if (!match) return null;
  return match[0] === '\u0000' ? 'contains a NUL byte' : 'contains an unpaired UTF-16 surrogate (invalid Unicode)';
}

function reject(field: string, problem: string, maxItems: number = MAX_INPUT_LIST_LENGTH): AppError {
  return new AppError(
    ErrorCode.BAD_USER_INPUT,
    `${field} ${problem}; send valid UTF-8 text without NUL characters and lists of at most ${maxItems} items.`,
    { field },
  );
}

/** Names a nested input the way services do: `input` is implied, so `input.email` is `email`. */
function fieldName(path: ReadonlyArray<string | number>): string {
  const parts = path[0] === 'input' && path.length > 1 ? path.slice(1) : path;
  return parts.length > 0 ? parts.join('.') : 'variables';
}

/** The type of the items of a list type (undefined when `type` is unknown or not a list). */
function itemTypeOf(type: GraphQLInputType | undefined): GraphQLInputType | undefined {
  const nullable = type && getNullableType(type);
  return nullable && isListType(nullable) && isInputType(nullable.ofType) ? nullable.ofType : undefined;
}

/** The fields of an input object type (undefined when `type` is unknown or not an input object). */
function fieldsOf(type: GraphQLInputType | undefined): GraphQLInputFieldMap | undefined {
  const nullable = type && getNullableType(type);
  return nullable && isInputObjectType(nullable) ? nullable.getFields() : undefined;
}

function inputTypeOf(schema: GraphQLSchema, node: TypeNode): GraphQLInputType | undefined {
  const type = typeFromAST(schema, node);
  return type && isInputType(type) ? type : undefined;
}

/**
 * `type` is the value's GraphQL type when known (the walk follows the variable's declared type), so a field's own list
 * cap applies; without it (an unknown field, which coercion refuses later) the generic cap does.
 */
function checkValue(
  value: unknown,
  path: Array<string | number>,
  type: GraphQLInputType | undefined,
  maxItems: number = MAX_INPUT_LIST_LENGTH,
): void {
  if (typeof value === 'string') {
    const problem = problemWith(value);
    if (problem) throw reject(fieldName(path), problem);
  } else if (Array.isArray(value)) {
    if (value.length > maxItems) throw reject(fieldName(path), `has ${value.length} items`, maxItems);
    const itemType = itemTypeOf(type);
    for (const [i, item] of value.entries()) checkValue(item, [...path, i], itemType);
  } else if (value !== null && typeof value === 'object') {
    const fields = fieldsOf(type);
    for (const [key, item] of Object.entries(value)) {
      const problem = problemWith(key);
      if (problem) throw reject(fieldName(path), `has a key that ${problem}`);
      const field = fields?.[key];
      checkValue(item, [...path, key], field?.type, listCapOf(field));
    }
  }
}

/**
 * Checks a literal; a variable met on the way records the list cap of the position it fills in `variableCaps` (the
 * smallest, when it fills several), so `invitations: $rows` gets the field's cap like `input: $input` does.
 */
function checkLiteral(
  node: ValueNode,
  path: Array<string | number>,
  type: GraphQLInputType | undefined,
  maxItems: number,
  variableCaps: Map<string, number>,
): void {
  switch (node.kind) {
    case Kind.VARIABLE:
      variableCaps.set(node.name.value, Math.min(variableCaps.get(node.name.value) ?? maxItems, maxItems));
      return;
    case Kind.STRING:
      checkValue(node.value, path, type);
      return;
    case Kind.LIST: {
      if (node.values.length > maxItems) throw reject(fieldName(path), `has ${node.values.length} items`, maxItems);
      const itemType = itemTypeOf(type);
      for (const [i, item] of node.values.entries())
        checkLiteral(item, [...path, i], itemType, MAX_INPUT_LIST_LENGTH, variableCaps);
      return;
    }
    case Kind.OBJECT: {
      const fields = fieldsOf(type);
      for (const f of node.fields) {
        const field = fields?.[f.name.value];
        checkLiteral(f.value, [...path, f.name.value], field?.type, listCapOf(field), variableCaps);
      }
      return;
    }
    default:
      return;
  }
}

/**
 * The one boundary check every string input passes, before any resolver runs: variables and inline
 * literals alike. What PostgreSQL would refuse (NUL, lone surrogates) becomes BAD_USER_INPUT naming the
 * field, instead of a failed statement; lists are bounded (MAX_INPUT_LIST_LENGTH, or the field's own `MaxItems`)
 * so no argument can fan out without limit.
 */
export function assertStorableInput(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName?: string,
): void {
  const typeInfo = new TypeInfo(schema);
  const variableCaps = new Map<string, number>();
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      VariableDefinition(node) {
        if (node.defaultValue) {
          const path = [node.variable.name.value];
          checkLiteral(node.defaultValue, path, inputTypeOf(schema, node.type), MAX_INPUT_LIST_LENGTH, variableCaps);
        }
        return false;
      },
      Argument(node) {
        const argument = typeInfo.getArgument();
        checkLiteral(node.value, [node.name.value], argument?.type, listCapOf(argument), variableCaps);
        return false;
      },
    }),
  );
  if (!variables) return;
  const declared = new Map(
    (getOperationAST(document, operationName)?.variableDefinitions ?? []).map((d) => [
      d.variable.name.value,
      inputTypeOf(schema, d.type),
    ]),
  );
  for (const [name, value] of Object.entries(variables)) {
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    checkValue(value, isObject ? [] : [name], declared.get(name), variableCaps.get(name) ?? MAX_INPUT_LIST_LENGTH);
  }
}
