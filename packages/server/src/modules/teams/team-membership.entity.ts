import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Team } from './team.entity';
import { User } from '../accounts/user.entity';
import { TeamRole } from '../../authz/team-permissions';
import { CustomRole } from '../custom-roles/custom-role.entity';

@Entity({ tableName: 'team_memberships' })
@Unique({ properties: ['team', 'user'] })
export class TeamMembership {
  [OptionalProps]?: 'createdAt' | 'customRole' | 'managedByIdp' | 'addedById';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Team, ref: true, deleteRule: 'cascade' })
  team!: Ref<Team>;

  @Index()
  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Enum({ items: () => TeamRole, type: 'string' })
  role!: TeamRole;

  /** A custom role layered on the base role; deleting the role sets this back to null (the base role stays). */
  @ManyToOne({ entity: () => CustomRole, ref: true, nullable: true, deleteRule: 'set null' })
  customRole: Ref<CustomRole> | null = null;

  /** Set by SSO group sync: the identity provider owns this membership. */
  @Property({ type: 'boolean', default: false })
  managedByIdp: boolean = false;

  @Property({ type: 'uuid', nullable: true })
  addedById: string | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
