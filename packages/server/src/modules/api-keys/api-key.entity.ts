import { randomUUID } from 'node:crypto';
import { Check, Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { User } from '../accounts/user.entity';
import { ServiceAccount } from '../service-accounts/service-account.entity';

@Entity({ tableName: 'api_keys' })
@Check({ name: 'api_keys_one_owner', expression: '(user_id is null) <> (service_account_id is null)' })
export class ApiKey {
  [OptionalProps]?:
    | 'createdAt'
    | 'expiresAt'
    | 'lastUsedAt'
    | 'revokedAt'
    | 'user'
    | 'serviceAccount'
    | 'rotatedAt'
    | 'expiredUseAuditedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** The owning person, for a personal key. Exactly one of `user` and `serviceAccount` is set (a check constraint). */
  @Index()
  @ManyToOne({ entity: () => User, ref: true, nullable: true, deleteRule: 'cascade' })
  user: Ref<User> | null = null;

  /** The owning service account, for its keys; deleting the account deletes them (they stop working with it). */
  @Index()
  @ManyToOne({ entity: () => ServiceAccount, ref: true, nullable: true, deleteRule: 'cascade' })
  serviceAccount: Ref<ServiceAccount> | null = null;

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

  /** When a request first came with the key after it expired (audited once, api_key.expired_on_use). */
  @Property({ type: 'datetime', nullable: true })
  expiredUseAuditedAt: Date | null = null;

  /** When rotateApiKey replaced it: it keeps working until `expiresAt`, the end of the grace period. */
  @Property({ type: 'datetime', nullable: true })
  rotatedAt: Date | null = null;

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
