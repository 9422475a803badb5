import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Team } from './team.entity';
import { User } from '../accounts/user.entity';
import { TeamRole } from '../../authz/team-permissions';
import { CustomRole } from '../custom-roles/custom-role.entity';
import { ScimToken } from '../scim/scim-token.entity';

@Entity({ tableName: 'team_memberships' })
@Unique({ properties: ['team', 'user'] })
@Index({ name: 'team_memberships_name_order', properties: ['team', 'sortName', 'orgMembershipId'] })
@Index({ name: 'team_memberships_last_active_order', properties: ['team', 'sortLastActive', 'orgMembershipId'] })
@Index({ name: 'team_memberships_role_order', properties: ['team', 'roleRank', 'sortName', 'orgMembershipId'] })
@Index({ name: 'team_memberships_added_order', properties: ['team', 'addedAt', 'orgMembershipId'] })
// The members view's count filtered by team: an index-only range per team (MemberService.teamsCountSql).
@Index({
  name: 'team_memberships_team_count',
  properties: ['team', 'memberStatus', 'memberRole', 'orgMembershipId'],
})
export class TeamMembership {
  [OptionalProps]?: 'createdAt' | 'customRole' | 'managedByIdp' | 'addedById' | 'scimToken';

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

  /**
   * Set with `managedByIdp` when SCIM provisioning added it (docs/SCIM.md): the token whose identity provider owns it.
   * SSO group sync leaves such memberships alone.
   */
  @ManyToOne({ entity: () => ScimToken, ref: true, nullable: true, deleteRule: 'set null' })
  scimToken: Ref<ScimToken> | null = null;

  @Property({ type: 'uuid', nullable: true })
  addedById: string | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  // The organization membership's id, status, role and members-view sort keys, copied by the database (trigger
  // `team_membership_keys`, Migration20261129145000_TeamMemberSortKeys) so that a members page filtered by team is an
  // index range. Mapped only for the schema diff, like Membership's keys: lazy and never assigned.

  @Property({ type: 'uuid', lazy: true, nullable: true })
  readonly orgMembershipId?: string | null;

  @Property({ type: 'text', lazy: true, nullable: true })
  readonly memberStatus?: string | null;

  @Property({ type: 'text', lazy: true, nullable: true })
  readonly memberRole?: string | null;

  @Property({ type: 'text', lazy: true, defaultRaw: `''` })
  readonly sortName?: string;

  @Property({ type: 'datetime', lazy: true, defaultRaw: 'to_timestamp((0)::double precision)' })
  readonly sortLastActive?: Date;

  @Property({ type: 'smallint', lazy: true, nullable: true })
  readonly roleRank?: number | null;

  @Property({ type: 'datetime', lazy: true, nullable: true })
  readonly addedAt?: Date | null;
}
