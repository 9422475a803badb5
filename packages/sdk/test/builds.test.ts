import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootstrapAdmin, useServer } from './helpers';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..');
const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

// What a program that installed the package gets: node_modules/@roster/sdk (a symlink here),
// resolved through package.json `exports` by Node itself, as ES module and as CommonJS.
const PROGRAM = `
const sdk = SDK;
const client = new sdk.RosterClient({ url: process.env.ROSTER_URL, token: process.env.ROSTER_TOKEN });
const viewer = await client.viewer();
const seats = await client.org('default').seats();
const error = await client.org('default').team('missing').get().catch((e) => e);
console.log(JSON.stringify({
  username: viewer.user.username,
  seats,
  version: sdk.SDK_VERSION,
  error: { name: error.name, isRosterError: error instanceof sdk.RosterError, operationName: error.operationName },
}));
`;

describe('the built package (dist/esm and dist/cjs)', () => {
  const server = useServer();
  let token: string;
  let dir: string;

  beforeAll(async () => {
    const build = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, encoding: 'utf8' });
    expect(build.status, build.stdout + build.stderr).toBe(0);
    const { client } = await bootstrapAdmin(server.url);
    token = client.getToken()!;
    dir = mkdtempSync(path.join(os.tmpdir(), 'roster-sdk-consumer-'));
    mkdirSync(path.join(dir, 'node_modules/@roster'), { recursive: true });
    symlinkSync(root, path.join(dir, 'node_modules/@roster/sdk'), 'dir');
    writeFileSync(path.join(dir, 'esm.mjs'), `import * as SDK from '@roster/sdk';\n${PROGRAM}`);
    // CommonJS has no top-level await: wrap the program.
    writeFileSync(
      path.join(dir, 'cjs.cjs'),
      `const SDK = require('@roster/sdk');\n(async () => {\n${PROGRAM}\n})().catch((e) => { console.error(e); ` +
        `process.exit(1); });`,
    );
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const file of ['esm.mjs', 'cjs.cjs']) {
    test(`${file}: imports @roster/sdk through its exports and talks to the server`, async () => {
      const { stdout } = await run(process.execPath, [path.join(dir, file)], {
        cwd: dir,
        env: { ...process.env, ROSTER_URL: server.url, ROSTER_TOKEN: token },
      });
      expect(JSON.parse(stdout)).toEqual({
        username: 'ada',
        seats: { limit: null, used: 1, available: null },
        version,
        error: { name: 'NotFoundError', isRosterError: true, operationName: 'Team' },
      });
    });
  }

  test('no built module imports graphql-js (or anything else) at run time', () => {
    for (const build of ['esm', 'cjs']) {
      for (const file of readdirSync(path.join(root, 'dist', build), { recursive: true, encoding: 'utf8' }).filter(
        (f) => f.endsWith('.js'),
      )) {
        const code = readFileSync(path.join(root, 'dist', build, file), 'utf8');
        const imported = [...code.matchAll(/(?:from\s+|require\()['"]([^'"]+)['"]/g)].map((m) => m[1]);
        expect(
          imported.filter((m) => !m!.startsWith('.')),
          `${build}/${file}`,
        ).toEqual([]);
      }
    }
  });

  test('each build directory declares its module format, and the ESM build has no require()', () => {
    expect(JSON.parse(readFileSync(path.join(root, 'dist/esm/package.json'), 'utf8'))).toMatchObject({
      type: 'module',
    });
    expect(JSON.parse(readFileSync(path.join(root, 'dist/cjs/package.json'), 'utf8'))).toMatchObject({
      type: 'commonjs',
    });
    const esm = readFileSync(path.join(root, 'dist/esm/client.js'), 'utf8');
    expect(esm).toMatch(/^import /m);
    expect(esm).not.toMatch(/\brequire\(/);
  });
});
