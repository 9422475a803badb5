import pino, { type Logger } from 'pino';

/** Paths that may carry secrets; pino replaces them before anything is written. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.secret',
  '*.invitationToken',
  '*.inviteToken',
];

/** JSON logs to stdout, or to `destination` (tests read what would have been logged). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'roster' } };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
