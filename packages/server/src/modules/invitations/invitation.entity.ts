import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Organization } from '../organizations/organization.entity';
import { OrgRole } from '../../authz/roles';

export enum InvitationStatus {
  PENDING = 'PENDING',
  ACCEPTED = 'ACCEPTED',
  REVOKED = 'REVOKED',
}

/**
 * The invitation-expiry rule, the one definition: a token is expired from its `expiresAt` on (`expiresAt <= now`).
 * `Invitation.isExpired` applies it to a row, this condition to SQL (seat counting); both say the same.
 */
export function invitationUnexpiredSql(alias: string): string {
  return `${alias}.expires_at > now()`;
}

/** A team to join on acceptance; the teams module validates names and roles. */
export interface InvitedTeam {
  team: string;
  role: string;
}

/**
 * An invitation by email. While PENDING it is mirrored by a PENDING membership (which holds the seat
 * and shows in the members view); at most one PENDING invitation per organization and email
 * (partial unique index in the migration).
 */
@Entity({ tableName: 'invitations' })
@Index({ properties: ['organization', 'email'] })
@Index({
  name: 'invitations_one_pending_per_email',
  expression:
    `create unique index "invitations_one_pending_per_email" on "invitations" ("organization_id", ` +
    `"email") where "status" = 'PENDING'`,
})
// The members view's team filter finds PENDING rows by their invitation's team assignments (`teams @> …`).
@Index({
  name: 'invitations_teams',
  expression:
    'create index "invitations_teams" on "invitations" using gin ("teams" jsonb_path_ops) with ' +
    '(gin_pending_list_limit = 128)',
})
export class Invitation {
  [OptionalProps]?:
    | 'teams'
    | 'status'
    | 'createdAt'
    | 'acceptedAt'
    | 'revokedAt'
    | 'invitedById'
    | 'invitedByLabel'
    | 'acceptedUserId';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade' })
  organization!: Ref<Organization>;

  /** Lower-cased; the invitation can only be accepted for this address. */
  @Property({ type: 'string', length: 254 })
  email!: string;

  @Enum({ items: () => OrgRole, type: 'string' })
  role!: OrgRole;

  @Property({ type: 'json', defaultRaw: `'[]'::jsonb` })
  teams: InvitedTeam[] = [];

  /** SHA-256 of the token; the token travels only in the email or the sendEmail:false payload. */
  @Property({ type: 'string', length: 64, unique: true })
  tokenHash!: string;

  @Enum({ items: () => InvitationStatus, type: 'string' })
  status: InvitationStatus = InvitationStatus.PENDING;

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'uuid', nullable: true })
  invitedById: string | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  invitedByLabel: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  acceptedUserId: string | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  acceptedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  /**
   * Whether the current token has expired (see invitationUnexpiredSql): it no longer works, and a PENDING one holds no
   * seat.
   */
  isExpired(now: number = Date.now()): boolean {
    return invitationExpired(this, now);
  }
}

/** Whether an invitation's current token has expired (Invitation.isExpired, for plain InvitationFacts too). */
export function invitationExpired(invitation: { expiresAt: Date }, now: number = Date.now()): boolean {
  return invitation.expiresAt.getTime() <= now;
}

/**
 * What the `Invitation` type shows, as plain values: what a bulk invitation's results hold, so that 10,000 results do
 * not keep 10,000 ORM entities alive until the response (each with its per-instance accessors: about 2.5 kB).
 */
export type InvitationFacts = Pick<
  Invitation,
  'id' | 'email' | 'role' | 'status' | 'expiresAt' | 'createdAt' | 'invitedByLabel' | 'teams'
>;

export function invitationFacts(invitation: Invitation): InvitationFacts {
  const { id, email, role, status, expiresAt, createdAt, invitedByLabel, teams } = invitation;
  return { id, email, role, status, expiresAt, createdAt, invitedByLabel, teams };
}
