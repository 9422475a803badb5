import type { User } from '../modules/accounts/user.entity';
import type { ServiceAccount } from '../modules/service-accounts/service-account.entity';

export type AuthMethod = 'SESSION' | 'API_KEY';

export interface AnonymousPrincipal {
  kind: 'anonymous';
}

export interface UserPrincipal {
  kind: 'user';
  user: User;
  method: AuthMethod;
  sessionId: string | null;
  apiKeyId: string | null;
}

/**
 * A service account calling with one of its keys: a principal of its own kind, so no rule written for people
 * (`requireUser`, `isSelf`, memberships) ever applies to it by accident.
 */
export interface ServiceAccountPrincipal {
  kind: 'service_account';
  serviceAccount: ServiceAccount;
  method: 'API_KEY';
  apiKeyId: string;
  /**
   * The person the request says it acts for (`X-Roster-Acting-User`: a username or an email), as sent, trimmed;
   * null without the header. Only checked where it matters (runs and reports), against the team written to.
   */
  actingAs: string | null;
}

export type Principal = AnonymousPrincipal | UserPrincipal | ServiceAccountPrincipal;

export const ANONYMOUS: AnonymousPrincipal = { kind: 'anonymous' };
