import { z } from 'zod';
import { Service } from '../service';
import { hashSecret } from '../../auth/secrets';
import { beginSignInAttempt, recordFailure } from '../../auth/sign-in';
import { ErrorCode, badInput } from '../../errors';
import { parseInput, ssoProviderNameSchema } from '../../validation';
import { OidcSignInState } from './oidc-sign-in-state.entity';
import { oidcAuthorization, oidcFinish } from './oidc';
import { SsoSignInService, ssoError, type SsoSessionResult } from './sso-sign-in.service';
import type { OidcProviderSettings, SsoProviderSettings } from './sso-settings';

/** How long a started OIDC sign-in may take before its state expires (the IdP's login page included). */
export const OIDC_STATE_TTL_SECONDS = 600;
export const OIDC_CALLBACK_PATH = '/auth/oidc/callback';

/**
 * The one rule for where a sign-in may send the browser afterwards: a path on this server. Refused: absolute URLs,
 * scheme-relative `//host`, backslashes (browsers read `/\\host` as `//host`), control characters.
 */
export const redirectPathSchema = z
  .string()
  .max(2048, 'must be at most 2048 characters')
  .refine(
    (s) =>
      s.startsWith('/') &&
      !s.startsWith('//') &&
      !s.includes('\\') &&
      ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
    'must be a path on this server, such as /graphql (absolute URLs and //host are refused)',
  );

const beginSchema = z.object({
  provider: ssoProviderNameSchema,
  redirect: redirectPathSchema.nullish(),
});

export interface PublicProvider {
  name: string;
  label: string;
  kind: SsoProviderSettings['kind'];
}

export interface OidcStart {
  authorizationUrl: string;
  expiresAt: Date;
  /** The browser keeps it in the state cookie; the callback must see it again. */
  state: string;
}

export interface OidcCallbackResult extends SsoSessionResult {
  redirect: string;
}

export class OidcFlowService extends Service {
  /** Every configured provider's public face (name, label, kind): what a sign-in page needs, nothing secret. */
  async providers(): Promise<PublicProvider[]> {
    const settings = await this.ctx.app.ssoSettings.current();
    return settings.providers.map((p) => ({ name: p.name, label: p.label, kind: p.kind }));
  }

  callbackUrl(): string {
    return `${this.ctx.app.config.publicUrl}${OIDC_CALLBACK_PATH}`;
  }

  /**
   * Starts an authorization code flow (PKCE S256, state, nonce): stores the checks server-side under the state's hash
   * and sets the state cookie, so only this browser can finish it, once.
   */
  async begin(raw: unknown): Promise<OidcStart> {
    this.ctx.authz.requireNotServiceAccount();
    const input = parseInput(beginSchema, raw);
    const settings = await this.ctx.app.ssoSettings.current();
    const provider = settings.providers.find(
      (p): p is OidcProviderSettings => p.kind === 'OIDC' && p.name === input.provider,
    );
    if (!provider)
      throw badInput(
        'provider',
        `There is no OIDC provider named "${input.provider}"; ssoProviders lists the configured ones.`,
      );
    let auth: Awaited<ReturnType<typeof oidcAuthorization>>;
    try {
      auth = await oidcAuthorization(provider, this.callbackUrl());
    } catch (err) {
      this.ctx.logger.warn({ provider: provider.name, err: (err as Error).message }, 'OIDC discovery failed');
      throw ssoError(
        ErrorCode.SSO_FAILED,
        `${provider.label} could not be reached (discovery failed). Try again later; tell your administrator if it ` +
          'persists.',
      );
    }
    const expiresAt = new Date(Date.now() + OIDC_STATE_TTL_SECONDS * 1000);
    await this.em.transactional(async (em) => {
      // Abandoned sign-ins leave rows behind: each new one sweeps the expired ones (indexed on expires_at).
      await em.nativeDelete(OidcSignInState, { expiresAt: { $lt: new Date() } });
      em.create(OidcSignInState, {
        stateHash: hashSecret(auth.state),
        provider: provider.name,
        codeVerifier: auth.codeVerifier,
        nonce: auth.nonce,
        redirect: input.redirect ?? '/',
        expiresAt,
      });
    });
    this.ctx.cookies.setSignInState?.(auth.state, expiresAt);
    return { authorizationUrl: auth.url.href, expiresAt, state: auth.state };
  }

  /**
   * Finishes a flow at the callback: the state must match this browser's cookie and a stored, unexpired sign-in,
   * which is deleted whatever happens next (single use: a replayed callback finds nothing). Throttled like a password
   * check: every refused callback counts against the client address.
   */
  async finish(callbackUrl: URL, stateCookie: string | null): Promise<OidcCallbackResult> {
    const params = callbackUrl.searchParams;
    const state = params.get('state') ?? '';
    // Counted per state (a new key each time, so in effect per client address) and per address.
    const attempt = await beginSignInAttempt(this.ctx, `oidc:${hashSecret(state)}`);
    let settled = false;
    const fail = async (message: string): Promise<never> => {
      if (!settled) {
        settled = true;
        const outcome = await attempt.failed();
        await recordFailure(this.ctx, { login: `oidc:${hashSecret(state)}`, user: null, via: 'oidc' }, outcome);
      }
      throw ssoError(ErrorCode.SSO_FAILED, message);
    };
    try {
      const rows: Array<{
        provider: string;
        code_verifier: string;
        nonce: string;
        redirect: string;
        expires_at: Date;
      }> =
        state.length > 0 && state.length <= 512
          ? await this.em.execute(
              'delete from oidc_sign_in_states where state_hash = ? returning provider, code_verifier, nonce, ' +
                'redirect, expires_at',
              [hashSecret(state)],
            )
          : [];
      const row = rows[0];
      if (!row || new Date(row.expires_at).getTime() < Date.now())
        return await fail(
          'This sign-in link was already used or has expired. Nothing was changed: start the sign-in again.',
        );
      if (!stateCookie || stateCookie !== state)
        return await fail(
          'This sign-in was started in another browser (or its cookie expired). Nothing was changed: start the ' +
            'sign-in again from this browser.',
        );
      const idpError = params.get('error');
      if (idpError) {
        const description = params.get('error_description');
        return await fail(
          `The identity provider refused the sign-in: ${idpError}` +
            `${description ? ` (${description.slice(0, 300)})` : ''}. ` +
            'Nothing was changed.',
        );
      }
      const settings = await this.ctx.app.ssoSettings.current();
      const provider = settings.providers.find(
        (p): p is OidcProviderSettings => p.kind === 'OIDC' && p.name === row.provider,
      );
      if (!provider) return await fail(`The sign-in provider "${row.provider}" is no longer configured.`);
      let identity: Awaited<ReturnType<typeof oidcFinish>>;
      try {
        identity = await oidcFinish(provider, callbackUrl, {
          state,
          nonce: row.nonce,
          codeVerifier: row.code_verifier,
        });
      } catch (err) {
        this.ctx.logger.warn({ provider: provider.name, err: (err as Error).message }, 'OIDC code exchange failed');
        return await fail(
          `${provider.label} did not complete the sign-in (${(err as Error).message.slice(0, 200)}). Nothing was ` +
            'changed: start the sign-in again.',
        );
      }
      settled = true;
      await attempt.succeeded();
      const result = await new SsoSignInService(this.ctx).signIn(
        {
          provider,
          subject: identity.subject,
          email: identity.email,
          emailVerified: identity.emailVerified,
          username: identity.preferredUsername,
          name: identity.name,
          groups: provider.groupsClaim ? identity.groups : null,
        },
        settings,
      );
      return { ...result, redirect: row.redirect };
    } catch (err) {
      if (!settled) {
        settled = true;
        await attempt.abandon().catch(() => undefined);
      }
      throw err;
    }
  }
}
