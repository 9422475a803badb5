import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { expect, test } from 'vitest';
import config from '../codegen';

// Regenerates in memory with the committed config: a schema or operation change without
// `pnpm codegen` fails here instead of shipping stale types, documents or client methods.
test('src/generated/graphql.ts and src/generated/sdk.ts are up to date with the schema and operations', async () => {
  const outputs: Array<{ filename: string; content: string }> = await generate({ ...config, silent: true }, false);
  expect(outputs.map((o) => o.filename.replace(/^.*[/\\]src[/\\]/, 'src/')).sort()).toEqual([
    'src/generated/graphql.ts',
    'src/generated/sdk.ts',
  ]);
  for (const output of outputs) {
    const committed = readFileSync(output.filename, 'utf8');
    expect(output.content === committed, `${output.filename} is stale: run \`pnpm codegen\``).toBe(true);
  }
});
