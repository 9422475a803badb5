import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Organization } from '../organizations/organization.entity';

export enum StorageProvider {
  AWS = 'AWS',
  GCP = 'GCP',
  AZURE = 'AZURE',
  MINIO = 'MINIO',
  COREWEAVE = 'COREWEAVE',
}

/** Where the team's files live, chosen at creation. */
export type TeamStorage =
  | { kind: 'MANAGED' }
  | {
      kind: 'BUCKET';
      provider: StorageProvider;
      bucket: string;
      path: string | null;
      region: string | null;
      endpoint: string | null;
    };

export enum AlertChannel {
  EMAIL = 'EMAIL',
  SLACK = 'SLACK',
}

export interface TeamSettings {
  membersCanInvite: boolean;
  projectsPrivateByDefault: boolean;
  publicReportsAllowed: boolean;
  hidden: boolean;
  alerts: { runFinished: AlertChannel[]; runCrashed: AlertChannel[]; slackChannel: string | null };
}

export const DEFAULT_TEAM_SETTINGS: TeamSettings = {
  membersCanInvite: false,
  projectsPrivateByDefault: true,
  publicReportsAllowed: true,
  hidden: false,
  alerts: { runFinished: [], runCrashed: [AlertChannel.EMAIL], slackChannel: null },
};

@Entity({ tableName: 'teams' })
@Unique({ properties: ['organization', 'name'] })
export class Team {
  [OptionalProps]?: 'settings' | 'storage' | 'avatarUrl' | 'createdAt' | 'createdById';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Index()
  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade' })
  organization!: Ref<Organization>;

  @Property({ type: 'string', length: 64 })
  name!: string;

  @Property({ type: 'json' })
  storage: TeamStorage = { kind: 'MANAGED' };

  @Property({ type: 'json' })
  settings: TeamSettings = structuredClone(DEFAULT_TEAM_SETTINGS);

  @Property({ type: 'string', length: 2048, nullable: true })
  avatarUrl: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  createdById: string | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
