import { createServer, type AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerError } from 'smtp-server';

/** A real SMTP server inside the test process, for the invitation email tests. */
export const SMTP_USER = 'roster';
/** Characters that must be percent-encoded in the URL: the sender has to decode them to log in. */
export const SMTP_PASSWORD = 's3cret/p@ss';
export const FROM = 'Roster <roster@example.com>';
/** The fake SMTP server refuses this recipient for good (550). */
export const BOUNCING = 'bounce@example.com';

export interface ReceivedMessage {
  mailFrom: string;
  rcptTo: string[];
  /** The RFC 822 text with quoted-printable soft breaks and escapes decoded, and headers unfolded. */
  text: string;
}

export interface FakeSmtp {
  /** Messages the server accepted (answered 250 to), in order. */
  messages: ReceivedMessage[];
  logins: string[];
  /** Holds each message this long after its data arrived before accepting it: a slow SMTP server. */
  acceptDelayMs: number;
  /** Messages whose data arrived and whose acceptance is being held back. */
  pending: number;
  /** Refuses (451) every message being held back instead of accepting it: the sender's transaction ends unaccepted. */
  abortPending(): void;
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1:port that keeps what it receives. */
export async function startSmtp(port: number): Promise<FakeSmtp> {
  const messages: ReceivedMessage[] = [];
  const logins: string[] = [];
  const held = new Set<() => void>();
  const fake = {
    messages,
    logins,
    acceptDelayMs: 0,
    pending: 0,
    abortPending(): void {
      for (const abort of [...held]) abort();
    },
  };
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) {
        logins.push(auth.username);
        callback(null, { user: auth.username });
      } else {
        callback(new Error('Invalid username or password'));
      }
    },
    onRcptTo(address, _session, callback) {
      if (address.address !== BOUNCING) return callback();
      const err: SMTPServerError = new Error('No such user here');
      err.responseCode = 550;
      callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const accept = (): void => {
          messages.push({
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((a) => a.address),
            text: decodeMessage(Buffer.concat(chunks).toString('utf8')),
          });
          callback();
        };
        if (fake.acceptDelayMs <= 0) return accept();
        fake.pending++;
        const settle = (outcome: () => void): void => {
          clearTimeout(timer);
          held.delete(abort);
          fake.pending--;
          outcome();
        };
        const timer = setTimeout(() => settle(accept), fake.acceptDelayMs);
        const abort = (): void =>
          settle(() => {
            const err: SMTPServerError = new Error('Aborted by the test');
            err.responseCode = 451;
            callback(err);
          });
        held.add(abort);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return Object.assign(fake, { close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
}

export function decodeMessage(raw: string): string {
  return raw
    .replace(/\r\n[ \t]+/g, ' ')
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
