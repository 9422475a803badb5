import type { EntityManager } from '@mikro-orm/postgresql';
import { OutboxEmail } from './outbox-email.entity';
import { insertEntities } from '../../db/bulk-insert';

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
  const email = outboxEmail(message);
  em.persist(email);
  return email;
}

/**
 * Queues many emails in the caller's transaction in one statement (insertEntities: no unit of work, as bulk
 * invitations write thousands). Like `enqueueEmail`, they commit or vanish with the change; call `mail.kick()` after
 * the commit.
 */
export function enqueueEmails(em: EntityManager, messages: readonly OutgoingEmail[]): Promise<void> {
  return insertEntities(em, messages.map(outboxEmail));
}

function outboxEmail(message: OutgoingEmail): OutboxEmail {
  const email = new OutboxEmail();
  email.kind = message.kind;
  email.toAddress = message.to;
  email.subject = message.subject;
  email.textBody = message.text;
  email.htmlBody = message.html;
  email.invitationId = message.invitationId ?? null;
  return email;
}
