import { ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { rethrowUniqueAsConflict } from '../../db/unique-violation';
import { z } from 'zod';
import { Service } from '../service';
import { User } from './user.entity';
import { byLogin, normalizeLogin } from './login';
import { Organization } from '../organizations/organization.entity';
import { Membership } from '../organizations/membership.entity';
import { Session } from '../../auth/session.entity';
import { issueSession } from '../../auth/sessions';
import { checkPassword, hashNewPassword, startRequestSession } from '../../auth/sign-in';
import { SsoSignInService } from '../sso/sso-sign-in.service';
import { AppError, ErrorCode, conflict, forbidden, notFound, passwordSignInDisabled } from '../../errors';
import {
  emailSchema,
  invitationTokenSchema,
  orgNameSchema,
  parseInput,
  passwordSchema,
  personNameSchema,
  userLoginSchema,
  ssoProviderNameSchema,
  usernameSchema,
} from '../../validation';
import { AuditAction } from '../audit/audit.service';
import { InvitationService } from '../invitations/invitation.service';
import { MemberStatus } from '../../authz/roles';
import { InstancePermission, ORG_ADMIN_ROLE } from '../../authz/permissions';

const signUpSchema = z.object({
  email: emailSchema,
  username: usernameSchema,
  name: personNameSchema,
  password: passwordSchema,
  invitationToken: invitationTokenSchema.nullish(),
  organizationName: orgNameSchema.nullish(),
});

const logInSchema = z.object({
  login: userLoginSchema,
  password: z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters'),
  provider: ssoProviderNameSchema.nullish(),
});

const revokeSessionsSchema = z.object({
  user: userLoginSchema.nullish(),
  keepCurrent: z.boolean().nullish(),
});

export interface SessionResult {
  user: User;
  token: string;
  expiresAt: Date;
}

export interface SignUpResult extends SessionResult {
  organization: Organization | null;
}

// Serialises bootstrap so two simultaneous first sign-ups cannot both become instance admin.
const BOOTSTRAP_LOCK_KEY = 7_265_001;

export const DEFAULT_ORGANIZATION_NAME = 'default';

export class AccountService extends Service {
  async signUp(raw: unknown): Promise<SignUpResult> {
    this.ctx.authz.requireNotServiceAccount();
    const input = parseInput(signUpSchema, raw);
    if (input.invitationToken) return this.signUpWithInvitation(input);
    const passwordHash = await hashNewPassword(this.ctx, input.password);
    const { sessionTtlHours } = await this.ctx.app.settings.current();
    const result = await this.em
      .transactional(async (em) => {
        await em.execute('select pg_advisory_xact_lock(?)', [BOOTSTRAP_LOCK_KEY]);
        const userCount = await em.count(User, {});
        if (userCount > 0) {
          throw forbidden(
            'This instance is already set up: signing up needs an invitation. Ask an organization admin to invite ' +
              'you, or sign in with SSO.',
          );
        }
        await this.assertAvailable(em, input.email, input.username);
        const user = em.create(User, {
          email: input.email,
          username: input.username,
          name: input.name,
          passwordHash,
          instanceAdmin: true,
        });
        const organization = em.create(Organization, {
          name: input.organizationName ?? DEFAULT_ORGANIZATION_NAME,
          displayName: input.organizationName ?? 'Default organization',
        });
        user.defaultOrganization = ref(organization);
        em.create(Membership, { organization, user, role: ORG_ADMIN_ROLE, status: MemberStatus.ACTIVE });
        const actor = { type: 'user', id: user.id, label: user.username };
        this.audit(em, {
          action: AuditAction.USER_SIGNED_UP,
          actor,
          target: { type: 'user', id: user.id, label: user.username },
          organizationId: organization.id,
          metadata: { bootstrap: true },
        });
        this.audit(em, {
          action: AuditAction.ORGANIZATION_CREATED,
          actor,
          target: { type: 'organization', id: organization.id, label: organization.name },
          organizationId: organization.id,
        });
        const issued = issueSession(em, user, sessionTtlHours, this.ctx);
        return {
          user,
          organization,
          token: issued.token,
          expiresAt: issued.session.expiresAt,
          sessionId: issued.session.id,
        };
      })
      .catch(rethrowUniqueAsConflict);
    this.ctx.app.instanceState.markBootstrapped();
    this.startSession(result.user, result.token, result.expiresAt, result.sessionId);
    this.ctx.logger.info(
      { userId: result.user.id, organization: result.organization.name },
      'Bootstrap: first user is instance admin',
    );
    return result;
  }

  /**
   * signUp with a token is acceptInvitation for a new account, bound to the invited email. The token is checked
   * first, and the email against it, so nothing about other addresses is revealed: a junk token answers
   * INVITE_INVALID whether or not the email has an account. Only the invited address (the token holder's own)
   * is then looked up.
   */
  private async signUpWithInvitation(input: z.output<typeof signUpSchema>): Promise<SignUpResult> {
    if (this.ctx.authz.principal.kind === 'user')
      throw forbidden('You are logged in: accept the invitation with acceptInvitation instead.');
    const invitations = new InvitationService(this.ctx);
    await invitations.checkToken(input.invitationToken!, input.email);
    if (await this.em.count(User, { email: input.email }))
      throw conflict('An account with this email already exists; log in and accept the invitation.', 'email');
    const accepted = await invitations.accept(
      { token: input.invitationToken, username: input.username, name: input.name, password: input.password },
      { requiredEmail: input.email, newAccountOnly: true },
    );
    return {
      user: accepted.user,
      organization: accepted.organization,
      token: accepted.token!,
      expiresAt: accepted.expiresAt!,
    };
  }

  async logIn(raw: unknown): Promise<SessionResult> {
    this.ctx.authz.requireNotServiceAccount();
    const input = parseInput(logInSchema, raw);
    // A named provider, or any LDAP provider configured: the SSO order (docs/SSO.md "logIn and LDAP"), which honours
    // password sign-in off for its local-password step.
    const sso = await this.ctx.app.ssoSettings.current();
    if (input.provider || sso.providers.some((p) => p.kind === 'LDAP'))
      return new SsoSignInService(this.ctx).logIn({ ...input, provider: input.provider ?? null }, sso);
    const settings = await this.ctx.app.settings.current();
    // Before any password is checked, so a disabled password path reveals nothing about accounts.
    if (!settings.passwordSignIn) throw passwordSignInDisabled('logIn');
    const login = normalizeLogin(input.login);
    const user = await this.em.findOne(User, byLogin(login), { populate: ['passwordHash'] });
    // Throttled per login and per client address; unknown logins take the same path and time as known ones.
    const ok = await checkPassword(this.ctx, { login, user, password: input.password, via: 'logIn' });
    if (!user || !ok) {
      throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'Wrong login or password.');
    }
    const issued = await this.em.transactional(async (em) => {
      const s = issueSession(em, user, settings.sessionTtlHours, this.ctx);
      this.audit(em, {
        action: AuditAction.USER_LOGGED_IN,
        actor: { type: 'user', id: user.id, label: user.username },
        target: { type: 'user', id: user.id, label: user.username },
      });
      return s;
    });
    this.startSession(user, issued.token, issued.session.expiresAt, issued.session.id);
    this.ctx.app.activity.touch(user.id);
    return { user, token: issued.token, expiresAt: issued.session.expiresAt };
  }

  async logOut(): Promise<{ sessionId: string }> {
    const principal = this.ctx.authz.requireUser();
    if (!principal.sessionId) {
      throw forbidden(
        'This request authenticated with an API key, not a session: there is no session to end. Revoke the key with ' +
          'revokeApiKey instead.',
      );
    }
    const sessionId = principal.sessionId;
    await this.em.transactional(async (em) => {
      await em.nativeUpdate(Session, { id: sessionId, revokedAt: null }, { revokedAt: new Date() });
      this.audit(em, {
        action: AuditAction.USER_LOGGED_OUT,
        target: { type: 'user', id: principal.user.id, label: principal.user.username },
      });
    });
    this.ctx.cookies.clear();
    return { sessionId };
  }

  /**
   * Ends sessions: the caller's own ("sign out everywhere"; `keepCurrent` keeps the one making the request), or,
   * for instance admins, any user's (`user`: username or email). One `user.sessions_revoked` event with the count.
   */
  async revokeSessions(raw: unknown): Promise<{ user: User; revokedCount: number }> {
    const principal = this.ctx.authz.requireUser();
    const input = parseInput(revokeSessionsSchema, raw);
    let user: User = principal.user;
    if (
      input.user &&
      normalizeLogin(input.user) !== principal.user.username &&
      normalizeLogin(input.user) !== principal.user.email
    ) {
      this.ctx.authz.requireInstance(InstancePermission.REVOKE_SESSIONS);
      const found = await this.em.findOne(User, byLogin(input.user));
      if (!found) throw notFound(`No user "${input.user}" exists. Check the username or email.`);
      user = found;
    }
    const keep = input.keepCurrent && user.id === principal.user.id ? principal.sessionId : null;
    const revokedCount = await this.em.transactional(async (em) => {
      const n = await em.nativeUpdate(
        Session,
        { user: user.id, revokedAt: null, expiresAt: { $gt: new Date() }, ...(keep ? { id: { $ne: keep } } : {}) },
        { revokedAt: new Date() },
      );
      this.audit(em, {
        action: AuditAction.SESSIONS_REVOKED,
        target: { type: 'user', id: user.id, label: user.username },
        metadata: { count: n, keptCurrent: keep !== null },
      });
      return n;
    });
    return { user, revokedCount };
  }

  private startSession(user: User, token: string, expiresAt: Date, sessionId: string | null): void {
    startRequestSession(this.ctx, user, { token, expiresAt, sessionId });
  }

  private async assertAvailable(em: EntityManager, email: string, username: string): Promise<void> {
    const taken = await em.find(User, { $or: [{ email }, { username }] }, { fields: ['email', 'username'] });
    if (taken.some((u) => u.email === email))
      throw conflict('An account with this email already exists; log in instead.', 'email');
    if (taken.some((u) => u.username === username))
      throw conflict('This username is taken; choose another.', 'username');
  }
}
