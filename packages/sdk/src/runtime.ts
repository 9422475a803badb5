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

/**
 * A value on the way to the result that came back null: `viewer` means the call was anonymous
 * (UnauthenticatedError); anything else (an organization, a team) does not exist or is hidden (NotFoundError).
 */
export function present<T>(value: T | null | undefined, field: string, operationName: string): T {
  if (value !== null && value !== undefined) return value;
  if (field === 'viewer') {
    throw new UnauthenticatedError(`${operationName} needs a session or an API key.`, { code: 'UNAUTHENTICATED', operationName });
  }
  throw new NotFoundError(`${operationName}: the ${field} does not exist or is not visible to the caller.`, {
    code: 'NOT_FOUND',
    operationName,
  });
}
