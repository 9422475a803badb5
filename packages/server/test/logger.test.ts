import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { createLogger, prettyLogs } from '../src/logger';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('logs', () => {
  it('keep the SQL and its parameters of a driver error out, whoever logs it as { err }', () => {
    const out = sink();
    const logger = createLogger('info', out.stream);
    const hash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA';
    const driverError = new UniqueConstraintViolationException(
      new Error(
        `insert into "users" ("password_hash") values ('${hash}') - duplicate key value violates unique constraint`,
      ),
    );
    logger.error({ err: driverError, emailId: 'e1' }, 'Could not record the outcome of an email delivery');
    const line = JSON.parse(out.text()) as { err: Record<string, unknown>; emailId: string };
    expect(out.text()).not.toContain(hash);
    expect(out.text()).not.toContain('insert into');
    expect(line.err).toMatchObject({
      type: 'UniqueConstraintViolationException',
      reason: expect.stringMatching(/^duplicate key/),
    });
    expect(line.emailId).toBe('e1');
  });

  it('are pretty only in development on a terminal', () => {
    expect(prettyLogs('development', { isTTY: true })).toBe(true);
    expect(prettyLogs('development', { isTTY: false })).toBe(false);
    expect(prettyLogs('development', {})).toBe(false);
    expect(prettyLogs('production', { isTTY: true })).toBe(false);
    expect(prettyLogs('test', { isTTY: true })).toBe(false);
  });

  it('are JSON lines by default', () => {
    const out = sink();
    createLogger('info', out.stream).info({ input: { password: 'hunter2-secret' } }, 'hello json');
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'hello json', service: 'roster', input: { password: '[redacted]' } });
  });

  it('are readable lines with pino-pretty, redacted the same way', async () => {
    const out = sink();
    createLogger('info', out.stream, { pretty: true }).info(
      { input: { password: 'hunter2-secret' } },
      'hello terminal',
    );
    await new Promise((resolve) => setImmediate(resolve));
    const text = out.text();
    expect(text).toContain('hello terminal');
    expect(text).toContain('INFO');
    expect(text).not.toContain('hunter2-secret');
    expect(() => JSON.parse(text)).toThrow();
  });
});
