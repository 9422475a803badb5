import type { RequestContext } from '../graphql/context';
import type { User } from '../modules/accounts/user.entity';
import { AuditAction, recordAudit } from '../modules/audit/audit.service';
import { AppError, ErrorCode } from '../errors';
import { PasswordHashingBusyError } from './passwords';
import { SignInLockedError, SignInThrottle, type AttemptOutcome, type SignInAttempt } from './sign-in-throttle';

/** RATE_LIMITED with `extensions.retryAfterSeconds`, and the same value as the response's Retry-After header. */
export function rateLimited(
  ctx: Pick<RequestContext, 'response'>,
  message: string,
  retryAfterSeconds: number,
): AppError {
  ctx.response.setHeader('Retry-After', String(retryAfterSeconds));
  return new AppError(ErrorCode.RATE_LIMITED, message, { details: { retryAfterSeconds } });
}

function inMinutes(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return seconds < 60 ? `${seconds} seconds` : minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

function lockedError(ctx: RequestContext, err: SignInLockedError): AppError {
  const message =
    err.scope === 'account'
      ? `Too many failed sign-in attempts for this login. Try again in ${inMinutes(err.retryAfterSeconds)}, or ask ` +
        `an administrator to reset the password.`
      : `Too many failed sign-in attempts from your network address. Try again in ${inMinutes(err.retryAfterSeconds)}.`;
  return rateLimited(ctx, message, err.retryAfterSeconds);
}

function busyError(ctx: RequestContext, err: PasswordHashingBusyError): AppError {
  return rateLimited(ctx, 'The server is busy checking other passwords. Try again in a moment.', err.retryAfterSeconds);
}

/** Hashes a new password within the process-wide bound on argon2 work. */
export async function hashNewPassword(ctx: RequestContext, password: string): Promise<string> {
  try {
    return await ctx.app.passwords.hash(password);
  } catch (err) {
    if (err instanceof PasswordHashingBusyError) throw busyError(ctx, err);
    throw err;
  }
}

export interface PasswordCheck {
  /** The username or email as typed; its normalised form is what the per-login counter counts. */
  login: string;
  /** The account the login names, or null: an unknown login costs the same time and counts the same. */
  user: User | null;
  password: string;
  /** Which mutation checked it, for the audit event (`ldap`: logIn through an LDAP provider; `oidc`: a callback). */
  via: 'logIn' | 'acceptInvitation' | 'ldap' | 'oidc';
}

/**
 * Reserves one attempt against the login's and the client address's counters, as checkPassword does, for sign-ins
 * that check something other than a local password (LDAP binds, OIDC callbacks): RATE_LIMITED while either is locked.
 * Settle it with `failed` (then call `recordLockout` with the outcome), `succeeded` or `abandon`.
 */
export async function beginSignInAttempt(ctx: RequestContext, login: string): Promise<SignInAttempt> {
  try {
    return await ctx.app.signIn.begin(login, ctx.clientAddress);
  } catch (err) {
    if (err instanceof SignInLockedError) throw lockedError(ctx, err);
    throw err;
  }
}

/** Sets the session cookie of a sign-in that just committed its session, and makes the request that user's. */
export function startRequestSession(
  ctx: RequestContext,
  user: User,
  issued: { token: string; expiresAt: Date; sessionId: string | null },
): void {
  ctx.cookies.set(issued.token, issued.expiresAt);
  ctx.authz.assume({ kind: 'user', user, method: 'SESSION', sessionId: issued.sessionId, apiKeyId: null });
}

/**
 * Every password check goes through here: refused with RATE_LIMITED (before the password is looked at)
 * while the login or the client address is locked; a failure counts, a success clears the login's count;
 * the failure that locks writes an audit event. Returns whether the password is right.
 */
export async function checkPassword(ctx: RequestContext, check: PasswordCheck): Promise<boolean> {
  let attempt: SignInAttempt;
  try {
    attempt = await ctx.app.signIn.begin(check.login, ctx.clientAddress);
  } catch (err) {
    if (err instanceof SignInLockedError) throw lockedError(ctx, err);
    throw err;
  }
  let ok: boolean;
  try {
    ok = check.user?.passwordHash
      ? await ctx.app.passwords.verify(check.user.passwordHash, check.password)
      : await ctx.app.passwords.verifyNothing(check.password);
  } catch (err) {
    await attempt.abandon();
    if (err instanceof PasswordHashingBusyError) throw busyError(ctx, err);
    throw err;
  }
  if (ok) {
    await attempt.succeeded();
    return true;
  }
  const outcome = await attempt.failed();
  await recordFailure(ctx, check, outcome);
  return false;
}

/**
 * Every failure writes `user.login_failed`, and the failure that locks writes the lockout events: for known and
 * unknown logins alike (same work, same time); committed on its own, as the request fails. An unknown login's
 * target is its hash and the event has no organization, so only instance admins see it. Password checks, LDAP binds
 * and refused SSO callbacks all report here.
 */
export async function recordFailure(
  ctx: RequestContext,
  check: Pick<PasswordCheck, 'login' | 'user' | 'via'>,
  outcome: AttemptOutcome,
): Promise<void> {
  const em = ctx.em.fork();
  const limits = ctx.app.signIn.limits;
  const actor = { type: 'anonymous', id: null, label: null };
  const target = check.user
    ? { type: 'user', id: check.user.id, label: check.user.username }
    : { type: 'login', id: SignInThrottle.accountKey(check.login), label: null };
  recordAudit(em, ctx, { action: AuditAction.USER_LOGIN_FAILED, actor, target, metadata: { via: check.via } });
  if (outcome.lockedAccount) {
    recordAudit(em, ctx, {
      action: AuditAction.USER_LOGIN_LOCKED,
      actor,
      target,
      metadata: {
        via: check.via,
        failures: limits.accountMaxFailures,
        windowSeconds: limits.windowSeconds,
        lockoutSeconds: limits.lockoutSeconds,
      },
    });
    ctx.logger.warn(
      { target, via: check.via, clientAddress: ctx.clientAddress },
      'Sign-in locked for a login after too many failed attempts',
    );
  }
  if (outcome.lockedAddress) {
    recordAudit(em, ctx, {
      action: AuditAction.SIGN_IN_ADDRESS_LOCKED,
      actor,
      metadata: {
        via: check.via,
        failures: limits.addressMaxFailures,
        windowSeconds: limits.windowSeconds,
        lockoutSeconds: limits.lockoutSeconds,
      },
    });
    ctx.logger.warn(
      { clientAddress: ctx.clientAddress, via: check.via },
      'Sign-in locked for a client address after too many failed attempts',
    );
  }
  await em.flush();
}
