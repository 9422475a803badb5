import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditEvent } from './audit-event.entity';
import { insertEntities } from '../../db/bulk-insert';
import type { Principal } from '../../auth/principal';

/** Stable action names; clients filter on them. */
export enum AuditAction {
  USER_SIGNED_UP = 'user.signed_up',
  USER_LOGGED_IN = 'user.logged_in',
  USER_LOGGED_OUT = 'user.logged_out',
  /**
   * A login reached SIGN_IN_MAX_FAILURES_PER_ACCOUNT; target is the user, or `login` (SHA-256 of it) when no account
   * has it.
   */
  USER_LOGIN_LOCKED = 'user.login_locked',
  /** A client address reached SIGN_IN_MAX_FAILURES_PER_ADDRESS (the event's client address). */
  SIGN_IN_ADDRESS_LOCKED = 'sign_in.address_locked',
  API_KEY_CREATED = 'api_key.created',
  API_KEY_REVOKED = 'api_key.revoked',
  /** A new key replaced the target; the old one works until the end of the grace period (`metadata`). */
  API_KEY_ROTATED = 'api_key.rotated',
  /** The first request with a key past its expiry (recorded once per key; actor: the key's owner). */
  API_KEY_EXPIRED_ON_USE = 'api_key.expired_on_use',
  SERVICE_ACCOUNT_CREATED = 'service_account.created',
  SERVICE_ACCOUNT_RENAMED = 'service_account.renamed',
  SERVICE_ACCOUNT_UPDATED = 'service_account.updated',
  SERVICE_ACCOUNT_DISABLED = 'service_account.disabled',
  SERVICE_ACCOUNT_ENABLED = 'service_account.enabled',
  SERVICE_ACCOUNT_DELETED = 'service_account.deleted',
  ORGANIZATION_CREATED = 'organization.created',
  ORGANIZATION_UPDATED = 'organization.updated',
  MEMBER_INVITED = 'member.invited',
  // The stored names of invitation events predate the `invitation` noun and stay as they are: clients filter on them.
  INVITATION_UPDATED = 'member.invitation_updated',
  INVITATION_RESENT = 'member.invite_resent',
  INVITATION_REVOKED = 'member.invite_revoked',
  INVITATION_ACCEPTED = 'member.invite_accepted',
  MEMBER_ROLE_CHANGED = 'member.role_changed',
  MEMBER_DEACTIVATED = 'member.deactivated',
  MEMBER_REACTIVATED = 'member.reactivated',
  MEMBER_REMOVED = 'member.removed',
  TEAM_CREATED = 'team.created',
  TEAM_UPDATED = 'team.updated',
  TEAM_DELETED = 'team.deleted',
  TEAM_MEMBER_ADDED = 'team.member_added',
  TEAM_MEMBER_ROLE_CHANGED = 'team.member_role_changed',
  TEAM_MEMBER_REMOVED = 'team.member_removed',
  TEAM_MEMBER_LEFT = 'team.member_left',
  CUSTOM_ROLE_CREATED = 'custom_role.created',
  CUSTOM_ROLE_UPDATED = 'custom_role.updated',
  CUSTOM_ROLE_DELETED = 'custom_role.deleted',
  CUSTOM_ROLE_ASSIGNED = 'custom_role.assigned',
  PROJECT_CREATED = 'project.created',
  PROJECT_DELETED = 'project.deleted',
  // Logging a run is not audited: far too frequent. Deleting one is.
  RUN_DELETED = 'run.deleted',
  REPORT_CREATED = 'report.created',
  REPORT_DELETED = 'report.deleted',
  USER_CREATED_BY_CLI = 'user.created_by_cli',
  INSTANCE_ADMIN_GRANTED = 'user.instance_admin_granted',
  PASSWORD_RESET = 'user.password_reset',
  /** A sign-in through an SSO provider (metadata: provider, kind); a password logIn is `user.logged_in`. */
  USER_SSO_SIGNED_IN = 'user.sso_signed_in',
  /** The first SSO sign-in created the account (metadata: provider, organization, role, invitations accepted). */
  USER_SSO_PROVISIONED = 'user.sso_provisioned',
  /** An SSO sign-in was refused after the provider vouched for the identity (metadata: provider, code). */
  USER_SSO_REFUSED = 'user.sso_refused',
  /**
   * Group-to-team sync would have removed or demoted a team's last admin: the membership was kept as it was
   * (metadata: team, group role wanted).
   */
  SSO_SYNC_KEPT_LAST_ADMIN = 'team.sso_sync_kept_last_admin',
  /**
   * A wrong password (logIn, acceptInvitation). Target: the user, or `login` (SHA-256 of the login) when no account
   * has it; such events belong to no organization, so only instance admins see them (account existence stays hidden).
   */
  USER_LOGIN_FAILED = 'user.login_failed',
  /** Sessions ended by revokeSessions (metadata: how many, whether the current one was kept). */
  SESSIONS_REVOKED = 'user.sessions_revoked',
  /** The first request with an API key from a client address (once per key and address, across processes). */
  API_KEY_USED_FROM_NEW_ADDRESS = 'api_key.used_from_new_address',
  /** An export of the audit log (metadata: the filters). */
  AUDIT_LOG_EXPORTED = 'audit_log.exported',
  /** The retention job deleted old audit events or emails (actor: system; metadata: counts and cut-offs). */
  RETENTION_PRUNED = 'retention.pruned',
  // Instance settings (issue 12, item 5): metadata names the fields that changed, never a secret's value.
  INSTANCE_ADMIN_REVOKED = 'user.instance_admin_revoked',
  INSTANCE_SETTINGS_UPDATED = 'instance_settings.updated',
  SSO_PROVIDER_CREATED = 'instance_settings.sso_provider_created',
  SSO_PROVIDER_UPDATED = 'instance_settings.sso_provider_updated',
  SSO_PROVIDER_DELETED = 'instance_settings.sso_provider_deleted',
  GROUP_MAPPINGS_SET = 'instance_settings.group_mappings_set',
  /** `roster-admin reencrypt-secrets` rewrote stored secrets under the current SECRETS_KEY. */
  SECRETS_REENCRYPTED = 'instance_settings.secrets_reencrypted',
  /** The members view downloaded (GET /organizations/:name/members.csv or .jsonl): format and filters. */
  MEMBERS_EXPORTED = 'member.exported',
  // SCIM provisioning (docs/SCIM.md): actor `scim_token` (the token's name), metadata `via: scim` and `idpRequestId`.
  SCIM_TOKEN_CREATED = 'scim_token.created',
  SCIM_TOKEN_REVOKED = 'scim_token.revoked',
  /** POST /Users: a member added (metadata: role, status, whether the account was created, externalId). */
  SCIM_USER_PROVISIONED = 'member.scim_provisioned',
  /** SCIM changed a member's userName, externalId, name or email (metadata: which). */
  SCIM_USER_UPDATED = 'member.scim_updated',
  /** A team renamed (SCIM Group displayName). */
  TEAM_RENAMED = 'team.renamed',
}

export interface AuditTarget {
  type: string;
  id: string;
  label?: string | null;
}

export interface AuditInput {
  action: AuditAction;
  target?: AuditTarget;
  organizationId?: string | null;
  /** Non-secret facts about the change (old and new role, key name...). */
  metadata?: Record<string, unknown>;
  /** Overrides the request principal, e.g. the user a sign-up just created. */
  actor?: { type: string; id: string | null; label: string | null };
}

export interface AuditSource {
  principal: Principal;
  clientAddress: string | null;
}

/** Persists an audit event in the caller's transaction: it commits or rolls back with the change it describes. */
export function recordAudit(em: EntityManager, source: AuditSource, input: AuditInput): AuditEvent {
  const event = auditEvent(source, input);
  em.persist(event);
  return event;
}

/**
 * Writes many audit events in the caller's transaction in one statement (insertEntities: no unit of work): for bulk
 * operations, one event per item, as `recordAudit` would write them.
 */
export function recordAudits(em: EntityManager, source: AuditSource, inputs: readonly AuditInput[]): Promise<void> {
  return insertEntities(
    em,
    inputs.map((input) => auditEvent(source, input)),
  );
}

/** The event an input describes, not yet persisted: the actor is the input's, or the request principal. */
function auditEvent(source: AuditSource, input: AuditInput): AuditEvent {
  const event = new AuditEvent();
  event.action = input.action;
  const actor =
    input.actor ??
    (source.principal.kind === 'user'
      ? { type: 'user', id: source.principal.user.id, label: source.principal.user.username }
      : source.principal.kind === 'service_account'
        ? {
            type: 'service_account',
            id: source.principal.serviceAccount.id,
            label: source.principal.serviceAccount.name,
          }
        : { type: 'anonymous', id: null, label: null });
  event.actorType = actor.type;
  event.actorId = actor.id;
  event.actorLabel = actor.label;
  event.targetType = input.target?.type ?? null;
  event.targetId = input.target?.id ?? null;
  event.targetLabel = input.target?.label ?? null;
  event.organizationId = input.organizationId ?? null;
  event.metadata = input.metadata ?? null;
  event.clientAddress = source.clientAddress;
  return event;
}
