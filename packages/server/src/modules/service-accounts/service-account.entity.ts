import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Organization } from '../organizations/organization.entity';
import { Team } from '../teams/team.entity';

/**
 * A principal of its own kind, never a person: no password, no email, no seat, no organization membership, no
 * team_memberships row (so it can never be given a custom role or be added to another team by hand, and it never
 * shows up in a members view). A team service account holds the SERVICE role in its one team; that is what
 * `team` says, and only `src/authz/policy.ts` turns it into permissions.
 */
@Entity({ tableName: 'service_accounts' })
@Unique({ properties: ['team', 'name'] })
export class ServiceAccount {
  [OptionalProps]?: 'description' | 'disabledAt' | 'createdAt' | 'createdById' | 'team';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Index()
  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade' })
  organization!: Ref<Organization>;

  /**
   * The one team it works in; null for an organization service account, which reaches every team (but not
   * RESTRICTED projects). Deleting the team deletes the account and, with it, its keys.
   */
  @ManyToOne({ entity: () => Team, ref: true, nullable: true, deleteRule: 'cascade' })
  team: Ref<Team> | null = null;

  /**
   * Lower-case, unique in the team (in the organization for organization accounts); also what runs it logs keep as
   * `loggedByName`.
   */
  @Property({ type: 'string', length: 64 })
  name!: string;

  @Property({ type: 'string', length: 500 })
  description: string = '';

  /** While set, its keys are refused (SERVICE_ACCOUNT_DISABLED) on the next request; the keys themselves stay. */
  @Property({ type: 'datetime', nullable: true })
  disabledAt: Date | null = null;

  @Property({ type: 'uuid', nullable: true })
  createdById: string | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
