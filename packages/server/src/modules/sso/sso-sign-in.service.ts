import { ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Service } from '../service';
import { User } from '../accounts/user.entity';
import { byLogin, normalizeLogin } from '../accounts/login';
import { Organization } from '../organizations/organization.entity';
import { Membership } from '../organizations/membership.entity';
import { assertSeatAvailable, lockOrganization } from '../organizations/invariants';
import { InvitationService } from '../invitations/invitation.service';
import { AuditAction } from '../audit/audit.service';
import { issueSession } from '../../auth/sessions';
import { beginSignInAttempt, recordFailure, startRequestSession } from '../../auth/sign-in';
import { PasswordHashingBusyError } from '../../auth/passwords';
import { SEAT_ROLES } from '../../authz/permissions';
import { MemberStatus, OrgRole } from '../../authz/roles';
import { AppError, ErrorCode, badInput } from '../../errors';
import { rethrowUniqueAsConflict } from '../../db/unique-violation';
import { emailSchema, personNameSchema, usernameSchema } from '../../validation';
import { isStorableText } from '../../graphql/input-hygiene';
import { SsoIdentity } from './sso-identity.entity';
import { syncTeamsFromGroups, type SyncSummary } from './group-sync';
import { LdapUnavailableError, ldapAuthenticate, type LdapIdentity } from './ldap';
import type { LdapProviderSettings, SsoProviderSettings, SsoSettings } from './sso-settings';

/** A person an SSO provider vouched for. */
export interface ExternalIdentity {
  provider: SsoProviderSettings;
  subject: string;
  email: string | null;
  /** OIDC: `email_verified` (null when the provider did not say); LDAP: true (the directory is the authority). */
  emailVerified: boolean | null;
  /** A username to start from (OIDC `preferred_username`, the LDAP username attribute). */
  username: string | null;
  name: string | null;
  /** Null: the provider gives no groups (no groupsClaim): memberships it manages are left as they are. */
  groups: string[] | null;
}

export interface SsoSessionResult {
  user: User;
  token: string;
  expiresAt: Date;
  provisioned: boolean;
  sync: SyncSummary | null;
}

/** A failure of the sign-in itself, distinguished from bugs so the callback page can say what to do. */
export function ssoError(code: ErrorCode, message: string, details?: Record<string, unknown>): AppError {
  return new AppError(code, message, details ? { details } : {});
}

/** The one derivation of a username from what a provider says: the username validator's alphabet, made unique. */
export function usernameBase(identity: Pick<ExternalIdentity, 'username' | 'email' | 'name'>): string {
  const raw = identity.username ?? identity.email?.split('@')[0] ?? identity.name ?? 'user';
  let base = raw
    .toLowerCase()
    .replace(/@.*$/, '')
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 32);
  if (!usernameSchema.safeParse(base).success) base = `user-${base}`.replace(/-$/, '').slice(0, 32);
  if (!usernameSchema.safeParse(base).success) base = 'user';
  return base;
}

/** Groups of one identity Roster looks at (matched against the group mappings and the LDAP allow-list). */
export const MAX_IDENTITY_GROUPS = 1000;
const MAX_SUBJECT_LENGTH = 255;
const MAX_GROUP_LENGTH = 255;

/**
 * What a provider asserts, made safe to store and compare: a provider is configured by an admin but its claims are
 * still input. A subject Roster cannot store (empty, longer than 255 characters, a NUL byte or invalid Unicode) refuses
 * the sign-in with SSO_FAILED; an email that is not one, or a name that cannot be stored, is treated as absent (a name
 * is cut to 100 characters); groups are limited to MAX_IDENTITY_GROUPS storable names of at most 255 characters.
 */
export function storableIdentity(identity: ExternalIdentity): ExternalIdentity {
  const { subject } = identity;
  if (!subject || subject.length > MAX_SUBJECT_LENGTH || !isStorableText(subject)) {
    throw ssoError(
      ErrorCode.SSO_FAILED,
      `The provider "${identity.provider.name}" identified the person with a subject Roster cannot store (empty, ` +
        `longer than ${MAX_SUBJECT_LENGTH} characters, or with a NUL byte or invalid Unicode): ask your ` +
        'administrator to check the provider.',
    );
  }
  const text = (value: string | null) => (value !== null && isStorableText(value) ? value : null);
  const email = identity.email === null ? null : emailSchema.safeParse(text(identity.email));
  const name = text(identity.name)?.trim().slice(0, 100) ?? null;
  return {
    ...identity,
    email: email?.success ? email.data : null,
    username: text(identity.username),
    name: name && personNameSchema.safeParse(name).success ? name : null,
    groups:
      identity.groups === null
        ? null
        : identity.groups
            .filter((g) => g.length > 0 && g.length <= MAX_GROUP_LENGTH && isStorableText(g))
            .slice(0, MAX_IDENTITY_GROUPS),
  };
}

export async function uniqueUsername(em: EntityManager, base: string): Promise<string> {
  const rows: Array<{ username: string }> = await em.execute(
    `select username from users where username = ? or username like ?`,
    [base, `${base.replace(/[\\%_]/g, (c) => `\\${c}`)}-%`],
  );
  const taken = new Set(rows.map((r) => r.username));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

export class SsoSignInService extends Service {
  /**
   * Signs in a person the provider vouched for, in one transaction: matched by (provider, subject), else by verified
   * email; a stranger is provisioned (settings permitting) or refused; pending invitations for the address are
   * accepted; groups are synced to teams; a session is issued. A refusal changes nothing (an audit event in its own
   * transaction says why).
   */
  async signIn(asserted: ExternalIdentity, settings: SsoSettings): Promise<SsoSessionResult> {
    const identity = storableIdentity(asserted);
    try {
      return await this.signInOnce(identity, settings);
    } catch (err) {
      if (err instanceof AppError && err.code !== ErrorCode.INTERNAL_SERVER_ERROR)
        await this.recordRefusal(identity, settings, err);
      throw err;
    }
  }

  private async signInOnce(identity: ExternalIdentity, settings: SsoSettings): Promise<SsoSessionResult> {
    const providerName = identity.provider.name;
    const result = await this.em
      .transactional(async (em) => {
        const link = await em.findOne(SsoIdentity, { provider: providerName, subject: identity.subject });
        let user = link ? await em.findOne(User, { id: link.user.id }) : null;
        if (!user) {
          if (!identity.email)
            throw ssoError(
              ErrorCode.SSO_EMAIL_NOT_VERIFIED,
              `${identity.provider.label} did not send an email address, so no account can be matched. Ask your ` +
                `administrator to release the "email" claim (scope "email") to this application.`,
            );
          if (!this.emailVerified(identity))
            throw ssoError(
              ErrorCode.SSO_EMAIL_NOT_VERIFIED,
              `${identity.provider.label} says the email address ${identity.email} is not verified. Verify it there, ` +
                `then sign in again.`,
            );
          user = await em.findOne(User, { email: identity.email });
        }
        let provisioned = false;
        if (user) {
          await this.assertNotDeactivated(em, user);
        } else {
          user = await this.provision(em, identity, settings);
          provisioned = true;
        }
        if (link) {
          link.lastSignInAt = new Date();
          // The provider's email changed: the account follows when the new address is verified and free.
          if (
            identity.email &&
            this.emailVerified(identity) &&
            identity.email !== user.email &&
            (await em.count(User, { email: identity.email })) === 0
          ) {
            const from = user.email;
            user.email = identity.email;
            this.audit(em, {
              action: AuditAction.USER_SSO_SIGNED_IN,
              actor: { type: 'user', id: user.id, label: user.username },
              target: { type: 'user', id: user.id, label: user.username },
              metadata: { provider: providerName, emailChanged: { from, to: identity.email } },
            });
          }
          link.email = identity.email;
        } else {
          em.create(SsoIdentity, {
            provider: providerName,
            subject: identity.subject,
            user: ref(user),
            email: identity.email,
          });
        }
        const sync =
          identity.groups === null
            ? null
            : await syncTeamsFromGroups(em, user, identity.groups, settings.groupMappings, (input) =>
                this.audit(em, { actor: { type: 'user', id: user!.id, label: user!.username }, ...input }),
              );
        const issued = issueSession(em, user, (await this.ctx.app.settings.current()).sessionTtlHours, this.ctx);
        this.audit(em, {
          action: AuditAction.USER_SSO_SIGNED_IN,
          actor: { type: 'user', id: user.id, label: user.username },
          target: { type: 'user', id: user.id, label: user.username },
          organizationId: user.defaultOrganization?.id ?? null,
          metadata: { provider: providerName, kind: identity.provider.kind, provisioned, sync },
        });
        return {
          user,
          token: issued.token,
          expiresAt: issued.session.expiresAt,
          sessionId: issued.session.id,
          provisioned,
          sync,
        };
      })
      .catch(rethrowUniqueAsConflict);
    startRequestSession(this.ctx, result.user, result);
    this.ctx.app.activity.touch(result.user.id);
    this.ctx.app.instanceState.markBootstrapped();
    return result;
  }

  /**
   * Whether the identity's email may name an account (matching, and following a changed address): verified by the
   * provider, or unsaid by a provider configured to be trusted on it (`assumeEmailVerified`, Entra ID).
   */
  private emailVerified(identity: ExternalIdentity): boolean {
    if (identity.emailVerified === true) return true;
    return (
      identity.emailVerified === null &&
      identity.provider.kind === 'OIDC' &&
      identity.provider.assumeEmailVerified === true
    );
  }

  /** ACCESS_DEACTIVATED when every membership the user has was deactivated (and they have at least one). */
  private async assertNotDeactivated(em: EntityManager, user: User): Promise<void> {
    const rows: Array<{ status: MemberStatus }> = await em.execute(
      'select distinct status from org_memberships where user_id = ?',
      [user.id],
    );
    const statuses = new Set(rows.map((r) => r.status));
    if (statuses.has(MemberStatus.DEACTIVATED) && !statuses.has(MemberStatus.ACTIVE))
      throw ssoError(
        ErrorCode.ACCESS_DEACTIVATED,
        'Your access was deactivated by an organization admin. Ask them to reactivate you; signing in again will not ' +
          'help until they do.',
      );
  }

  /**
   * A new account for a stranger: with provisioning on, an ACTIVE membership in the default organization with the
   * default role (seat permitting, the organization row-locked); with provisioning off, only holders of a pending
   * invitation. Pending invitations for the address are accepted either way.
   */
  private async provision(em: EntityManager, identity: ExternalIdentity, settings: SsoSettings): Promise<User> {
    const email = identity.email!;
    const invitations = await InvitationService.pendingForEmail(em, email);
    if (!settings.provisioning && invitations.length === 0)
      throw ssoError(
        ErrorCode.SSO_NOT_PROVISIONED,
        `There is no account for ${email} here, and new accounts are created only by invitation. Ask an organization ` +
          'admin to invite this address, then sign in again.',
      );
    const defaultOrg =
      settings.provisioning && settings.defaultOrganization
        ? await em.findOne(Organization, { name: settings.defaultOrganization.trim().toLowerCase() })
        : null;
    if (settings.provisioning && settings.defaultOrganization && !defaultOrg && invitations.length === 0)
      throw ssoError(
        ErrorCode.SSO_NOT_PROVISIONED,
        `Automatic provisioning names the organization "${settings.defaultOrganization}", which does not exist. An ` +
          'instance admin must fix the SSO default organization.',
      );
    const user = em.create(User, {
      email,
      username: await uniqueUsername(em, usernameBase(identity)),
      name: (identity.name ?? identity.username ?? email.split('@')[0]!).slice(0, 100),
      passwordHash: null,
    });
    const actor = { type: 'user', id: user.id, label: user.username };
    const joined = new Set<string>();
    for (const invitation of invitations) {
      const org = await lockOrganization(em, invitation.organization.id);
      await InvitationService.completeAcceptance(em, invitation, org, user, (input) => this.audit(em, input));
      joined.add(org.id);
    }
    let role: OrgRole | null = null;
    if (defaultOrg && !joined.has(defaultOrg.id)) {
      const org = await lockOrganization(em, defaultOrg.id);
      role = OrgRole[settings.defaultRole];
      if (SEAT_ROLES.has(role)) await assertSeatAvailable(em, org);
      em.create(Membership, { organization: org, user, role, status: MemberStatus.ACTIVE });
      user.defaultOrganization ??= ref(org);
    }
    this.audit(em, {
      action: AuditAction.USER_SSO_PROVISIONED,
      actor,
      target: { type: 'user', id: user.id, label: user.username },
      organizationId: defaultOrg?.id ?? user.defaultOrganization?.id ?? null,
      metadata: {
        provider: identity.provider.name,
        organization: role ? defaultOrg!.name : null,
        role,
        invitationsAccepted: invitations.map((i) => i.id),
      },
    });
    return user;
  }

  private async recordRefusal(identity: ExternalIdentity, settings: SsoSettings, err: AppError): Promise<void> {
    if (
      ![
        ErrorCode.SSO_EMAIL_NOT_VERIFIED,
        ErrorCode.SSO_NOT_PROVISIONED,
        ErrorCode.SSO_GROUP_NOT_ALLOWED,
        ErrorCode.ACCESS_DEACTIVATED,
        ErrorCode.SEAT_LIMIT_REACHED,
      ].includes(err.code)
    )
      return;
    const em = this.em.fork();
    // Recorded in the default organization's log (where provisioning would have put them), so its admins see it.
    const defaultOrg = settings.defaultOrganization
      ? await em.findOne(Organization, { name: settings.defaultOrganization.trim().toLowerCase() }, { fields: ['id'] })
      : null;
    this.audit(em, {
      organizationId: defaultOrg?.id ?? null,
      action: AuditAction.USER_SSO_REFUSED,
      actor: { type: 'anonymous', id: null, label: null },
      target: {
        type: 'sso_identity',
        id: `${identity.provider.name}:${identity.subject}`.slice(0, 255),
        label: identity.email,
      },
      metadata: { provider: identity.provider.name, code: err.code },
    });
    await em.flush();
    this.ctx.logger.info({ provider: identity.provider.name, code: err.code }, 'SSO sign-in refused');
  }

  /**
   * logIn with LDAP providers (docs/SSO.md "logIn and LDAP"). With `provider`: that LDAP provider only. Without:
   * the local password first (when password sign-in is on and the account has one), then each LDAP provider in the
   * configured order; the first that accepts the password signs in. The whole call is one throttled attempt against
   * the login and the client address, like a password logIn.
   */
  async logIn(
    input: { login: string; password: string; provider: string | null },
    settings: SsoSettings,
  ): Promise<SsoSessionResult> {
    let ldaps: LdapProviderSettings[];
    let tryPassword: boolean;
    if (input.provider) {
      const p = settings.providers.find((x) => x.name === input.provider);
      if (!p)
        throw badInput(
          'provider',
          `There is no sign-in provider named "${input.provider}"; ssoProviders lists the configured ones.`,
        );
      if (p.kind !== 'LDAP')
        throw badInput(
          'provider',
          `"${p.name}" is an OIDC provider: sign in through ` +
            `${this.ctx.app.config.publicUrl}/auth/oidc/login?provider=` +
            `${p.name} (or beginOidcSignIn), not with a password.`,
        );
      ldaps = [p];
      tryPassword = false;
    } else {
      ldaps = settings.providers.filter((p): p is LdapProviderSettings => p.kind === 'LDAP');
      tryPassword = settings.passwordSignIn;
    }
    const login = normalizeLogin(input.login);
    const attempt = await beginSignInAttempt(this.ctx, login);
    let local: User | null = null;
    let unavailable = 0;
    try {
      if (tryPassword) {
        local = await this.em.findOne(User, byLogin(login), { populate: ['passwordHash'] });
        // An unknown login (or one without a password) costs the same hash as a known one, as in checkPassword.
        const matches = local?.passwordHash
          ? await this.ctx.app.passwords.verify(local.passwordHash, input.password)
          : await this.ctx.app.passwords.verifyNothing(input.password);
        if (local?.passwordHash && matches) {
          await attempt.succeeded();
          return await this.passwordSession(local);
        }
      }
      for (const p of ldaps) {
        let found: LdapIdentity | null;
        try {
          found = await ldapAuthenticate(p, input.login.trim(), input.password);
        } catch (err) {
          if (!(err instanceof LdapUnavailableError)) throw err;
          unavailable++;
          this.ctx.logger.warn({ provider: p.name, err: err.message }, 'LDAP provider unavailable');
          continue;
        }
        if (!found) continue;
        await attempt.succeeded();
        if (p.groupAllowList.length > 0) {
          const allowed = new Set(p.groupAllowList.map((g) => g.toLowerCase()));
          if (!found.groups.some((g) => allowed.has(g.toLowerCase()))) {
            const error = ssoError(
              ErrorCode.SSO_GROUP_NOT_ALLOWED,
              `Your directory account is not in a group allowed to sign in (${p.groupAllowList.join(', ')}). Ask ` +
                'the directory administrator to add you to one.',
            );
            await this.recordRefusal(
              { provider: p, subject: found.subject, email: found.email } as ExternalIdentity,
              settings,
              error,
            );
            throw error;
          }
        }
        return await this.signIn(
          {
            provider: p,
            subject: found.subject,
            email: found.email?.toLowerCase() ?? null,
            emailVerified: true,
            username: found.username,
            name: found.name,
            groups: found.groups,
          },
          settings,
        );
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      await attempt.abandon().catch(() => undefined);
      if (err instanceof PasswordHashingBusyError)
        throw new AppError(
          ErrorCode.RATE_LIMITED,
          'The server is busy checking other passwords. Try again in a moment.',
          {
            details: { retryAfterSeconds: err.retryAfterSeconds },
          },
        );
      throw err;
    }
    // Whether the login has a local password does not change the answer: that would tell whether the account exists.
    // When a local password was tried (and was wrong) the attempt counts, for known and unknown logins alike, so an
    // outage of the directory does not open unthrottled guessing of local passwords; otherwise it is not the caller's.
    if (unavailable > 0 && unavailable === ldaps.length) {
      if (tryPassword) await recordFailure(this.ctx, { login, user: local, via: 'ldap' }, await attempt.failed());
      else await attempt.abandon();
      throw ssoError(
        ErrorCode.SSO_FAILED,
        'The directory (LDAP) could not be reached, so the password could not be checked. Try again later; tell ' +
          'your administrator if it persists.',
      );
    }
    const outcome = await attempt.failed();
    await recordFailure(this.ctx, { login, user: local, via: 'ldap' }, outcome);
    throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'Wrong login or password.');
  }

  /** A local-password sign-in within the SSO order: the same session and audit event as a plain logIn. */
  private async passwordSession(user: User): Promise<SsoSessionResult> {
    const issued = await this.em.transactional(async (em) => {
      const s = issueSession(em, user, (await this.ctx.app.settings.current()).sessionTtlHours, this.ctx);
      this.audit(em, {
        action: AuditAction.USER_LOGGED_IN,
        actor: { type: 'user', id: user.id, label: user.username },
        target: { type: 'user', id: user.id, label: user.username },
      });
      return s;
    });
    startRequestSession(this.ctx, user, {
      token: issued.token,
      expiresAt: issued.session.expiresAt,
      sessionId: issued.session.id,
    });
    this.ctx.app.activity.touch(user.id);
    return { user, token: issued.token, expiresAt: issued.session.expiresAt, provisioned: false, sync: null };
  }
}
