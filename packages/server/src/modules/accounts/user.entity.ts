import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Organization } from '../organizations/organization.entity';

@Entity({ tableName: 'users' })
export class User {
  [OptionalProps]?: 'passwordHash' | 'instanceAdmin' | 'defaultOrganization' | 'createdAt' | 'lastActiveAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Stored lower-cased: emails are unique case-insensitively. */
  @Property({ type: 'string', length: 254, unique: true })
  email!: string;

  @Property({ type: 'string', length: 40, unique: true })
  username!: string;

  @Property({ type: 'string', length: 100 })
  name!: string;

  @Property({ type: 'text', nullable: true, lazy: true })
  passwordHash: string | null = null;

  @Property({ type: 'boolean', default: false })
  instanceAdmin: boolean = false;

  @ManyToOne({ entity: () => Organization, nullable: true, ref: true, deleteRule: 'set null' })
  defaultOrganization: Ref<Organization> | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  lastActiveAt: Date | null = null;
}
