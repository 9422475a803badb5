import type { EntityManager } from '@mikro-orm/postgresql';
import { OutboxEmail } from './outbox-email.entity';

export interface OutgoingEmail {
  /** What the email is about, e.g. 'invitation'; for logs and queries. */
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  invitationId?: string | null;
}

/**
 * Queues an email in the caller's unit of work (no flush): it commits, or vanishes, with the change that
 * caused it. The EmailSender delivers it afterwards; call `mail.kick()` once the transaction has committed.
 */
export function enqueueEmail(em: EntityManager, message: OutgoingEmail): OutboxEmail {
  const email = em.create(OutboxEmail, {
    kind: message.kind,
    toAddress: message.to,
    subject: message.subject,
    textBody: message.text,
    htmlBody: message.html,
    invitationId: message.invitationId ?? null,
  });
  em.persist(email);
  return email;
}
