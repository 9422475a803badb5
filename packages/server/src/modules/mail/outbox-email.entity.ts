import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

export enum EmailStatus {
  /** Waiting for its first attempt or for a retry (see nextAttemptAt, lastError). */
  QUEUED = 'QUEUED',
  /** Claimed by a sender process: a lease until lockedUntil, renewed while that process is sending it. */
  SENDING = 'SENDING',
  SENT = 'SENT',
  /** Gave up after the last retry; resending the invitation queues a new email. */
  FAILED = 'FAILED',
  /** No SMTP configured: the message (with its link) was written to the server log instead. */
  LOGGED = 'LOGGED',
}

/**
 * Transactional outbox: written in the same transaction as the change that causes the email, delivered
 * later by a background sender, so an SMTP outage or a crash loses nothing.
 */
@Entity({ tableName: 'outbox_emails' })
@Index({ properties: ['status', 'nextAttemptAt'] })
export class OutboxEmail {
  [OptionalProps]?:
    | 'status'
    | 'attempts'
    | 'nextAttemptAt'
    | 'lockedUntil'
    | 'lastError'
    | 'invitationId'
    | 'createdAt'
    | 'sentAt'
    | 'textBody'
    | 'htmlBody';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 32 })
  kind!: string;

  @Property({ type: 'string', length: 254 })
  toAddress!: string;

  @Property({ type: 'string', length: 255 })
  subject!: string;

  /** The bodies carry the invitation link: wiped once delivered. */
  @Property({ type: 'text', nullable: true })
  textBody: string | null = null;

  @Property({ type: 'text', nullable: true })
  htmlBody: string | null = null;

  @Enum({ items: () => EmailStatus, type: 'string' })
  status: EmailStatus = EmailStatus.QUEUED;

  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  nextAttemptAt: Date = new Date();

  /**
   * While SENDING: when the sender's lease lapses unless renewed (EMAIL_LEASE_SECONDS); then any process may take the
   * email over.
   */
  @Property({ type: 'datetime', nullable: true })
  lockedUntil: Date | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Index()
  @Property({ type: 'uuid', nullable: true })
  invitationId: string | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  sentAt: Date | null = null;
}
