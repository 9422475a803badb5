import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Whether the instance still needs its first sign-up, without reading a table once it does not: being
 * bootstrapped never stops being true, so each process remembers it as soon as it has seen it (its own
 * bootstrap sign-up, or a user row another process created). Until then every call asks the database, so
 * the first sign-up made through any process is seen by all of them.
 */
export class InstanceState {
  private bootstrapped = false;

  async needsBootstrap(em: EntityManager): Promise<boolean> {
    if (this.bootstrapped) return false;
    const rows = await em.execute<Array<{ present: boolean }>>('select exists (select 1 from users) as present');
    if (rows[0]?.present) this.bootstrapped = true;
    return !this.bootstrapped;
  }

  /** Called once a sign-up has committed a user: later calls answer from memory. */
  markBootstrapped(): void {
    this.bootstrapped = true;
  }
}
