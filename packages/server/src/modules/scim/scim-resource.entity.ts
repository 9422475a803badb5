import { Entity, Index, ManyToOne, OptionalProps, PrimaryKeyProp, Property, Unique, type Ref } from '@mikro-orm/core';
import { Organization } from '../organizations/organization.entity';
import { User } from '../accounts/user.entity';
import { Team } from '../teams/team.entity';

/**
 * What SCIM knows of a user in one organization beyond the account: the identity provider's `externalId`, the
 * `userName` as it sent it, the name parts, and whether SCIM created the account (then it may change the account's
 * email and name; an account that existed before is only linked). Read joined to the user's membership; a row whose
 * membership is gone is ignored and replaced on the next POST.
 */
@Entity({ tableName: 'scim_users' })
@Unique({ name: 'scim_users_external_id_unique', properties: ['organization', 'externalId'] })
// userName is unique in the organization, case-insensitively (RFC 7643 §4.1.1, uniqueness "server"); the index also
// serves `userName eq "…"`, the lookup identity providers make before every change (scim-sql.ts).
@Unique({
  name: 'scim_users_user_name_unique',
  expression:
    'create unique index "scim_users_user_name_unique" on "scim_users" ("organization_id", lower("user_name"))',
})
export class ScimUser {
  [PrimaryKeyProp]?: ['organization', 'user'];
  [OptionalProps]?:
    | 'externalId'
    | 'displayName'
    | 'givenName'
    | 'familyName'
    | 'createdAccount'
    | 'createdAt'
    | 'updatedAt';

  @ManyToOne({ entity: () => Organization, ref: true, primary: true, deleteRule: 'cascade' })
  organization!: Ref<Organization>;

  @Index()
  @ManyToOne({ entity: () => User, ref: true, primary: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  /** caseExact (RFC 7643 §3.1): compared as stored. */
  @Property({ type: 'string', length: 255, nullable: true })
  externalId: string | null = null;

  @Property({ type: 'string', length: 254 })
  userName!: string;

  /**
   * The display name SCIM gave, shown (displayName, name.formatted) for an account SCIM did not create: such an
   * account's own name is not this organization's to read through SCIM (docs/SCIM.md "Existing accounts").
   */
  @Property({ type: 'string', length: 100, nullable: true })
  displayName: string | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  givenName: string | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  familyName: string | null = null;

  /** The account was created by SCIM for this organization. */
  @Property({ type: 'boolean', default: false })
  createdAccount: boolean = false;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}

/** A team as a SCIM Group: its `externalId` and when SCIM last changed it (`meta.lastModified`). */
@Entity({ tableName: 'scim_groups' })
@Unique({ name: 'scim_groups_external_id_unique', properties: ['organization', 'externalId'] })
export class ScimGroup {
  [PrimaryKeyProp]?: 'team';
  [OptionalProps]?: 'externalId' | 'updatedAt';

  @ManyToOne({ entity: () => Team, ref: true, primary: true, deleteRule: 'cascade' })
  team!: Ref<Team>;

  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade' })
  organization!: Ref<Organization>;

  @Property({ type: 'string', length: 255, nullable: true })
  externalId: string | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
