import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
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
