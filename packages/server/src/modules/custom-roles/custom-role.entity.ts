import { randomUUID } from 'node:crypto';
import { Entity, Enum, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Organization } from '../organizations/organization.entity';
import { TeamRole, type TeamPermission } from '../../authz/team-permissions';

/** A team role an organization composes: a base role plus added permissions. */
@Entity({ tableName: 'custom_roles' })
@Unique({ properties: ['organization', 'name'] })
export class CustomRole {
  [OptionalProps]?: 'description' | 'permissions' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade' })
  organization!: Ref<Organization>;

  @Property({ type: 'string', length: 64 })
  name!: string;

  @Property({ type: 'string', length: 500, nullable: true })
  description: string | null = null;

  /** VIEW_ONLY or MEMBER. */
  @Enum({ items: () => TeamRole, type: 'string' })
  inheritsFrom!: TeamRole;

  /** Permissions added on top of the base role. */
  @Property({ type: 'json' })
  permissions: TeamPermission[] = [];

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
