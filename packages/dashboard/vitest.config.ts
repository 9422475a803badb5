import path from 'node:path';
import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // The server harness (compiled CommonJS) requires graphql/index.js: one copy of graphql for everything.
    alias: [
      { find: /^graphql$/, replacement: require.resolve('graphql/index.js') },
      // Tests drive the server through the SDK's sources, like the app (no SDK build needed).
      { find: /^@roster\/sdk$/, replacement: path.resolve(import.meta.dirname, '../sdk/src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // One browser and one server per file; files one at a time (the machine is shared).
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
