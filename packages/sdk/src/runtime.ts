// What the generated methods (src/generated/sdk.ts) need at run time, besides the documents.
import { NotFoundError, UnauthenticatedError } from './errors.js';

export { paginate } from './paginate.js';

/** Per-call options, the last argument of every method. */
export interface RequestOptions {
  /** Aborts the call (and any retry); the call rejects with RosterAbortError. */
  signal?: AbortSignal;
  /** Milliseconds each attempt may take before it fails with RosterTimeoutError (default: the client's `timeoutMs`). */
  timeoutMs?: number;
  /** Extra headers for this call (e.g. `x-request-id`), over the client's. */
  headers?: Record<string, string>;
  /** Retries for this call when it is a query (default: the client's `retry.retries`); mutations are never retried. */
  retries?: number;
}

/** Arguments of an `iterate…` method besides the connection's filters. */
export interface IterateOptions {
  /** Items per request, 1 to 100 (default 100: fewest round trips). */
  pageSize?: number;
}

export const DEFAULT_PAGE_SIZE = 100;

/** Where the client keeps facts about the HTTP response on the `data` object it resolves (not enumerable). */
export const RESPONSE_META: unique symbol = Symbol('roster.responseMeta');

/** What the client records of a response on its `data`: the request id, so errors raised from the data can quote it. */
export interface ResponseMeta {
  requestId: string;
}

/** The response facts the client recorded on a `data` object, if any. */
export function responseMetaOf(data: unknown): ResponseMeta | undefined {
  if (typeof data !== 'object' || data === null || !(RESPONSE_META in data)) return undefined;
  return (data as { [RESPONSE_META]?: ResponseMeta })[RESPONSE_META];
}

/**
 * A value on the way to the result (or a lookup at its end) that came back null: `viewer` means the call was
 * anonymous (UnauthenticatedError); anything else (an organization, a team, a project) does not exist or is hidden
 * (NotFoundError: the API answers such lookups with null). `data` is the response's data, for its request id.
 */
export function present<T>(value: T | null | undefined, field: string, operationName: string, data?: unknown): T {
  if (value !== null && value !== undefined) return value;
  const requestId = responseMetaOf(data)?.requestId;
  const meta = { operationName, ...(requestId ? { requestId } : {}) };
  if (field === 'viewer') {
    throw new UnauthenticatedError(`${operationName} needs a session or an API key.`, {
      code: 'UNAUTHENTICATED',
      ...meta,
    });
  }
  throw new NotFoundError(`${operationName}: the ${field} does not exist or is not visible to the caller.`, {
    code: 'NOT_FOUND',
    ...meta,
  });
}
