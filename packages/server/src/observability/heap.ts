import type { Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from '../logger';

export interface HeapSettings {
  /**
   * How far V8 lets the old generation grow past what the last full GC kept, in percent (V8's own choice, about
   * 100-300 % for a busy server, when 0). Under 16 concurrent members pages V8's choice let the RSS reach 310-320 MB;
   * 60 keeps it near 190 MB for a few percent more GC work, 30 near 180 MB for 15-25 % more CPU (docs/PERFORMANCE.md).
   */
  growingPercent: number;
  /** Seconds without a request in flight after which a grown heap is compacted and returned; 0: never. */
  idleCompactSeconds: number;
}

/** Heap growth past the last compaction that is worth a compaction (a full GC of ~60 MB takes about 100 ms). */
const WORTH_COMPACTING_BYTES = 16 * 1024 * 1024;

/**
 * Keeps the server's memory near what it needs. V8 returns memory it no longer uses only when its memory reducer
 * notices the process is idle, seconds to minutes after a burst, and only from pages it happens to empty. Once the
 * server has been idle for `idleCompactSeconds`, a full GC that compacts every page (V8's
 * `compact_on_every_full_gc`, set for that one collection) gives the burst's memory back to the system: the RSS
 * returns to its idle level.
 * Process-wide V8 settings: only the server's entry point (main.ts) calls this, never tests or embedders.
 */
export function manageHeap(httpServer: Server, settings: HeapSettings, logger: Logger): () => void {
  if (settings.growingPercent > 0) setFlagsFromString(`--heap-growing-percent=${settings.growingPercent}`);
  if (settings.idleCompactSeconds <= 0) return () => undefined;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as ((options?: unknown) => void) | undefined;
  if (typeof gc !== 'function') {
    logger.warn('This Node.js does not expose its garbage collector: idle heap compaction is off');
    return () => undefined;
  }
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  let compactedHeap = process.memoryUsage().heapTotal;
  const compactIfGrown = () => {
    timer = undefined;
    if (inFlight > 0) return;
    const before = process.memoryUsage();
    if (before.heapTotal - compactedHeap < WORTH_COMPACTING_BYTES) return;
    const started = performance.now();
    setFlagsFromString('--compact-on-every-full-gc');
    try {
      gc();
    } finally {
      setFlagsFromString('--no-compact-on-every-full-gc');
    }
    const after = process.memoryUsage();
    compactedHeap = after.heapTotal;
    logger.debug(
      {
        ms: Math.round(performance.now() - started),
        rssMbBefore: Math.round(before.rss / 2 ** 20),
        rssMbAfter: Math.round(after.rss / 2 ** 20),
        heapMbBefore: Math.round(before.heapTotal / 2 ** 20),
        heapMbAfter: Math.round(after.heapTotal / 2 ** 20),
      },
      'Idle: heap compacted',
    );
  };
  const onRequest = (_req: unknown, res: NodeJS.EventEmitter) => {
    inFlight++;
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) {
        timer = setTimeout(compactIfGrown, settings.idleCompactSeconds * 1000);
        timer.unref();
      }
    });
  };
  httpServer.on('request', onRequest);
  return () => {
    httpServer.off('request', onRequest);
    if (timer) clearTimeout(timer);
  };
}
