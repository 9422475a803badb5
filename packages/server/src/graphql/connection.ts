import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { z } from 'zod';
import { badInput } from '../errors';
import { timestampSchema } from '../validation';

@ObjectType({ description: 'Relay pagination state of a connection.' })
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether another page follows this one.' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to fetch the next page; null when the page is empty.' })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'Page size, 1 to 100 (default 20).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The `endCursor` of the previous page.' })
  after?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Builds `<Name>Connection` and `<Name>Edge` object types for a node type. */
export function ConnectionType<T extends object>(name: string, nodeType: ClassType<T>, description: string) {
  @ObjectType(`${name}Edge`, { description: `One ${name} in a page, with its cursor.` })
  class EdgeClass {
    @Field(() => String, { description: 'Opaque position of this edge; pass as `after`.' })
    cursor!: string;

    @Field(() => nodeType, { description: `The ${name}.` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description })
  class ConnectionClass {
    @Field(() => [EdgeClass], { description: 'The page, with cursors.' })
    edges!: EdgeClass[];

    @Field(() => [nodeType], { description: 'The page, without cursors.' })
    nodes!: T[];

    @Field(() => PageInfo, { description: 'Whether more pages follow.' })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'How many items match, over all pages.' })
    totalCount!: number;
  }
  return ConnectionClass;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  first: number;
  /** Decoded cursor values, or null for the first page. */
  after: unknown[] | null;
}

/**
 * What each position of a list's cursor holds. A cursor is client input: a forged one, or one of another
 * list, must be refused here (BAD_USER_INPUT on `after`) before its values are bound to SQL.
 * text: a string (names, usernames); timestamp: an ISO date string within 0001..9999; uuid: an id;
 * bigint: a non-negative integer (as a string, e.g. audit event ids); int: a 32-bit integer.
 */
export type CursorKey = 'text' | 'timestamp' | 'uuid' | 'bigint' | 'int';

/** Cursors of newest-first lists: [createdAt, id]. */
export const TIME_CURSOR: readonly CursorKey[] = ['timestamp', 'uuid'];

const CURSOR_KEYS: Record<CursorKey, z.ZodType> = {
  // No NUL (PostgreSQL refuses it in text) and no lone surrogate: what the API itself never encodes.
  text: z.string().max(1000).regex(/^(?:[^\u0000\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/),
  timestamp: z.string().max(40).refine((s) => timestampSchema.safeParse(new Date(s)).success),
  uuid: z.uuid(),
  bigint: z.union([z.string().regex(/^[0-9]{1,18}$/), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).transform(String)]),
  int: z.number().int().min(-2147483648).max(2147483647),
};

/** Validates `first` and decodes `after`; `shape` lists what the list's cursors hold (see CursorKey). */
export function pageRequest(args: { first?: number | null; after?: string | null }, shape?: readonly CursorKey[]): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput('first', `first must be between 1 and ${MAX_PAGE_SIZE}.`);
  }
  const after = args.after ? decodeCursor(args.after) : null;
  return { first, after: after && shape ? cursorValues(after, shape) : after };
}

/** The decoded values of a cursor when they match `shape`; BAD_USER_INPUT on `after` otherwise. */
export function cursorValues(values: unknown[], shape: readonly CursorKey[]): unknown[] {
  const parsed = z.tuple(shape.map((k) => CURSOR_KEYS[k]) as [z.ZodType, ...z.ZodType[]]).safeParse(values);
  if (!parsed.success) throw badInput('after', 'after is not a cursor of this list; pass pageInfo.endCursor of the previous page.');
  return parsed.data;
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): unknown[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values)) return values;
  } catch {
    // fall through
  }
  throw badInput('after', 'after is not a cursor returned by this API; pass pageInfo.endCursor of the previous page.');
}

/** Given rows fetched with limit first+1, builds the connection. */
export function toConnection<R, T>(rows: R[], first: number, totalCount: number, cursorOf: (row: R) => unknown[], nodeOf: (row: R) => T): Connection<T> {
  const page = rows.slice(0, first);
  const edges = page.map((row) => ({ cursor: encodeCursor(cursorOf(row)), node: nodeOf(row) }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}
