import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { User } from '../accounts/user.entity';

@Entity({ tableName: 'api_keys' })
export class ApiKey {
  [OptionalProps]?: 'createdAt' | 'expiresAt' | 'lastUsedAt' | 'revokedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** The owning person; service accounts get their own owner column when they arrive. */
  @Index()
  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'string', length: 100 })
  name!: string;

  /** SHA-256 of the full key; the key itself is shown once and never stored. */
  @Property({ type: 'string', length: 64, unique: true })
  keyHash!: string;

  @Property({ type: 'string', length: 4 })
  lastFour!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  expiresAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  /** Past its expiry (every key created through the API has one; the column is nullable only for its history). */
  isExpired(now: number = Date.now()): boolean {
    return this.expiresAt !== null && this.expiresAt.getTime() <= now;
  }

  /** Whether the key still authenticates: neither revoked nor expired. */
  isUsable(now: number = Date.now()): boolean {
    return this.revokedAt === null && !this.isExpired(now);
  }

  /** The same rule as `isUsable`, as a query filter (lists of active keys). */
  static usableFilter(now: Date = new Date()): {
    revokedAt: null;
    $or: Array<{ expiresAt: null } | { expiresAt: { $gt: Date } }>;
  } {
    return { revokedAt: null, $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] };
  }
}
