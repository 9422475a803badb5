/**
 * The sign-in page (`/sign-in?redirect=<path>`): one button per configured OIDC provider (links to
 * `/auth/oidc/login`), and a login form for the local password and LDAP providers (GraphQL `logIn`). Static: the
 * providers come from the public `ssoProviders` query, so the page's script hash (CSP) never changes.
 */
export const SIGN_IN_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <meta name="referrer" content="no-referrer" />
  <link rel="icon" href="data:," />
  <title>Sign in to Roster</title>
  <style>
    body { font: 15px/1.5 system-ui, sans-serif; max-width: 24rem; margin: 3rem auto; padding: 0 1rem; color: #1f2328; }
    label { display: block; margin: .75rem 0 .25rem; }
    input, select { width: 100%; padding: .5rem; box-sizing: border-box; }
    button, .sso { display: block; width: 100%; margin-top: .75rem; padding: .6rem 1rem; box-sizing: border-box;
      text-align: center; border: 1px solid #8c959f; border-radius: 6px; background: #f6f8fa; color: inherit;
      text-decoration: none; font: inherit; cursor: pointer; }
    .error { color: #b42318; } .hidden { display: none; }
  </style>
</head>
<body>
  <h1>Sign in</h1>
  <div id="sso"></div>
  <form id="form">
    <label for="login">Email or username</label><input id="login" autocomplete="username" />
    <label for="password">Password</label><input id="password" type="password" autocomplete="current-password" />
    <div id="provider-row" class="hidden">
      <label for="provider">Check the password with</label><select id="provider"></select>
    </div>
    <button type="submit">Sign in</button>
  </form>
  <p id="message"></p>
  <script>
    const $ = (id) => document.getElementById(id);
    const wanted = new URLSearchParams(location.search).get('redirect') || '/';
    // Only paths on this server; the server checks again.
    const redirect = wanted.startsWith('/') && !wanted.startsWith('//') && !wanted.includes('\\\\') ? wanted : '/';
    async function gql(query, variables) {
      const res = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      const body = await res.json();
      if (body.errors) throw new Error(body.errors[0].message);
      return body.data;
    }
    gql('{ ssoProviders { name label kind loginPath } }', {})
      .then(({ ssoProviders }) => {
        for (const p of ssoProviders) {
          if (p.kind === 'OIDC') {
            const a = document.createElement('a');
            a.className = 'sso';
            a.dataset.provider = p.name;
            a.href = p.loginPath + '&redirect=' + encodeURIComponent(redirect);
            a.textContent = p.label;
            $('sso').appendChild(a);
          } else {
            const o = document.createElement('option');
            o.value = p.name;
            o.textContent = p.label;
            $('provider').appendChild(o);
          }
        }
        if ($('provider').options.length) {
          const any = document.createElement('option');
          any.value = '';
          any.textContent = 'Any (password, then each directory)';
          $('provider').insertBefore(any, $('provider').firstChild);
          $('provider').value = '';
          $('provider-row').classList.remove('hidden');
        }
      })
      .catch((e) => { $('message').className = 'error'; $('message').textContent = e.message; });
    $('form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const input = { login: $('login').value, password: $('password').value };
      if ($('provider').value) input.provider = $('provider').value;
      gql('mutation($i: LogInInput!) { logIn(input: $i) { user { username } } }', { i: input })
        .then(() => { location.assign(redirect); })
        .catch((e) => { $('message').className = 'error'; $('message').textContent = e.message; });
    });
  </script>
</body>
</html>`;
