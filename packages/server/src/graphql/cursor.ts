import { z } from 'zod';
import { badInput } from '../errors';
import { MAX_TIMESTAMP, MIN_TIMESTAMP } from '../validation';
import { isStorableText } from './input-hygiene';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Connection, type Edge, type PageInfo } from './connection';

/**
 * The one cursor codec of the API (docs/API.md, "Shape"). A cursor is the base64url JSON of
 * `{ list, order, values }`: the list that issued it (`members`, `teams`, …), the sort it was issued for
 * (`NAME_ASC`, `CREATED_DESC`, …) and the sort key values of the last row of the page. A cursor comes back
 * from the client, so it is checked before any value reaches SQL: something that is not our JSON, a cursor
 * of another list, a cursor of another sort (the values would be compared with the wrong columns) or values
 * of the wrong type are all BAD_USER_INPUT on `after`, never a database error.
 */

/** What a cursor position may hold. Decoded values are what the list's query binds. */
export const cursorValue = {
  /**
   * Names, usernames, emails. No NUL and no lone surrogate: PostgreSQL cannot hold them, and the API never issues them.
   */
  text: z.string().max(1000).refine(isStorableText),
  /** Issued as `Date.toISOString()`; decoded to a Date within the span PostgreSQL and ISO-8601 both hold. */
  timestamp: z.iso
    .datetime()
    .transform((s) => new Date(s))
    .pipe(z.date().min(MIN_TIMESTAMP).max(MAX_TIMESTAMP)),
  /**
   * Issued by PostgreSQL as ISO-8601 UTC text with microseconds and bound back as text (`?::timestamptz`), kept a
   * string: a JS Date would drop the microseconds, and a keyset page would then skip or repeat rows.
   */
  preciseTimestamp: z.iso.datetime().refine((s) => {
    const at = new Date(s);
    return at >= MIN_TIMESTAMP && at <= MAX_TIMESTAMP;
  }),
  uuid: z.uuid(),
  /** A bigserial id, kept as a string: JSON numbers lose precision past 2^53. */
  serial: z
    .string()
    .regex(/^[1-9][0-9]{0,18}$/)
    // zod runs refinements even after a failed check: test the digits again before BigInt, which throws.
    .refine((s) => /^[0-9]+$/.test(s) && BigInt(s) <= 9223372036854775807n),
  /** A 32-bit integer (e.g. a role's rank). */
  int: z.number().int().min(-2147483648).max(2147483647),
} as const;

/** Longest cursor accepted: ours are far shorter, and a huge one should not be parsed at all. */
const MAX_CURSOR_LENGTH = 4096;

const envelopeSchema = z.strictObject({
  list: z.string().max(64),
  order: z.string().max(64),
  values: z.array(z.unknown()).max(16),
});

/** The page a list is asked for: its size and the decoded position to continue after (null: the first page). */
export interface Page<Values> {
  first: number;
  after: Values | null;
}

/** How a list sorts: one zod tuple per order, decoding the JSON values (input) to what the query binds (output). */
export type CursorOrders<Order extends string, Values extends readonly unknown[]> = Readonly<
  Record<Order, z.ZodType<Values>>
>;

/** The cursors of one list. Build it once per list with `cursorCodec`, next to the list's query. */
export class CursorCodec<Order extends string, Values extends readonly unknown[]> {
  constructor(
    readonly list: string,
    private readonly orders: CursorOrders<Order, Values>,
  ) {}

  /** Validates `first` and decodes `after` for `order`; BAD_USER_INPUT on the offending argument otherwise. */
  page(args: { first?: number | null; after?: string | null }, order: Order): Page<Values> {
    const first = args.first ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
      throw badInput('first', `first must be between 1 and ${MAX_PAGE_SIZE}.`);
    }
    return { first, after: args.after == null ? null : this.decode(args.after, order) };
  }

  /** The cursor of a row. Checked like a cursor coming back, so the API never issues one it would refuse. */
  encode(order: Order, values: Values): string {
    // JSON.stringify writes Dates as toISOString(), the form `cursorValue.timestamp` reads back.
    const json = JSON.parse(JSON.stringify(values)) as unknown;
    if (!this.orders[order].safeParse(json).success)
      throw new Error(`cursor values of ${this.list} ${order} do not match its schema`);
    return Buffer.from(JSON.stringify({ list: this.list, order, values: json }), 'utf8').toString('base64url');
  }

  /**
   * An edge whose cursor is encoded when it is read: most pages ask for `nodes` and `pageInfo { endCursor }`, so the
   * cursors of the other rows would be encoded (and checked) for nothing.
   */
  edge<T>(order: Order, values: Values, node: T): Edge<T> {
    let cursor: string | undefined;
    const encode = () => this.encode(order, values);
    return {
      node,
      get cursor() {
        cursor ??= encode();
        return cursor;
      },
    };
  }

  decode(cursor: string, order: Order): Values {
    const envelope =
      cursor.length <= MAX_CURSOR_LENGTH && /^[A-Za-z0-9_-]+$/.test(cursor)
        ? envelopeSchema.safeParse(parseJson(cursor))
        : null;
    if (!envelope?.success) {
      throw badInput(
        'after',
        'after is not a cursor returned by this API; pass pageInfo.endCursor of the previous page.',
      );
    }
    const { list, order: issuedFor, values } = envelope.data;
    if (list !== this.list) {
      throw badInput(
        'after',
        `after is a cursor of another list; pass pageInfo.endCursor of this list's previous page (${this.list}).`,
      );
    }
    if (issuedFor !== order) {
      // Quote the cursor's order only when it is one of ours: the message never echoes arbitrary input.
      const known = Object.hasOwn(this.orders, issuedFor) ? ` (${issuedFor})` : '';
      throw badInput(
        'after',
        `after was issued for another sort order${known} than this request's (${order}); start again without after.`,
      );
    }
    const parsed = this.orders[order].safeParse(values);
    if (!parsed.success)
      throw badInput(
        'after',
        'after does not hold a position of this list; pass pageInfo.endCursor of the previous page.',
      );
    return parsed.data;
  }

  /**
   * Builds the connection from rows fetched with limit `first + 1` (the extra row tells whether a next page exists).
   */
  connection<R, T>(
    page: Page<Values>,
    order: Order,
    rows: readonly R[],
    totalCount: number,
    cursorOf: (row: R) => Values,
    nodeOf: (row: R) => T,
  ): Connection<T> {
    const edges = rows.slice(0, page.first).map((row) => this.edge(order, cursorOf(row), nodeOf(row)));
    return {
      edges,
      nodes: edges.map((e) => e.node),
      pageInfo: pageInfoOf(page, edges, rows.length > page.first),
      totalCount,
    };
  }

  /**
   * A connection over rows already in memory (all that match, in `compare` order, already filtered for the caller):
   * for short lists whose visibility is decided row by row by the policy. Same cursors as the SQL lists.
   */
  connectionInMemory<T>(
    page: Page<Values>,
    order: Order,
    rows: readonly T[],
    cursorOf: (row: T) => Values,
    compare: (a: Values, b: Values) => number,
  ): Connection<T> {
    const after = page.after;
    const rest = after ? rows.filter((row) => compare(cursorOf(row), after) > 0) : rows;
    return this.connection(page, order, rest.slice(0, page.first + 1), rows.length, cursorOf, (row) => row);
  }
}

/** PageInfo of a page: lists page forward only, so a page asked for with `after` has a previous one. */
export function pageInfoOf(
  page: Page<unknown>,
  edges: ReadonlyArray<{ cursor: string }>,
  hasNextPage: boolean,
): PageInfo {
  return {
    hasNextPage,
    hasPreviousPage: page.after != null,
    startCursor: edges.at(0)?.cursor ?? null,
    endCursor: edges.at(-1)?.cursor ?? null,
  };
}

function parseJson(cursor: string): unknown {
  try {
    // fatal: a byte sequence that is not UTF-8 (e.g. a lone surrogate) is not one of our cursors.
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(cursor, 'base64url')));
  } catch {
    return undefined;
  }
}

/**
 * The cursors of list `list`, sorted in one of `orders`. List names are unique: a cursor of one list is refused by
 * every other.
 */
export function cursorCodec<Order extends string, Values extends readonly unknown[]>(
  list: string,
  orders: CursorOrders<Order, Values>,
): CursorCodec<Order, Values> {
  return new CursorCodec(list, orders);
}

/** The sort of the lists ordered newest first by (createdAt desc, id desc). */
export const NEWEST_FIRST = { CREATED_DESC: z.tuple([cursorValue.timestamp, cursorValue.uuid]) } as const;

/** The ORDER BY of a NEWEST_FIRST list. */
export const NEWEST_FIRST_ORDER: Array<{ createdAt: 'desc' } | { id: 'desc' }> = [
  { createdAt: 'desc' },
  { id: 'desc' },
];

/**
 * The rows after a NEWEST_FIRST cursor position (createdAt, id): older, or as old with a smaller id. The one keyset
 * condition of every newest-first list; an empty filter on the first page. The caller casts it to its entity's filter.
 */
export function newestFirstAfter(after: readonly [Date, string] | null): NewestFirstAfter {
  return after ? { $or: [{ createdAt: { $lt: after[0] } }, { createdAt: after[0], id: { $lt: after[1] } }] } : {};
}

export type NewestFirstAfter =
  | { $or: Array<{ createdAt: { $lt: Date } } | { createdAt: Date; id: { $lt: string } }> }
  | Record<string, never>;
