import { LockMode, ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Service } from '../service';
import {
  Invitation,
  InvitationStatus,
  invitationFacts,
  type InvitationFacts,
  type InvitedTeam,
} from './invitation.entity';
import { Organization } from '../organizations/organization.entity';
import { Membership } from '../organizations/membership.entity';
import { User } from '../accounts/user.entity';
import { OrganizationService } from '../organizations/organization.service';
import { TeamService, type TeamAssignmentRow } from '../teams/team.service';
import { assertSeatAvailable, assertSeatFree, countSeats, lockOrganization } from '../organizations/invariants';
import { enqueueEmail, enqueueEmails, type OutgoingEmail } from '../mail/outbox';
import { EmailStatus, OutboxEmail } from '../mail/outbox-email.entity';
import { renderInvitationEmail } from '../mail/templates';
import { AuditAction, type AuditInput } from '../audit/audit.service';
import { hashSecret, newOpaqueToken } from '../../auth/secrets';
import { checkPassword, hashNewPassword } from '../../auth/sign-in';
import { issueSession } from '../../auth/sessions';
import { DEFAULT_INVITE_ROLE, OrgPermission, SEAT_ROLES } from '../../authz/permissions';
import { MemberStatus, OrgRole } from '../../authz/roles';
import { AppError, ErrorCode, badInput, conflict, notFound, passwordSignInDisabled } from '../../errors';
import { Authz } from '../../authz/policy';
import type { TeamRole } from '../../authz/team-permissions';
import {
  emailSchema,
  entityIdSchema,
  invitationTokenSchema,
  orgRefSchema,
  parseInput,
  passwordSchema,
  personNameSchema,
  usernameSchema,
} from '../../validation';
import { type Connection } from '../../graphql/connection';
import { cursorCodec, NEWEST_FIRST, NEWEST_FIRST_ORDER, newestFirstAfter } from '../../graphql/cursor';
import { rethrowUniqueAsConflict } from '../../db/unique-violation';
import { insertEntities } from '../../db/bulk-insert';

export const INVITE_TOKEN_PREFIX = 'rsi_';
/**
 * Rows one inviteUsers call may hold: the one definition. The schema's description, the list cap at the boundary
 * (`MaxItems` on InviteUsersInput.invitations, above the generic MAX_INPUT_LIST_LENGTH on purpose) and the SDK's
 * MAX_INVITE_ROWS_PER_CALL follow it. A bulk invitation is a list people import, and its cost per row is constant
 * (written in chunks of INVITE_CHUNK_ROWS).
 */
export const MAX_BULK_INVITES = 10_000;
/**
 * Rows written per transaction by inviteUsers: a constant number of statements per chunk (a read each of the
 * conflicting members, pending invitations, teams and seats, then one insert per table), and the organization lock is
 * released between chunks, so other changes to the organization do not wait for a whole call. 100 rather than 1,000:
 * a chunk's rendered emails and statement parameters are what a 10,000-row call holds at its peak besides the rows
 * themselves (server RSS 277 MB with chunks of 1,000, 254 MB with 250, 241-244 MB with 100; docs/PERFORMANCE.md), for
 * 0.1 statements per row and about 3.7 s per 10,000 rows instead of 2.2 s.
 */
export const INVITE_CHUNK_ROWS = 100;

const roleSchema = z.enum(OrgRole, { message: 'must be ADMIN, MEMBER or VIEWER' });
const rowSchema = z.object({ email: emailSchema, role: roleSchema.nullish(), teams: z.unknown().optional() });
const inviteSchema = rowSchema.extend({ organization: orgRefSchema, sendEmail: z.boolean().nullish() });
const bulkSchema = z.object({
  organization: orgRefSchema,
  invitations: z
    .array(z.unknown())
    .min(1, 'must have at least one row')
    .max(MAX_BULK_INVITES, `must have at most ${MAX_BULK_INVITES} rows (split the list into several calls)`),
  sendEmail: z.boolean().nullish(),
});
const idSchema = z.object({ id: entityIdSchema('an invitation'), sendEmail: z.boolean().nullish() });
const updateSchema = z.object({
  id: entityIdSchema('an invitation'),
  // undefined: keep; null is refused (an invitation always has a role).
  role: z.enum(OrgRole, { message: 'must be ADMIN, MEMBER or VIEWER; omit it to keep the current role' }).optional(),
  teams: z.unknown().optional(),
});
const acceptSchema = z.object({
  token: invitationTokenSchema,
  username: z.string().nullish(),
  name: z.string().nullish(),
  password: z.string().max(256, 'must be at most 256 characters').nullish(),
});
const newAccountSchema = z.object({ username: usernameSchema, name: personNameSchema, password: passwordSchema });

/** One invitation to make, its row already parsed; `teams` is validated in the transaction (it needs the teams). */
interface InvitationRequest {
  email: string;
  role: OrgRole;
  teams: unknown;
}

/**
 * Creation times for the rows of one call, strictly increasing in input order: lists ordered newest first (invitations,
 * the members view by ADDED_AT) break ties by a random id, so rows written in one statement would otherwise come out
 * in any order within a millisecond. Each row gets the current time, or 1 ms after the previous row when it is not
 * later: as when each row had its own transaction. A call writing faster than a row per millisecond stamps its last
 * rows at most that many milliseconds ahead.
 */
class CreationClock {
  private last = 0;

  next(): Date {
    this.last = Math.max(Date.now(), this.last + 1);
    return new Date(this.last);
  }
}

/** What became of one InvitationRequest: the invitation, or the AppError that refused it. */
type InvitationOutcome = InviteResult | { error: AppError };

export interface InviteResult {
  invitation: Invitation;
  /** Only when the caller asked for no email: the link, returned once. */
  acceptUrl: string | null;
}

export interface BulkRowResult {
  index: number;
  email: string;
  invitation: InvitationFacts | null;
  acceptUrl: string | null;
  error: { code: ErrorCode; message: string; field: string | null } | null;
}

export interface BulkInviteResult {
  results: BulkRowResult[];
  succeeded: number;
  failed: number;
}

export interface AcceptResult {
  user: User;
  organization: Organization;
  token: string | null;
  expiresAt: Date | null;
}

export interface InvitationPreview {
  email: string;
  organizationName: string;
  organizationDisplayName: string;
  role: OrgRole;
  invitedBy: string | null;
  expiresAt: Date;
  accountExists: boolean;
}

/** `Organization.invitations` is newest first. */
const INVITATIONS_CURSOR = cursorCodec('invitations', NEWEST_FIRST);

/** INVITATION_NOT_PENDING for an accepted or revoked invitation. */
function notPending(invitation: Invitation, verb: string): AppError {
  return new AppError(
    ErrorCode.INVITATION_NOT_PENDING,
    `This invitation is ${invitation.status.toLowerCase()}; only pending invitations can be ${verb}.`,
    {
      details: { status: invitation.status },
    },
  );
}

/** Whether two team assignment lists say the same, in any order. */
function sameTeams(a: readonly InvitedTeam[], b: readonly InvitedTeam[]): boolean {
  const key = (list: readonly InvitedTeam[]) => JSON.stringify(list.map((t) => `${t.team}:${t.role}`).sort());
  return key(a) === key(b);
}

/**
 * Members of the organization (ACTIVE or DEACTIVATED: PENDING rows have no user) with these addresses, and their
 * status: one read of two columns.
 */
async function memberStatusByEmail(
  em: EntityManager,
  organizationId: string,
  emails: readonly string[],
): Promise<Map<string, MemberStatus>> {
  if (emails.length === 0) return new Map();
  const rows: Array<{ email: string; status: MemberStatus }> = await em.execute(
    `select u.email, m.status
       from org_memberships m
       join users u on u.id = m.user_id
      where m.organization_id = ? and u.email in (?)`,
    [organizationId, [...emails]],
  );
  return new Map(rows.map((r) => [r.email, r.status]));
}

/** Which of these addresses have a PENDING invitation (expired or not) to the organization: one read of one column. */
async function pendingInvitationEmails(
  em: EntityManager,
  organizationId: string,
  emails: readonly string[],
): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const rows: Array<{ email: string }> = await em.execute(
    'select email from invitations where organization_id = ? and status = ? and email in (?)',
    [organizationId, InvitationStatus.PENDING, [...emails]],
  );
  return new Set(rows.map((r) => r.email));
}

/** An invitation's emails not sent yet: its link is about to stop working (resent with a new token, or revoked). */
async function dropQueuedEmails(em: EntityManager, invitationId: string): Promise<void> {
  await em.nativeDelete(OutboxEmail, { invitationId, status: EmailStatus.QUEUED });
}

/**
 * Revokes a PENDING invitation in the caller's transaction, which holds the organization's lock: its status and time,
 * its queued emails dropped, its PENDING membership row (and seat) gone. The one revocation of every path
 * (revokeInvitation, SCIM provisioning that supersedes it); the caller audits it.
 */
export async function revokePendingInvitation(em: EntityManager, invitation: Invitation): Promise<void> {
  invitation.status = InvitationStatus.REVOKED;
  invitation.revokedAt = new Date();
  await dropQueuedEmails(em, invitation.id);
  await em.nativeDelete(Membership, { invitation: invitation.id, status: MemberStatus.PENDING });
}

export class InvitationService extends Service {
  private acceptUrl(token: string): string {
    return `${this.ctx.app.config.publicUrl}/invite?token=${encodeURIComponent(token)}`;
  }

  private newToken(): string {
    return INVITE_TOKEN_PREFIX + newOpaqueToken();
  }

  /** The invitation lifetime in effect (INVITE_TTL_DAYS or the instance setting), read before each transaction. */
  private ttlDays: number = this.ctx.app.config.invitationTtlDays;

  private async loadTtl(): Promise<void> {
    this.ttlDays = (await this.ctx.app.settings.current()).invitationTtlDays;
  }

  private expiry(): Date {
    return new Date(Date.now() + this.ttlDays * 86_400_000);
  }

  async invite(raw: unknown): Promise<InviteResult> {
    const input = parseInput(inviteSchema, raw);
    const org = await new OrganizationService(this.ctx).getFor(input.organization, OrgPermission.INVITE_MEMBER);
    const outcome = (
      await this.createInvitations(
        org,
        [{ email: input.email, role: input.role ?? DEFAULT_INVITE_ROLE, teams: input.teams }],
        input.sendEmail !== false,
        new CreationClock(),
      )
    )[0]!;
    if ('error' in outcome) throw outcome.error;
    this.afterCommit();
    return outcome;
  }

  /**
   * Partial success: each row succeeds or fails on its own, with the same checks and errors as `invite`, in input
   * order (a row that repeats an earlier successful row's address is a CONFLICT, as its pending invitation exists).
   * Rows are written in chunks of INVITE_CHUNK_ROWS, each in its own transaction; a chunk that fails as a whole
   * (the caller lost the right to invite meanwhile, or the database failed) marks each of its rows with that error.
   */
  async inviteMany(raw: unknown): Promise<BulkInviteResult> {
    const input = parseInput(bulkSchema, raw);
    const org = await new OrganizationService(this.ctx).getFor(input.organization, OrgPermission.INVITE_MEMBER);
    const sendEmail = input.sendEmail !== false;
    const clock = new CreationClock();
    const results: BulkRowResult[] = [];
    const parsed: Array<{ index: number; request: InvitationRequest }> = [];
    for (const [index, rawRow] of input.invitations.entries()) {
      const email = typeof rawRow === 'object' && rawRow && 'email' in rawRow ? String(rawRow.email) : '';
      results.push({ index, email, invitation: null, acceptUrl: null, error: null });
      try {
        const row = parseInput(rowSchema, rawRow);
        parsed.push({ index, request: { email: row.email, role: row.role ?? DEFAULT_INVITE_ROLE, teams: row.teams } });
      } catch (err) {
        results[index]!.error = this.rowError(err, { index });
      }
    }
    for (let start = 0; start < parsed.length; start += INVITE_CHUNK_ROWS) {
      const chunk = parsed.slice(start, start + INVITE_CHUNK_ROWS);
      let outcomes: InvitationOutcome[];
      try {
        outcomes = await this.createInvitations(
          org,
          chunk.map((c) => c.request),
          sendEmail,
          clock,
        );
      } catch (err) {
        const error = this.rowError(err, { index: chunk[0]!.index, rows: chunk.length });
        for (const { index } of chunk) results[index]!.error = error;
        continue;
      }
      for (const [i, { index }] of chunk.entries()) {
        const outcome = outcomes[i]!;
        const result = results[index]!;
        if ('error' in outcome) result.error = this.rowError(outcome.error, { index });
        else {
          result.invitation = invitationFacts(outcome.invitation);
          result.acceptUrl = outcome.acceptUrl;
        }
      }
    }
    this.afterCommit();
    const failed = results.filter((r) => r.error !== null).length;
    return { results, succeeded: results.length - failed, failed };
  }

  /** A row's error as inviteUsers reports it; anything but an AppError is logged and reported as internal. */
  private rowError(err: unknown, where: { index: number; rows?: number }): NonNullable<BulkRowResult['error']> {
    if (err instanceof AppError) {
      return {
        code: err.code,
        message: err.message,
        field: typeof err.extensions.field === 'string' ? err.extensions.field : null,
      };
    }
    this.ctx.logger.error({ err, ...where }, 'Unexpected error in a bulk-invite row');
    return {
      code: ErrorCode.INTERNAL_SERVER_ERROR,
      message: `Internal server error. Quote request id ${this.ctx.requestId} to your operator.`,
      field: null,
    };
  }

  /**
   * Makes invitations in one transaction with the organization locked (seats and the one-pending-invitation rule stay
   * exact under concurrency), in a bounded number of statements whatever the number of rows: one read each of the
   * members and pending invitations with these addresses, of the teams named, and of the seats in use; then the
   * rules per row, in order, in memory; then one insert each (insertEntities) of the invitations, their PENDING
   * memberships, their outbox emails and their audit events (one per invitation). No entity goes through the unit of
   * work.
   * Returns one outcome per request, in order; a row refused by a rule carries its AppError (nothing of it is written).
   */
  private async createInvitations(
    orgRef: Organization,
    requests: readonly InvitationRequest[],
    sendEmail: boolean,
    clock: CreationClock,
  ): Promise<InvitationOutcome[]> {
    await this.loadTtl();
    return this.em.transactional(async (em) => {
      const org = await lockOrganization(em, orgRef.id);
      await this.recheckOrg(em, org, OrgPermission.INVITE_MEMBER);
      const emails = [...new Set(requests.map((r) => r.email))];
      const members = await memberStatusByEmail(em, org.id, emails);
      const invited = await pendingInvitationEmails(em, org.id, emails);
      const teamRows = requests.map((r): TeamAssignmentRow[] | AppError => {
        if (r.teams == null) return [];
        try {
          return TeamService.parseAssignments(r.teams);
        } catch (err) {
          if (err instanceof AppError) return err;
          throw err;
        }
      });
      const teams = await TeamService.existingTeamNames(
        em,
        org,
        teamRows.flatMap((rows) => (Array.isArray(rows) ? TeamService.assignedTeamNames(rows) : [])),
      );
      let seatsUsed =
        org.seatLimit != null && requests.some((r) => SEAT_ROLES.has(r.role))
          ? ((await countSeats(em, [org.id])).get(org.id) ?? 0)
          : 0;

      const principal = this.ctx.authz.requireUser();
      const invitations: Invitation[] = [];
      const memberships: Membership[] = [];
      const emailsOut: OutgoingEmail[] = [];
      const audits: AuditInput[] = [];
      const outcomes = requests.map(({ email, role }, i): InvitationOutcome => {
        try {
          const status = members.get(email);
          if (status) {
            const hint = status === MemberStatus.DEACTIVATED ? ' (deactivated: reactivate them instead)' : '';
            throw conflict(`${email} is already a member of "${org.name}"${hint}.`, 'email');
          }
          if (invited.has(email)) {
            throw conflict(`${email} already has a pending invitation to "${org.name}": resend it instead.`, 'email');
          }
          const rows = teamRows[i]!;
          if (rows instanceof AppError) throw rows;
          const assignments = TeamService.checkAssignments(org, role, rows, teams);
          if (SEAT_ROLES.has(role)) {
            assertSeatFree(org, seatsUsed);
            seatsUsed += 1;
          }
          invited.add(email);
          const token = this.newToken();
          const createdAt = clock.next();
          const invitation = Object.assign(new Invitation(), {
            organization: ref(org),
            email,
            role,
            teams: assignments,
            tokenHash: hashSecret(token),
            expiresAt: this.expiry(),
            invitedById: principal.user.id,
            invitedByLabel: principal.user.username,
            createdAt,
          });
          invitations.push(invitation);
          memberships.push(
            Object.assign(new Membership(), {
              organization: ref(org),
              invitation: ref(invitation),
              role,
              status: MemberStatus.PENDING,
              createdAt,
              updatedAt: createdAt,
            }),
          );
          if (sendEmail) emailsOut.push(this.invitationEmail(org, invitation, token));
          audits.push({
            action: AuditAction.MEMBER_INVITED,
            organizationId: org.id,
            target: { type: 'invitation', id: invitation.id, label: email },
            metadata: { role, sendEmail, teams: assignments },
          });
          return { invitation, acceptUrl: sendEmail ? null : this.acceptUrl(token) };
        } catch (err) {
          if (err instanceof AppError) return { error: err };
          throw err;
        }
      });
      await insertEntities(em, invitations);
      if (memberships.length > 0) {
        // PostgreSQL checks each membership's foreign key to its invitation with a plan it caches per connection. If
        // it was planned while the invitations table was small (a young instance), it is a sequential scan, kept as
        // the table grows by thousands of rows per call: every check then reads the whole table (8 s per chunk at
        // 40,000 invitations). For the rest of this transaction, each check is planned against the table as it is.
        await em.execute('set local plan_cache_mode = force_custom_plan');
      }
      await insertEntities(em, memberships);
      await enqueueEmails(em, emailsOut);
      await this.auditMany(em, audits);
      return outcomes;
    });
  }

  /** The invitation email with its accept link: the token exists only here and in the sendEmail:false payload. */
  private invitationEmail(org: Organization, invitation: Invitation, token: string): OutgoingEmail {
    const message = renderInvitationEmail({
      organizationDisplayName: org.displayName,
      organizationName: org.name,
      inviterName: invitation.invitedByLabel,
      email: invitation.email,
      role: invitation.role,
      acceptUrl: this.acceptUrl(token),
      expiresAt: invitation.expiresAt,
    });
    return { kind: 'invitation', to: invitation.email, ...message, invitationId: invitation.id };
  }

  /** An unsent email for a dead token would only deliver a broken link. One already SENDING cannot be stopped. */
  /** Wakes the email sender once the transaction is committed. */
  private afterCommit(): void {
    this.ctx.app.mail.kick();
  }

  /** Loads a PENDING invitation the caller may manage, locked. */
  private async manageable(em: EntityManager, id: string): Promise<{ invitation: Invitation; org: Organization }> {
    const found = await em.findOne(Invitation, { id }, { populate: ['organization'] });
    if (!found) throw notFound('No invitation with this id is visible to you.');
    const orgEntity = found.organization.getEntity();
    if (!(await this.ctx.authz.seesInvitations(orgEntity))) {
      if (await this.ctx.authz.canOrg(orgEntity, OrgPermission.READ))
        await this.ctx.authz.requireOrg(orgEntity, OrgPermission.INVITE_MEMBER);
      throw notFound('No invitation with this id is visible to you.');
    }
    return { invitation: found, org: orgEntity };
  }

  async resend(raw: unknown): Promise<InviteResult> {
    this.ctx.authz.requireUser();
    const input = parseInput(idSchema, raw);
    const { org } = await this.manageable(this.em, input.id);
    await this.loadTtl();
    const result = await this.em.transactional(async (em) => {
      const locked = await lockOrganization(em, org.id);
      await this.recheckOrg(em, locked, OrgPermission.INVITE_MEMBER);
      const invitation = await em.findOneOrFail(Invitation, { id: input.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (invitation.status !== InvitationStatus.PENDING) throw notPending(invitation, 'resent');
      const membership = await em.findOneOrFail(Membership, { invitation: invitation.id });
      // An expired invitation released its seat; renewing it takes one again.
      if (invitation.isExpired() && SEAT_ROLES.has(invitation.role))
        await assertSeatAvailable(em, locked, membership.id);
      await dropQueuedEmails(em, invitation.id);
      const token = this.newToken();
      invitation.tokenHash = hashSecret(token);
      invitation.expiresAt = this.expiry();
      const sendEmail = input.sendEmail !== false;
      if (sendEmail) enqueueEmail(em, this.invitationEmail(locked, invitation, token));
      this.audit(em, {
        action: AuditAction.INVITATION_RESENT,
        organizationId: org.id,
        target: { type: 'invitation', id: invitation.id, label: invitation.email },
        metadata: { sendEmail },
      });
      return { invitation, acceptUrl: sendEmail ? null : this.acceptUrl(token) };
    });
    this.afterCommit();
    return result;
  }

  /** Idempotent: revoking a revoked invitation succeeds with `changed: false` and writes no audit event. */
  async revoke(raw: unknown): Promise<{ invitation: Invitation; changed: boolean }> {
    this.ctx.authz.requireUser();
    const input = parseInput(idSchema, raw);
    const { org } = await this.manageable(this.em, input.id);
    return this.em.transactional(async (em) => {
      const locked = await lockOrganization(em, org.id);
      await this.recheckOrg(em, locked, OrgPermission.INVITE_MEMBER);
      const invitation = await em.findOneOrFail(Invitation, { id: input.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (invitation.status === InvitationStatus.REVOKED) return { invitation, changed: false };
      if (invitation.status !== InvitationStatus.PENDING) throw notPending(invitation, 'revoked');
      await revokePendingInvitation(em, invitation);
      this.audit(em, {
        action: AuditAction.INVITATION_REVOKED,
        organizationId: org.id,
        target: { type: 'invitation', id: invitation.id, label: invitation.email },
      });
      return { invitation, changed: true };
    });
  }

  /**
   * Changes the role and/or the teams of a pending invitation: the same right as inviting, the same seat and
   * team-role rules. An unsent email is not rewritten (resendInvitation sends one with the new role).
   */
  async update(raw: unknown): Promise<{ invitation: Invitation; changed: boolean }> {
    this.ctx.authz.requireUser();
    const input = parseInput(updateSchema, raw);
    if (input.role === undefined && input.teams === undefined)
      throw badInput('role', 'Give role or teams (or both) to change.');
    const { org } = await this.manageable(this.em, input.id);
    return this.em.transactional(async (em) => {
      const locked = await lockOrganization(em, org.id);
      await this.recheckOrg(em, locked, OrgPermission.INVITE_MEMBER);
      const invitation = await em.findOneOrFail(Invitation, { id: input.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (invitation.status !== InvitationStatus.PENDING) throw notPending(invitation, 'updated');
      const from = { role: invitation.role, teams: invitation.teams };
      const role = input.role ?? invitation.role;
      const teamService = new TeamService(this.ctx);
      let teams: InvitedTeam[];
      if (input.teams !== undefined) {
        teams = input.teams === null ? [] : await teamService.validateAssignments(em, locked, role, input.teams);
      } else {
        // Kept teams must still fit the role: an invitation turned VIEWER cannot keep a MEMBER team role.
        const misfit = invitation.teams.find((t) => !Authz.teamRolesForOrgRole(role).has(t.role as TeamRole));
        if (misfit) {
          throw badInput(
            'teams',
            `The invitation joins "${misfit.team}" as ${misfit.role}, which an organization ${role} cannot be: give ` +
              `teams too (a VIEWER is VIEW_ONLY).`,
          );
        }
        teams = invitation.teams;
      }
      if (role === from.role && sameTeams(teams, from.teams)) return { invitation, changed: false };
      const membership = await em.findOneOrFail(Membership, { invitation: invitation.id });
      // An unexpired invitation holds a seat for ADMIN and MEMBER; becoming one takes a seat (an expired one takes it
      // on resend).
      const expired = invitation.isExpired();
      if (!expired && !SEAT_ROLES.has(from.role) && SEAT_ROLES.has(role))
        await assertSeatAvailable(em, locked, membership.id);
      invitation.role = role;
      invitation.teams = teams;
      membership.role = role;
      this.audit(em, {
        action: AuditAction.INVITATION_UPDATED,
        organizationId: org.id,
        target: { type: 'invitation', id: invitation.id, label: invitation.email },
        metadata: { from, to: { role, teams } },
      });
      return { invitation, changed: true };
    });
  }

  /**
   * Public: what the link leads to. Unknown, used and revoked tokens are INVITE_INVALID; expired ones INVITE_EXPIRED.
   */
  async preview(token: string): Promise<InvitationPreview> {
    const invitation = await this.findUsable(
      this.em,
      parseInput(z.object({ token: invitationTokenSchema }), { token }).token,
    );
    const org = await invitation.organization.loadOrFail();
    return {
      email: invitation.email,
      organizationName: org.name,
      organizationDisplayName: org.displayName,
      role: invitation.role,
      invitedBy: invitation.invitedByLabel,
      expiresAt: invitation.expiresAt,
      accountExists: (await this.em.count(User, { email: invitation.email })) > 0,
    };
  }

  private async findUsable(em: EntityManager, token: string, lock = false): Promise<Invitation> {
    const invitation = await em.findOne(
      Invitation,
      { tokenHash: hashSecret(token) },
      lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
    );
    if (!invitation || invitation.status !== InvitationStatus.PENDING) {
      throw new AppError(
        ErrorCode.INVITE_INVALID,
        'This invitation link is unknown, already used or revoked. Ask an organization admin for a new one.',
        { field: 'token' },
      );
    }
    if (invitation.isExpired()) {
      throw new AppError(ErrorCode.INVITE_EXPIRED, 'This invitation expired. Ask an organization admin to resend it.', {
        field: 'token',
      });
    }
    return invitation;
  }

  /**
   * For signUp with a token: the token must be usable and sent to `email`, checked before anything is
   * looked up about `email`, so a junk token or another address's token reveals nothing about accounts.
   */
  async checkToken(token: string, email: string): Promise<void> {
    const invitation = await this.findUsable(
      this.em,
      parseInput(z.object({ token: invitationTokenSchema }), { token }).token,
    );
    if (invitation.email !== email) {
      throw new AppError(ErrorCode.INVITE_INVALID, 'This invitation was sent to another email address.', {
        field: 'email',
      });
    }
  }

  /**
   * Accepts for the logged-in user, for an existing account whose password is given, or for a new account.
   * Single-use under concurrency: the invitation row is locked and flipped to ACCEPTED in one transaction.
   * The token holder is treated as the invitee: they learn whether the invited address has an account
   * (they must log in or create one), nothing about any other address.
   */
  async accept(
    raw: unknown,
    options: { requiredEmail?: string; newAccountOnly?: boolean } = {},
  ): Promise<AcceptResult> {
    this.ctx.authz.requireNotServiceAccount();
    const input = parseInput(acceptSchema, raw);
    const principal = this.ctx.authz.principal;
    const preview = await this.findUsable(this.em, input.token);
    if (options.requiredEmail && options.requiredEmail !== preview.email) {
      throw new AppError(ErrorCode.INVITE_INVALID, 'This invitation was sent to another email address.', {
        field: 'email',
      });
    }
    const existing =
      principal.kind === 'user'
        ? principal.user
        : await this.em.findOne(User, { email: preview.email }, { populate: ['passwordHash'] });
    if (existing && options.newAccountOnly)
      throw conflict('An account with this email already exists; log in and accept the invitation.', 'email');
    let newAccount: z.output<typeof newAccountSchema> | null = null;
    let passwordHash: string | null = null;
    const settings = await this.ctx.app.settings.current();
    // SSO only: a password neither creates an account nor proves one; a signed-in user (e.g. through SSO) accepts.
    if (!settings.passwordSignIn && principal.kind !== 'user') throw passwordSignInDisabled('acceptInvitation');
    // Hash and verify outside the transaction: argon2 is slow and must not hold the row lock.
    if (!existing) {
      newAccount = parseInput(newAccountSchema, {
        username: input.username,
        name: input.name,
        password: input.password,
      });
      passwordHash = await hashNewPassword(this.ctx, newAccount.password);
    } else if (principal.kind !== 'user') {
      // A password check like logIn's: throttled per login (the invited email) and per client address.
      const ok = input.password
        ? await checkPassword(this.ctx, {
            login: preview.email,
            user: existing,
            password: input.password,
            via: 'acceptInvitation',
          })
        : false;
      if (!ok) {
        throw new AppError(
          ErrorCode.INVALID_CREDENTIALS,
          `An account for ${preview.email} exists: log in first, or give its password.`,
          { field: 'password' },
        );
      }
    }
    const result = await this.em
      .transactional(async (em) => {
        const invitation = await this.findUsable(em, input.token, true);
        if (existing && existing.email !== invitation.email) {
          throw new AppError(
            ErrorCode.INVITE_INVALID,
            `This invitation is for ${invitation.email}; you are logged in as ${existing.email}.`,
            { field: 'token' },
          );
        }
        const org = await lockOrganization(em, invitation.organization.id);
        let user: User;
        if (existing) {
          user = await em.findOneOrFail(User, { id: existing.id });
          if (await em.count(Membership, { organization: org.id, user: user.id })) {
            throw conflict(`You are already a member of "${org.name}".`);
          }
        } else {
          const taken = await em.count(User, { username: newAccount!.username });
          if (taken) throw conflict('This username is taken; choose another.', 'username');
          user = em.create(User, {
            email: invitation.email,
            username: newAccount!.username,
            name: newAccount!.name,
            passwordHash,
          });
          this.audit(em, {
            action: AuditAction.USER_SIGNED_UP,
            actor: { type: 'user', id: user.id, label: user.username },
            target: { type: 'user', id: user.id, label: user.username },
            organizationId: org.id,
            metadata: { viaInvitation: invitation.id },
          });
        }
        await InvitationService.completeAcceptance(em, invitation, org, user, (input) => this.audit(em, input));
        const session = principal.kind === 'user' ? null : issueSession(em, user, settings.sessionTtlHours, this.ctx);
        return {
          user,
          organization: org,
          token: session?.token ?? null,
          expiresAt: session?.session.expiresAt ?? null,
          sessionId: session?.session.id ?? null,
        };
      })
      .catch(rethrowUniqueAsConflict);
    if (result.token && result.expiresAt) {
      this.ctx.cookies.set(result.token, result.expiresAt);
      this.ctx.authz.assume({
        kind: 'user',
        user: result.user,
        method: 'SESSION',
        sessionId: result.sessionId,
        apiKeyId: null,
      });
    }
    return result;
  }

  /**
   * The acceptance itself, shared by acceptInvitation and SSO sign-in (which accepts the pending invitations of the
   * address the identity provider verified): the PENDING membership becomes the user's ACTIVE one, the invitation is
   * ACCEPTED, the invited teams are joined. Call in a transaction holding the invitation's row lock and the
   * organization's lock (`lockOrganization`). The invitation's seat is already counted: none is taken here.
   */
  static async completeAcceptance(
    em: EntityManager,
    invitation: Invitation,
    org: Organization,
    user: User,
    audit: (input: AuditInput) => void,
  ): Promise<void> {
    const membership = await em.findOneOrFail(Membership, { invitation: invitation.id });
    membership.user = ref(user);
    membership.status = MemberStatus.ACTIVE;
    invitation.status = InvitationStatus.ACCEPTED;
    invitation.acceptedAt = new Date();
    invitation.acceptedUserId = user.id;
    user.defaultOrganization ??= ref(org);
    await TeamService.joinInvitedTeams(em, org, user, invitation.teams, invitation.invitedById);
    audit({
      action: AuditAction.INVITATION_ACCEPTED,
      actor: { type: 'user', id: user.id, label: user.username },
      organizationId: org.id,
      target: { type: 'user', id: user.id, label: user.username },
      metadata: { invitationId: invitation.id, role: invitation.role },
    });
  }

  /** The usable (PENDING, unexpired) invitations sent to `email`, row-locked, oldest first. */
  static async pendingForEmail(em: EntityManager, email: string): Promise<Invitation[]> {
    const rows = await em.find(
      Invitation,
      { email, status: InvitationStatus.PENDING },
      { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { createdAt: 'asc', id: 'asc' }, refresh: true },
    );
    return rows.filter((i) => !i.isExpired());
  }

  /** Invitations of an organization, newest first (org admins). */
  async list(
    org: Organization,
    args: { first?: number | null; after?: string | null; statuses?: InvitationStatus[] | null },
  ): Promise<Connection<Invitation>> {
    await this.ctx.authz.requireOrg(org, OrgPermission.INVITE_MEMBER);
    const page = INVITATIONS_CURSOR.page(args, 'CREATED_DESC');
    const where = { organization: org.id, ...(args.statuses?.length ? { status: { $in: args.statuses } } : {}) };
    const after = newestFirstAfter(page.after);
    const [rows, total] = await Promise.all([
      this.em.find(Invitation, { $and: [where, after] }, { orderBy: NEWEST_FIRST_ORDER, limit: page.first + 1 }),
      this.em.count(Invitation, where),
    ]);
    return INVITATIONS_CURSOR.connection(
      page,
      'CREATED_DESC',
      rows,
      total,
      (i) => [i.createdAt, i.id],
      (i) => i,
    );
  }
}
