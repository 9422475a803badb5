import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { User } from '../accounts/user.entity';
import { Organization } from './organization.entity';
import { Invitation } from '../invitations/invitation.entity';
import { OrgRole, MemberStatus } from '../../authz/roles';

@Entity({ tableName: 'org_memberships' })
@Unique({ properties: ['organization', 'user'] })
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
}
