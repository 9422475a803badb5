import { ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Session } from './session.entity';
import { hashSecret, newSessionToken } from './secrets';
import type { User } from '../modules/accounts/user.entity';

export interface IssuedSession {
  session: Session;
  /** Returned to the client once; only its hash is stored. */
  token: string;
}

export function issueSession(
  em: EntityManager,
  user: User,
  ttlHours: number,
  client: { clientAddress: string | null; userAgent: string | null },
): IssuedSession {
  const token = newSessionToken();
  const session = new Session();
  session.user = ref(user);
  session.tokenHash = hashSecret(token);
  session.expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  session.clientAddress = client.clientAddress;
  session.userAgent = client.userAgent?.slice(0, 512) ?? null;
  em.persist(session);
  return { session, token };
}
