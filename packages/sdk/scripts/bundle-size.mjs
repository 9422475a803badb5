// Prints the size of a one-call browser program built against this package, the way an application
// would bundle it (Vite/Rolldown, browser conditions, minified):
//   import { RosterClient } from '@roster/sdk'; new RosterClient({ url }).viewer();
// Run `pnpm build` first (the program imports the built package through its `exports`).
// `--modules` lists the bundled modules.
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'roster-sdk-size-'));
try {
  // A throw-away application with @roster/sdk installed (a symlink to this package).
  mkdirSync(path.join(dir, 'node_modules/@roster'), { recursive: true });
  symlinkSync(root, path.join(dir, 'node_modules/@roster/sdk'), 'dir');
  const entry = path.join(dir, 'main.js');
  writeFileSync(
    entry,
    "import { RosterClient } from '@roster/sdk';\nnew RosterClient({ url: 'https://roster.example.com' " +
      '}).viewer().then((v) => console.log(v));\n',
  );

  const result = await build({
    root: dir,
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      rollupOptions: { input: entry, output: { format: 'es' } },
    },
  });

  const chunks = (Array.isArray(result) ? result : [result])
    .flatMap((r) => ('output' in r ? r.output : []))
    .filter((o) => o.type === 'chunk');
  const code = chunks.map((c) => c.code).join('\n');
  const modules = chunks.flatMap((c) => Object.keys(c.modules));
  const graphqlJs = modules.filter((m) => /[/\\]graphql[/\\]/.test(m) || m.includes('/graphql@'));
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    `One-call program (new RosterClient(...).viewer()): ${kb(Buffer.byteLength(code))} minified, ` +
      `${kb(gzipSync(code, { level: 9 }).length)} gzipped`,
  );
  console.log(`${modules.length} modules bundled, ${graphqlJs.length} of them from graphql-js`);
  if (process.argv.includes('--modules')) for (const m of modules) console.log(`  ${m.replace(root, '@roster/sdk')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
