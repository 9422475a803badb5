import type { EntityManager } from '@mikro-orm/postgresql';

/** Keys remembered at most; beyond this the ones written longer than an interval ago are forgotten. */
const MAX_TRACKED_KEYS = 50_000;

/**
 * Writes an API key's lastUsedAt at most once per key per interval per process, however many requests
 * use the key at once (as ActivityTracker does for users): the first request that finds the stored value
 * stale claims the write before it awaits anything, so the requests already in flight with the same key
 * skip it. The SQL itself skips the update when another process wrote recently.
 */
export class ApiKeyUsage {
  private readonly lastWrite = new Map<string, number>();
  /** `${apiKeyId}|${clientAddress}` pairs this process has claimed or found claimed (firstSeenHere). */
  private readonly seenAddresses = new Set<string>();
  /** Writes issued since start; tests and benchmarks read it. */
  writes = 0;

  constructor(private readonly intervalMs: number) {}

  /** `storedLastUsedAt` is what the request read from the database. */
  async record(em: EntityManager, apiKeyId: string, storedLastUsedAt: Date | null, now = Date.now()): Promise<void> {
    if (storedLastUsedAt && now - storedLastUsedAt.getTime() < this.intervalMs) return;
    const previous = this.lastWrite.get(apiKeyId);
    if (previous !== undefined && now - previous < this.intervalMs) return;
    this.lastWrite.set(apiKeyId, now);
    if (this.lastWrite.size > MAX_TRACKED_KEYS) this.prune(now);
    this.writes++;
    try {
      await em.execute(
        'update api_keys set last_used_at = ? where id = ? and (last_used_at is null or last_used_at < ?)',
        [new Date(now), apiKeyId, new Date(now - this.intervalMs)],
      );
    } catch (err) {
      // The next request with this key tries again.
      if (this.lastWrite.get(apiKeyId) === now) this.lastWrite.delete(apiKeyId);
      throw err;
    }
  }

  /**
   * Whether this process has not yet seen `apiKeyId` used from `clientAddress`: true once per pair (until the set
   * is cleared at its bound), so the database is asked about a pair once per process, not once per request. The
   * caller then claims the pair in the database (api_key_addresses), which decides across processes.
   */
  firstSeenHere(apiKeyId: string, clientAddress: string): boolean {
    const pair = `${apiKeyId}|${clientAddress}`;
    if (this.seenAddresses.has(pair)) return false;
    // Forgetting costs one conflicting insert per pair seen again, never a second event.
    if (this.seenAddresses.size >= MAX_TRACKED_KEYS) this.seenAddresses.clear();
    this.seenAddresses.add(pair);
    return true;
  }

  /** Forgets a pair whose claim failed, so the next request tries again. */
  forgetAddress(apiKeyId: string, clientAddress: string): void {
    this.seenAddresses.delete(`${apiKeyId}|${clientAddress}`);
  }

  private prune(now: number): void {
    for (const [id, at] of this.lastWrite) {
      if (now - at >= this.intervalMs) this.lastWrite.delete(id);
    }
  }
}
