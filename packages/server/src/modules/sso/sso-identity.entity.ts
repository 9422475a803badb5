import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { User } from '../accounts/user.entity';

/**
 * A user's identity at one SSO provider: the OIDC `sub` or the LDAP entry's `entryUUID` (its DN when the directory
 * has none). Matched before the email on every sign-in, so a changed email at the provider follows the same user.
 */
@Entity({ tableName: 'sso_identities' })
@Unique({ properties: ['provider', 'subject'] })
export class SsoIdentity {
  [OptionalProps]?: 'createdAt' | 'lastSignInAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** The provider's `name` in the SSO settings. */
  @Property({ type: 'string', length: 40 })
  provider!: string;

  @Property({ type: 'string', length: 255 })
  subject!: string;

  @Index()
  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  /** The email the provider last asserted (for the audit trail; the user's own email is what the API shows). */
  @Property({ type: 'string', length: 254, nullable: true })
  email: string | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  lastSignInAt: Date = new Date();
}
