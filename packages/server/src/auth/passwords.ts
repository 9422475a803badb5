import { hash, verify, Algorithm } from '@node-rs/argon2';
import { Semaphore } from 'async-mutex';

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the login is unknown, so timing does not reveal which accounts exist. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('roster-timing-equaliser');
  return dummyHash;
}

/** Thrown by PasswordHasher when too many password checks are already waiting; the caller maps it to RATE_LIMITED. */
export class PasswordHashingBusyError extends Error {
  readonly retryAfterSeconds = 1;
  constructor() {
    super('Too many password checks are waiting.');
  }
}

/**
 * Argon2 runs on libuv's thread pool and takes 19 MiB per call: a flood of sign-ins would fill the pool and
 * memory and stall every other request. One instance per process bounds the calls running at once, and
 * refuses (instead of queueing without end) when `maxQueue` calls already wait.
 */
export class PasswordHasher {
  private readonly slots: Semaphore;
  private waiting = 0;

  constructor(
    readonly concurrency: number,
    readonly maxQueue: number,
  ) {
    this.slots = new Semaphore(concurrency);
  }

  /** Calls waiting for a slot right now. */
  get queued(): number {
    return this.waiting;
  }

  hash(password: string): Promise<string> {
    return this.run(() => hashPassword(password));
  }

  verify(passwordHash: string, password: string): Promise<boolean> {
    return this.run(() => verifyPassword(passwordHash, password));
  }

  /**
   * Spends the time of a real check against a hash that matches nothing: for unknown logins and accounts without a
   * password.
   */
  verifyNothing(password: string): Promise<false> {
    return this.run(async () => {
      await verifyPassword(await dummyPasswordHash(), password);
      return false as const;
    });
  }

  private async run<T>(work: () => Promise<T>): Promise<T> {
    // A free slot is taken at once (acquire() decrements synchronously); otherwise the call joins the queue, if there
    // is room.
    const mustWait = this.slots.isLocked();
    if (mustWait && this.waiting >= this.maxQueue) throw new PasswordHashingBusyError();
    if (mustWait) this.waiting++;
    let release: () => void;
    try {
      [, release] = await this.slots.acquire();
    } finally {
      if (mustWait) this.waiting--;
    }
    try {
      return await work();
    } finally {
      release();
    }
  }
}
