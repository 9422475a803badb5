import path from 'node:path';
import express, { type Router } from 'express';

/**
 * GraphiQL served from the installed npm packages: no CDN, so it works on an air-gapped install.
 * UMD builds of React 18 and GraphiQL 3 need no bundler.
 */
export function graphiqlAssets(): Router {
  const router = express.Router();
  const pkg = (name: string) => path.dirname(require.resolve(`${name}/package.json`));
  const files: Record<string, string> = {
    'react.js': path.join(pkg('react'), 'umd/react.production.min.js'),
    'react-dom.js': path.join(pkg('react-dom'), 'umd/react-dom.production.min.js'),
    'graphiql.js': path.join(pkg('graphiql'), 'graphiql.min.js'),
    'graphiql.css': path.join(pkg('graphiql'), 'graphiql.min.css'),
  };
  for (const [name, file] of Object.entries(files)) {
    router.get(`/${name}`, (_req, res) => {
      res.setHeader('Cache-Control', 'public, max-age=86400');
      // pnpm keeps packages under node_modules/.pnpm, a dot-directory that send() refuses by default.
      res.sendFile(file, { dotfiles: 'allow' });
    });
  }
  return router;
}

/**
 * The GraphiQL page. With introspection off (production's default) GraphiQL still runs queries but has no
 * docs or autocompletion: the page says why and how to turn it on.
 */
export function graphiqlHtml(options: { introspection: boolean }): string {
  const notice = options.introspection
    ? ''
    : `
  <div id="roster-notice">Schema introspection is off on this server (production default), so GraphiQL has no docs or
    autocompletion. Queries still run. An operator can set <code>GRAPHQL_INTROSPECTION=true</code>; the schema is
    also published as <code>packages/schema/schema.graphql</code> and typed in the SDK.</div>`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Roster GraphQL</title>
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <link rel="icon" href="data:," />
  <link rel="stylesheet" href="/graphiql-assets/graphiql.css" />
  <style>html, body { height: 100%; margin: 0; } body { display: flex; flex-direction: column; }
    #graphiql { flex: 1; min-height: 0; }
    #roster-notice { font: 13px/1.4 system-ui, sans-serif; padding: 6px 12px; background: #fff8c5;
      border-bottom: 1px solid #d4a72c; }</style>
</head>
<body>${notice}
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql-assets/react.js"></script>
  <script src="/graphiql-assets/react-dom.js"></script>
  <script src="/graphiql-assets/graphiql.js"></script>
  <script>
    // Same-origin requests carry the session cookie set by logIn; an API key can go in the Headers tab.
    var fetcher = GraphiQL.createFetcher({ url: '/graphql', headers: { 'apollo-require-preflight': 'true' } });
    var defaultQuery = '# Welcome to Roster. Log in with the logIn mutation, or add\\n' +
      '# {"Authorization": "Bearer <API key>"} in the Headers tab.\\n' +
      '# Single sign-on: open /sign-in (OIDC buttons), or logIn with a provider for LDAP:\\n' +
      '#   mutation { logIn(input: { login: "ada", password: "…", provider: "corp-ldap" }) { token } }\\n\\n' +
      'query {\\n  instance { needsBootstrap version }\\n  viewer { user { username email } }\\n}\\n';
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery, shouldPersistHeaders: false })
    );
  </script>
</body>
</html>`;
}
