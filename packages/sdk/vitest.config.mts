import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // The server harness (compiled CommonJS) requires graphql/index.js while Vite would hand the SDK
    // graphql/index.mjs: two copies, which graphql refuses to mix. Point both at the CommonJS build.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql/index.js') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Each file starts its own server and database; one file at a time keeps PGlite and the ports calm.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
