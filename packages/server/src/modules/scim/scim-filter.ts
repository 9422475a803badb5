import { invalidFilter, invalidPath, ScimError } from './scim-errors';
import { isStorableText } from '../../graphql/input-hygiene';

/**
 * The filter grammar of RFC 7644 §3.4.2.2 (and the PATCH path grammar of §3.5.2), parsed into a tree; translated to
 * parameterised SQL by `filterSql`, never applied in memory to the rows of a list.
 */
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type CompValue = string | number | boolean | null;

export type Filter =
  | { op: 'and' | 'or'; left: Filter; right: Filter }
  | { op: 'not'; filter: Filter }
  | { op: 'cmp'; attr: string; cmp: CompareOp; value: CompValue }
  | { op: 'pr'; attr: string }
  | { op: 'valuePath'; attr: string; filter: Filter };

/** Limits that keep a filter's parse and its SQL small (docs/SCIM.md "Limits"); beyond them: 400 invalidFilter. */
export const MAX_FILTER_LENGTH = 4096;
/** Nesting of parentheses, not( and value filters together. */
export const MAX_FILTER_DEPTH = 32;
/** Attribute expressions (comparisons and `pr`) in one filter. */
export const MAX_FILTER_TERMS = 50;
/** A PATCH path (RFC 7644 §3.5.2). */
export const MAX_PATH_LENGTH = 4096;

const COMPARE_OPS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const ATTR_PATH = /^(?:urn:[A-Za-z0-9:._-]+:)?[A-Za-z$][\w$-]*(?:\.[A-Za-z$][\w$-]*)?$/;

type Token = { kind: 'word'; text: string } | { kind: 'string'; text: string } | { kind: '(' | ')' | '[' | ']' };

function tokenize(input: string, fail: (d: string) => ScimError): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ kind: c });
      i++;
    } else if (c === '"') {
      // A JSON string (RFC 7159), escapes included.
      let j = i + 1;
      while (j < input.length && input[j] !== '"') j += input[j] === '\\' ? 2 : 1;
      if (j >= input.length) throw fail('A string in the filter is not closed.');
      let text: string;
      try {
        text = JSON.parse(input.slice(i, j + 1)) as string;
      } catch {
        throw fail(`The string ${input.slice(i, j + 1)} in the filter is not a valid JSON string.`);
      }
      // An escape (\u0000, a lone \ud800) can spell what PostgreSQL cannot store or compare.
      if (!isStorableText(text)) throw fail('A string in the filter holds a NUL byte or invalid Unicode.');
      tokens.push({ kind: 'string', text });
      i = j + 1;
    } else {
      let j = i;
      while (j < input.length && !' \t\n\r()[]"'.includes(input[j]!)) j++;
      tokens.push({ kind: 'word', text: input.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;
  private depth = 0;
  private terms = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly fail: (detail: string) => ScimError,
  ) {}

  parse(): Filter {
    if (this.tokens.length === 0) throw this.fail('The filter is empty.');
    const f = this.or();
    if (this.pos < this.tokens.length) throw this.fail(`Unexpected ${this.describe(this.tokens[this.pos]!)}.`);
    return f;
  }

  private describe(t: Token): string {
    return t.kind === 'word' ? `"${t.text}"` : t.kind === 'string' ? `string ${JSON.stringify(t.text)}` : `"${t.kind}"`;
  }

  private peekWord(): string | null {
    const t = this.tokens[this.pos];
    return t?.kind === 'word' ? t.text.toLowerCase() : null;
  }

  private expect(kind: '(' | ')' | '[' | ']'): void {
    const t = this.tokens[this.pos];
    if (t?.kind !== kind) throw this.fail(`Expected "${kind}"${t ? `, found ${this.describe(t)}` : ' at the end'}.`);
    this.pos++;
  }

  private or(): Filter {
    let left = this.and();
    while (this.peekWord() === 'or') {
      this.pos++;
      left = { op: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Filter {
    let left = this.unary();
    while (this.peekWord() === 'and') {
      this.pos++;
      left = { op: 'and', left, right: this.unary() };
    }
    return left;
  }

  /** A nested expression (in parentheses, not( or a value filter): bounded, so that no input exhausts the stack. */
  private nested<T>(fn: () => T): T {
    if (++this.depth > MAX_FILTER_DEPTH) throw this.fail(`Expressions nest deeper than ${MAX_FILTER_DEPTH} levels.`);
    const r = fn();
    this.depth--;
    return r;
  }

  private unary(): Filter {
    const t = this.tokens[this.pos];
    if (!t) throw this.fail('The filter ends where an expression was expected.');
    if (t.kind === 'word' && t.text.toLowerCase() === 'not' && this.tokens[this.pos + 1]?.kind === '(') {
      this.pos++;
      this.expect('(');
      const filter = this.nested(() => this.or());
      this.expect(')');
      return { op: 'not', filter };
    }
    if (t.kind === '(') {
      this.pos++;
      const f = this.nested(() => this.or());
      this.expect(')');
      return f;
    }
    return this.attrExp();
  }

  private attrExp(): Filter {
    const t = this.tokens[this.pos];
    if (t?.kind !== 'word' || !ATTR_PATH.test(t.text))
      throw this.fail(`Expected an attribute name${t ? `, found ${this.describe(t)}` : ''}.`);
    this.pos++;
    const attr = t.text;
    if (this.tokens[this.pos]?.kind === '[') {
      if (attr.includes('.') && !attr.startsWith('urn:'))
        throw this.fail(`"${attr}[...]": a value filter applies to a multi-valued attribute, not a sub-attribute.`);
      this.pos++;
      const filter = this.nested(() => this.or());
      this.expect(']');
      return { op: 'valuePath', attr, filter };
    }
    if (++this.terms > MAX_FILTER_TERMS) throw this.fail(`More than ${MAX_FILTER_TERMS} comparisons.`);
    const op = this.peekWord();
    if (op === 'pr') {
      this.pos++;
      return { op: 'pr', attr };
    }
    if (!op || !COMPARE_OPS.has(op)) {
      const found = this.tokens[this.pos];
      throw this.fail(
        `Expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after "${attr}"` +
          `${found ? `, found ${this.describe(found)}` : ''}.`,
      );
    }
    this.pos++;
    return { op: 'cmp', attr, cmp: op as CompareOp, value: this.compValue() };
  }

  private compValue(): CompValue {
    const t = this.tokens[this.pos];
    if (!t) throw this.fail('The filter ends where a value was expected.');
    this.pos++;
    if (t.kind === 'string') return t.text;
    if (t.kind === 'word') {
      if (t.text === 'true') return true;
      if (t.text === 'false') return false;
      if (t.text === 'null') return null;
      if (/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(t.text)) return Number(t.text);
    }
    throw this.fail(`${this.describe(t)} is not a value: use a "quoted string", true, false, null or a number.`);
  }

  /** A PATCH path: attrPath, attrPath "[" valFilter "]", optionally followed by ".subAttr". */
  path(): PatchPath {
    const t = this.tokens[this.pos];
    if (t?.kind !== 'word' || !ATTR_PATH.test(t.text)) throw this.fail('The path does not name an attribute.');
    this.pos++;
    if (this.pos === this.tokens.length) return { attr: t.text, filter: null, subAttr: null };
    if (t.text.includes('.') && !t.text.startsWith('urn:'))
      throw this.fail(`"${t.text}[...]": a value filter applies to a multi-valued attribute.`);
    this.expect('[');
    const filter = this.nested(() => this.or());
    this.expect(']');
    let subAttr: string | null = null;
    const rest = this.tokens[this.pos];
    if (rest) {
      if (rest.kind !== 'word' || !/^\.[A-Za-z$][\w$-]*$/.test(rest.text))
        throw this.fail(`Unexpected ${this.describe(rest)} after the value filter.`);
      subAttr = rest.text.slice(1);
      this.pos++;
    }
    if (this.pos < this.tokens.length) throw this.fail(`Unexpected ${this.describe(this.tokens[this.pos]!)}.`);
    return { attr: t.text, filter, subAttr };
  }
}

/** Parses a `filter` query parameter; invalidFilter (400) for anything outside the grammar. */
export function parseFilter(input: string): Filter {
  if (input.length > MAX_FILTER_LENGTH)
    throw invalidFilter(`The filter is longer than ${MAX_FILTER_LENGTH} characters.`);
  if (!isStorableText(input)) throw invalidFilter('The filter must not contain NUL bytes or invalid Unicode.');
  const fail = (detail: string) => invalidFilter(`Invalid filter: ${detail}`);
  return new Parser(tokenize(input, fail), fail).parse();
}

/** A PATCH operation's path (RFC 7644 §3.5.2): `attr`, `attr.sub`, `urn:…:attr`, `attr[filter]`, `attr[filter].sub`. */
export interface PatchPath {
  attr: string;
  filter: Filter | null;
  subAttr: string | null;
}

export function parsePath(input: string): PatchPath {
  if (input.length > MAX_PATH_LENGTH) throw invalidPath(`The path is longer than ${MAX_PATH_LENGTH} characters.`);
  const fail = (detail: string) => invalidPath(`Invalid path "${input}": ${detail}`);
  const tokens = tokenize(input, fail);
  if (tokens.length === 0) throw fail('it is empty.');
  // `emails[type eq "work"].value`: the tokenizer keeps ".value" as one word after "]".
  return new Parser(tokens, fail).path();
}
