import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { expect, test } from 'vitest';
import config from '../codegen';

// Regenerates in memory with the committed config: a schema or operation change
// without `pnpm codegen` fails here instead of shipping stale types.
test('src/generated/graphql.ts is up to date with the schema and operations', async () => {
  const outputs = await generate({ ...config, silent: true }, false);
  expect(outputs).toHaveLength(1);
  for (const output of outputs) {
    const committed = readFileSync(output.filename, 'utf8');
    expect(output.content === committed, `${output.filename} is stale: run \`pnpm codegen\``).toBe(true);
  }
});
