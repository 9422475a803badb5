import { Kind, visit, type DocumentNode, type ValueNode } from 'graphql';
import { AppError, ErrorCode } from '../errors';

/** Longest list any argument may hold; services set tighter bounds of their own (e.g. 20 team filters). */
export const MAX_INPUT_LIST_LENGTH = 1000;

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

function reject(field: string, problem: string): AppError {
  return new AppError(
    ErrorCode.BAD_USER_INPUT,
    `${field} ${problem}; send valid UTF-8 text without NUL characters and lists of at most ${MAX_INPUT_LIST_LENGTH}` +
      ` items.`,
    { field },
  );
}

/** Names a nested input the way services do: `input` is implied, so `input.email` is `email`. */
function fieldName(path: ReadonlyArray<string | number>): string {
  const parts = path[0] === 'input' && path.length > 1 ? path.slice(1) : path;
  return parts.length > 0 ? parts.join('.') : 'variables';
}

function checkValue(value: unknown, path: Array<string | number>): void {
  if (typeof value === 'string') {
    const problem = problemWith(value);
    if (problem) throw reject(fieldName(path), problem);
  } else if (Array.isArray(value)) {
    if (value.length > MAX_INPUT_LIST_LENGTH) throw reject(fieldName(path), `has ${value.length} items`);
    for (const [i, item] of value.entries()) checkValue(item, [...path, i]);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const problem = problemWith(key);
      if (problem) throw reject(fieldName(path), `has a key that ${problem}`);
      checkValue(item, [...path, key]);
    }
  }
}

function checkLiteral(node: ValueNode, path: Array<string | number>): void {
  switch (node.kind) {
    case Kind.STRING:
      checkValue(node.value, path);
      return;
    case Kind.LIST:
      if (node.values.length > MAX_INPUT_LIST_LENGTH) throw reject(fieldName(path), `has ${node.values.length} items`);
      for (const [i, item] of node.values.entries()) checkLiteral(item, [...path, i]);
      return;
    case Kind.OBJECT:
      for (const f of node.fields) checkLiteral(f.value, [...path, f.name.value]);
      return;
    default:
      return;
  }
}

/**
 * The one boundary check every string input passes, before any resolver runs: variables and inline
 * literals alike. What PostgreSQL would refuse (NUL, lone surrogates) becomes BAD_USER_INPUT naming the
 * field, instead of a failed statement; lists are bounded so no argument can fan out without limit.
 */
export function assertStorableInput(document: DocumentNode, variables: Record<string, unknown> | undefined): void {
  if (variables) {
    for (const [name, value] of Object.entries(variables)) {
      checkValue(value, typeof value === 'object' && value !== null && !Array.isArray(value) ? [] : [name]);
    }
  }
  visit(document, {
    VariableDefinition(node) {
      if (node.defaultValue) checkLiteral(node.defaultValue, [node.variable.name.value]);
      return false;
    },
    Argument(node) {
      checkLiteral(node.value, [node.name.value]);
      return false;
    },
  });
}
