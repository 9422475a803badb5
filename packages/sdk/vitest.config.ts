import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The server harness (compiled CommonJS) requires graphql/index.js while Vite would give the SDK
    // graphql/index.mjs: two copies, and graphql refuses to mix them. Point both at the CommonJS build.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Each file starts its own server and database; running them one at a time keeps PGlite and ports calm.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
