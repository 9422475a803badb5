import { randomUUID } from 'node:crypto';
import { Collection, Entity, OneToMany, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Membership } from './membership.entity';

export interface OrganizationSettings {
  /** Whether MEMBERs may create teams (ADMINs always may). */
  membersCanCreateTeams?: boolean;
  /** Upper bound for personal API key lifetimes in this organization, in days. */
  apiKeyMaxLifetimeDays?: number | null;
  /** Whether its MEMBERs and VIEWERs may create personal API keys at all (ADMINs always may). */
  membersCanCreateApiKeys?: boolean;
  /** Whether personal API keys reach it; false: only sessions and service accounts' keys (automation through them). */
  personalApiKeysReachOrganization?: boolean;
  /** IANA time zone in which activity days start (docs/USAGE.md); UTC when unset. */
  timeZone?: string;
}

/** The settings an organization has until an admin changes them (stored settings omit what was never set). */
export const DEFAULT_ORGANIZATION_SETTINGS: Readonly<Required<OrganizationSettings>> = {
  membersCanCreateTeams: false,
  apiKeyMaxLifetimeDays: null,
  membersCanCreateApiKeys: true,
  personalApiKeysReachOrganization: true,
  timeZone: 'UTC',
};

@Entity({ tableName: 'organizations' })
export class Organization {
  [OptionalProps]?: 'seatLimit' | 'settings' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** The slug people type: unique, lower-case. */
  @Property({ type: 'string', length: 40, unique: true })
  name!: string;

  @Property({ type: 'string', length: 100 })
  displayName!: string;

  /** null means unlimited. */
  @Property({ type: 'integer', nullable: true })
  seatLimit: number | null = null;

  @Property({ type: 'json', defaultRaw: `'{}'::jsonb` })
  settings: OrganizationSettings = {};

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  /** The settings in effect: what was stored over the defaults. Every reader of a setting goes through this. */
  effectiveSettings(): Required<OrganizationSettings> {
    return {
      membersCanCreateTeams: this.settings.membersCanCreateTeams ?? DEFAULT_ORGANIZATION_SETTINGS.membersCanCreateTeams,
      apiKeyMaxLifetimeDays: this.settings.apiKeyMaxLifetimeDays ?? DEFAULT_ORGANIZATION_SETTINGS.apiKeyMaxLifetimeDays,
      membersCanCreateApiKeys:
        this.settings.membersCanCreateApiKeys ?? DEFAULT_ORGANIZATION_SETTINGS.membersCanCreateApiKeys,
      personalApiKeysReachOrganization:
        this.settings.personalApiKeysReachOrganization ??
        DEFAULT_ORGANIZATION_SETTINGS.personalApiKeysReachOrganization,
      timeZone: this.settings.timeZone ?? DEFAULT_ORGANIZATION_SETTINGS.timeZone,
    };
  }

  @OneToMany({ entity: () => Membership, mappedBy: 'organization' })
  memberships = new Collection<Membership>(this);
}
