import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Team } from '../teams/team.entity';

export enum ProjectVisibility {
  /** Team members only. */
  PRIVATE = 'PRIVATE',
  /** Everyone who can see the team. */
  PUBLIC = 'PUBLIC',
  /**
   * Only those on the team: its members and its own service accounts. Org admins outside the team and organization
   * service accounts, who otherwise read every team, do not reach it.
   */
  RESTRICTED = 'RESTRICTED',
}

/**
 * Work items keep their author's id and username: they survive the author's removal from the team or
 * the organization, still attributed to them. Not an entity itself: Project, Run and Report inherit it.
 */
export abstract class AuthoredWork {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Index()
  @Property({ type: 'uuid', nullable: true })
  createdById: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  createdByLabel: string | null = null;

  /**
   * The service account that wrote it, when one did (with or without naming a person in `createdById`). No foreign
   * key: the work stays, still attributed, after the account is deleted; `loggedByLabel` keeps its name.
   */
  @Index()
  @Property({ type: 'uuid', nullable: true })
  loggedById: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  loggedByLabel: string | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

@Entity({ tableName: 'projects' })
@Unique({ properties: ['team', 'name'] })
export class Project extends AuthoredWork {
  [OptionalProps]?: 'createdAt' | 'createdById' | 'createdByLabel' | 'loggedById' | 'loggedByLabel';

  @ManyToOne({ entity: () => Team, ref: true, deleteRule: 'cascade' })
  team!: Ref<Team>;

  @Property({ type: 'string', length: 128 })
  name!: string;

  @Enum({ items: () => ProjectVisibility, type: 'string' })
  visibility!: ProjectVisibility;
}

@Entity({ tableName: 'runs' })
@Index({ properties: ['project', 'createdAt'] })
export class Run extends AuthoredWork {
  [OptionalProps]?: 'createdAt' | 'createdById' | 'createdByLabel' | 'loggedById' | 'loggedByLabel';

  @ManyToOne({ entity: () => Project, ref: true, deleteRule: 'cascade' })
  project!: Ref<Project>;

  @Property({ type: 'string', length: 128 })
  name!: string;
}

@Entity({ tableName: 'reports' })
@Index({ properties: ['team', 'createdAt'] })
export class Report extends AuthoredWork {
  [OptionalProps]?: 'createdAt' | 'createdById' | 'createdByLabel' | 'loggedById' | 'loggedByLabel' | 'project';

  @ManyToOne({ entity: () => Team, ref: true, deleteRule: 'cascade' })
  team!: Ref<Team>;

  @ManyToOne({ entity: () => Project, ref: true, nullable: true, deleteRule: 'set null' })
  project: Ref<Project> | null = null;

  @Property({ type: 'string', length: 200 })
  title!: string;
}
