import type { User } from '../modules/accounts/user.entity';

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

export type Principal = AnonymousPrincipal | UserPrincipal;

export const ANONYMOUS: AnonymousPrincipal = { kind: 'anonymous' };
