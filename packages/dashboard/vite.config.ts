import path from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The app bundles the SDK from its sources (same public API as the published package; no build order to keep).
// `vite` (dev) proxies the API to a server on ROSTER_URL (default http://127.0.0.1:4000).
const api = process.env.ROSTER_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { '@roster/sdk': path.resolve(import.meta.dirname, '../sdk/src/index.ts') } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Warn before the budget of docs/DASHBOARD.md is anywhere near (the first screen must stay under 200 KB gzipped).
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: Object.fromEntries(
      ['/graphql', '/organizations', '/audit-log.jsonl', '/auth', '/sign-in', '/graphiql-assets'].map((p) => [p, api]),
    ),
  },
});
