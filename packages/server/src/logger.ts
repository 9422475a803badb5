import pino, { type Logger } from 'pino';
import { build as prettyStream } from 'pino-pretty';
import { DriverException } from '@mikro-orm/core';

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

/**
 * What the log may hold of an unexpected error. A driver error's message embeds the SQL with its
 * parameters (password hashes, token hashes, personal data): keep only its class, SQLSTATE and the
 * database's own sentence.
 */
export function loggableError(error: unknown): Record<string, unknown> {
  if (error instanceof DriverException) {
    const sqlState = (error as DriverException & { code?: string }).code;
    const reason = error.message.includes(' - ')
      ? error.message.slice(error.message.lastIndexOf(' - ') + 3)
      : undefined;
    return { type: error.name, sqlState, reason: reason?.slice(0, 200) };
  }
  if (error instanceof Error) return { type: error.name, message: error.message.slice(0, 500), stack: error.stack };
  return { type: typeof error };
}

export interface LoggerOptions {
  /** Human-readable lines (pino-pretty) instead of JSON; see prettyLogs(). */
  pretty?: boolean;
}

/**
 * Development in a terminal: NODE_ENV=development and stdout is a TTY. Anything else (production, a pipe,
 * a log collector) gets JSON, one object per line.
 */
export function prettyLogs(nodeEnv: string, stdout: { isTTY?: boolean } = process.stdout): boolean {
  return nodeEnv === 'development' && stdout.isTTY === true;
}

/**
 * JSON logs to stdout, or to `destination` (tests read what would have been logged); with `pretty`,
 * colourised lines for a terminal, written synchronously by pino-pretty in this process (the same redaction applies).
 */
export function createLogger(
  level: string,
  destination?: pino.DestinationStream,
  loggerOptions: LoggerOptions = {},
): Logger {
  // Every `{ err }` passes loggableError, whoever logs it.
  const options = {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { service: 'roster' },
    serializers: { err: loggableError },
  };
  if (loggerOptions.pretty) {
    const stream = prettyStream({
      colorize: true,
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
      ...(destination ? { destination } : {}),
    });
    return pino(options, stream);
  }
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
