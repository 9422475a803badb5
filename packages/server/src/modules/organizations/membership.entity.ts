import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { User } from '../accounts/user.entity';
import { Organization } from './organization.entity';
import { Invitation } from '../invitations/invitation.entity';
import { OrgRole, MemberStatus } from '../../authz/roles';

@Entity({ tableName: 'org_memberships' })
@Unique({ properties: ['organization', 'user'] })
// The members view's orders (MemberService.list): one index each, the id last, so a keyset page is a range of one.
@Index({ name: 'org_memberships_name_order', properties: ['organization', 'sortName', 'id'] })
@Index({ name: 'org_memberships_last_active_order', properties: ['organization', 'sortLastActive', 'id'] })
@Index({ name: 'org_memberships_role_order', properties: ['organization', 'roleRank', 'sortName', 'id'] })
@Index({ name: 'org_memberships_added_order', properties: ['organization', 'createdAt', 'id'] })
@Index({ properties: ['organization', 'status'] })
@Index({
  name: 'org_memberships_search',
  expression:
    'create index "org_memberships_search" on "org_memberships" using gin ("search_name" gin_trgm_ops, ' +
    '"search_username" gin_trgm_ops, "search_email" gin_trgm_ops) with (gin_pending_list_limit = 128)',
})
export class Membership {
  [OptionalProps]?: 'status' | 'createdAt' | 'updatedAt' | 'user' | 'invitation';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade' })
  organization!: Ref<Organization>;

  /** Null while PENDING: the invitee may not have an account yet. */
  @Index()
  @ManyToOne({ entity: () => User, ref: true, nullable: true, deleteRule: 'cascade' })
  user: Ref<User> | null = null;

  /** The invitation this membership came from (PENDING rows always have one). */
  @ManyToOne({ entity: () => Invitation, ref: true, nullable: true, unique: true, deleteRule: 'set null' })
  invitation: Ref<Invitation> | null = null;

  @Enum({ items: () => OrgRole, type: 'string' })
  role!: OrgRole;

  @Enum({ items: () => MemberStatus, type: 'string' })
  status: MemberStatus = MemberStatus.ACTIVE;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  // The members view's sort and search keys. The database derives them from the user, or the invitation while PENDING
  // (trigger `org_membership_keys`, Migration20261129120000_MemberSortKeys), whoever writes users or memberships.
  // Mapped only so that the schema diff knows them: lazy (never loaded) and never assigned, so the ORM neither reads
  // nor writes them; MemberService.list reads them in SQL. The defaults (what a row with neither a user nor an
  // invitation gets) are written as PostgreSQL stores them, so that the diff compares equal.

  /** NAME key: lower-cased name (the username when the name is empty), or the invited email while PENDING. */
  @Property({ type: 'text', lazy: true, defaultRaw: `''` })
  readonly sortName?: string;

  /** LAST_ACTIVE key: the user's last activity; the epoch when never active or PENDING. */
  @Property({ type: 'datetime', lazy: true, defaultRaw: 'to_timestamp((0)::double precision)' })
  readonly sortLastActive?: Date;

  /** ROLE key: the role's position in ORG_ROLE_ORDER, from 1 (a test checks they agree). */
  @Property({
    type: 'smallint',
    lazy: true,
    generated: `(case "role" when 'ADMIN' then 1 when 'MEMBER' then 2 when 'VIEWER' then 3 else null end) stored`,
  })
  readonly roleRank?: number;

  /** What search matches, lower-cased (trigram index `org_memberships_search`); names null while PENDING. */
  @Property({ type: 'text', lazy: true, nullable: true })
  readonly searchName?: string | null;

  @Property({ type: 'text', lazy: true, nullable: true })
  readonly searchUsername?: string | null;

  @Property({ type: 'text', lazy: true, nullable: true })
  readonly searchEmail?: string | null;
}
