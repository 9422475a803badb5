import { createHash } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { SignInThrottleLimits } from '../config';
import type { Logger } from '../logger';

/**
 * Created by Migration20261129091500_SignInThrottle; rows are `<prefix>:<key>`, failures so far, expiry in epoch ms.
 */
export const SIGN_IN_THROTTLE_TABLE = 'sign_in_throttle';

export type ThrottleScope = 'account' | 'address';

/** The login or the client address is locked; the caller turns this into RATE_LIMITED with Retry-After. */
export class SignInLockedError extends Error {
  constructor(
    readonly scope: ThrottleScope,
    readonly retryAfterSeconds: number,
  ) {
    super(`Sign-in locked (${scope}) for ${retryAfterSeconds} s`);
  }
}

export interface AttemptOutcome {
  /** This failure reached the login's limit: it is now locked (reported once, by the attempt that locked it). */
  lockedAccount: boolean;
  lockedAddress: boolean;
}

/** One password check, reserved against both limits before the password is looked at. */
export interface SignInAttempt {
  /** Right password: the login's failures start over and the attempt does not count against the address. */
  succeeded(): Promise<void>;
  /** Wrong password (or unknown login): the reserved failure stays counted; may lock. */
  failed(): Promise<AttemptOutcome>;
  /** No verdict was reached (e.g. the password work was refused): the reservation is given back. */
  abandon(): Promise<void>;
}

interface Counter {
  scope: ThrottleScope;
  limiter: RateLimiterPostgres;
  key: string;
}

interface StatementQuery {
  name?: string;
  text: string;
  values?: unknown[];
}

const namedQuery = (
  RateLimiterPostgres.prototype as unknown as { _query(this: RateLimiterPostgres, q: StatementQuery): Promise<unknown> }
)._query;

/**
 * rate-limiter-flexible names its prepared statements. The embedded database (PGlite) is one server session
 * behind every connection, so a statement prepared on an earlier connection (a reaped pool connection, the
 * admin CLI) collides with the next one ("prepared statement already exists"); connection poolers in
 * transaction mode break them the same way. Unnamed statements cost one parse per query: nothing at sign-in rates.
 */
export class RateLimiterPostgresUnnamed extends RateLimiterPostgres {
  _query(q: StatementQuery): Promise<unknown> {
    return namedQuery.call(this, { text: q.text, values: q.values });
  }
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

const secondsFrom = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/**
 * Counts failed password checks per login and per client address in PostgreSQL (rate-limiter-flexible on
 * the ORM's own knex pool: no extra connections, so it works on the one-connection embedded database too),
 * so every server process sees the same counters. One instance per process.
 *
 * A login is counted whether or not an account has it, so a lockout says nothing about which accounts
 * exist; logins are stored as SHA-256 (they are sometimes mistyped passwords).
 */
export class SignInThrottle {
  private cleanupTimer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly perAccount: RateLimiterPostgres,
    private readonly perAddress: RateLimiterPostgres,
    readonly limits: SignInThrottleLimits,
    private readonly knex: Knex,
    private readonly logger: Logger,
  ) {}

  /** Resolves once the limiters are ready (the table itself comes from a migration). */
  static async create(knex: Knex, limits: SignInThrottleLimits, logger: Logger): Promise<SignInThrottle> {
    const make = async (keyPrefix: string, points: number): Promise<RateLimiterPostgres> => {
      let limiter: RateLimiterPostgres | undefined;
      // The ready callback may run inside the constructor (tableCreated) or later: wait for it either way.
      await new Promise<void>((resolve, reject) => {
        limiter = new RateLimiterPostgresUnnamed(
          {
            storeClient: knex,
            storeType: 'knex',
            tableName: SIGN_IN_THROTTLE_TABLE,
            tableCreated: true,
            // Expired rows are deleted by our own timer, which stop() can end.
            clearExpiredByTimeout: false,
            keyPrefix,
            points,
            duration: limits.windowSeconds,
            // Concurrent attempts that overshoot the limit lock it too.
            blockDuration: limits.lockoutSeconds,
          },
          (err?: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()),
        );
      });
      return limiter!;
    };
    const [perAccount, perAddress] = await Promise.all([
      make('login', limits.accountMaxFailures),
      make('address', limits.addressMaxFailures),
    ]);
    const throttle = new SignInThrottle(perAccount, perAddress, limits, knex, logger);
    throttle.scheduleCleanup();
    return throttle;
  }

  /** Fits varchar(255) whatever the login, and keeps typed logins out of the table. */
  static accountKey(login: string): string {
    return sha256(login.trim().toLowerCase());
  }

  static addressKey(address: string): string {
    return address.length <= 100 ? address : sha256(address);
  }

  /**
   * Reserves one failure against the login and the address, or throws SignInLockedError when either is
   * locked. Called before the password is verified: while locked, even the right password is refused.
   * The reservation is atomic, so concurrent attempts cannot all slip through between check and verdict.
   */
  async begin(login: string, address: string | null): Promise<SignInAttempt> {
    const counters: Counter[] = [{ scope: 'account', limiter: this.perAccount, key: SignInThrottle.accountKey(login) }];
    if (address) counters.push({ scope: 'address', limiter: this.perAddress, key: SignInThrottle.addressKey(address) });

    // A locked login or address is refused without counting the refusal.
    for (const c of counters) {
      const current = await c.limiter.get(c.key);
      if (current && current.consumedPoints >= c.limiter.points)
        throw new SignInLockedError(c.scope, secondsFrom(current.msBeforeNext));
    }
    const reserved: Array<{ counter: Counter; res: RateLimiterRes }> = [];
    for (const c of counters) {
      try {
        reserved.push({ counter: c, res: await c.limiter.consume(c.key) });
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        await Promise.all(reserved.map((r) => r.counter.limiter.reward(r.counter.key, 1)));
        throw new SignInLockedError(c.scope, secondsFrom(err.msBeforeNext));
      }
    }

    let settled = false;
    const settle = () => {
      if (settled) throw new Error('This sign-in attempt was already settled.');
      settled = true;
    };
    return {
      succeeded: async () => {
        settle();
        await Promise.all(
          reserved.map((r) =>
            r.counter.scope === 'account'
              ? r.counter.limiter.delete(r.counter.key)
              : r.counter.limiter.reward(r.counter.key, 1),
          ),
        );
      },
      failed: async () => {
        settle();
        const outcome: AttemptOutcome = { lockedAccount: false, lockedAddress: false };
        for (const r of reserved) {
          // Exactly one attempt sees the count reach the limit: it locks for the full lockout from now.
          if (r.res.consumedPoints === r.counter.limiter.points) {
            await r.counter.limiter.block(r.counter.key, this.limits.lockoutSeconds);
            if (r.counter.scope === 'account') outcome.lockedAccount = true;
            else outcome.lockedAddress = true;
          }
        }
        return outcome;
      },
      abandon: async () => {
        settle();
        await Promise.all(reserved.map((r) => r.counter.limiter.reward(r.counter.key, 1)));
      },
    };
  }

  /** Forgets the failures and any lock of a login (admin password reset). */
  async unlock(login: string): Promise<void> {
    await this.perAccount.delete(SignInThrottle.accountKey(login));
  }

  stop(): void {
    if (this.cleanupTimer) clearTimeout(this.cleanupTimer);
    this.cleanupTimer = null;
  }

  private scheduleCleanup(): void {
    this.cleanupTimer = setTimeout(() => {
      void this.knex
        .raw(`delete from "${SIGN_IN_THROTTLE_TABLE}" where expire < ?`, [Date.now() - 3_600_000])
        .catch((err: unknown) => this.logger.warn({ err }, 'Could not delete expired sign-in throttle rows'))
        .finally(() => {
          if (this.cleanupTimer) this.scheduleCleanup();
        });
    }, 5 * 60_000);
    this.cleanupTimer.unref();
  }
}
