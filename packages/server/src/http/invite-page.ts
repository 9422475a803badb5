/**
 * The page an invitation email links to (`/invite?token=…`): shows the invitation and accepts it through
 * the public GraphQL API (`invitationPreview`, `acceptInvitation`), so the link works with no separate frontend.
 * The token stays in the browser. The path stays `/invite` although the API's noun is `invitation`: links in
 * emails already sent must keep working.
 */
export const INVITE_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <meta name="referrer" content="no-referrer" />
  <link rel="icon" href="data:," />
  <title>Roster invitation</title>
  <style>
    body { font: 15px/1.5 system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #1f2328; }
    label { display: block; margin: .75rem 0 .25rem; }
    input { width: 100%; padding: .5rem; box-sizing: border-box; }
    button { margin-top: 1rem; padding: .5rem 1rem; }
    .error { color: #b42318; } .hidden { display: none; }
  </style>
</head>
<body>
  <h1>Join on Roster</h1>
  <p id="summary">Loading the invitation…</p>
  <form id="form" class="hidden">
    <div id="new-account">
      <label for="username">Username</label><input id="username" autocomplete="username" />
      <label for="name">Name</label><input id="name" autocomplete="name" />
    </div>
    <label for="password" id="password-label">Password</label><input id="password" type="password"
      autocomplete="new-password" />
    <button type="submit">Accept invitation</button>
  </form>
  <p id="message"></p>
  <script>
    const token = new URLSearchParams(location.search).get('token') || '';
    const $ = (id) => document.getElementById(id);
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
    gql(
      'query($t: String!) { invitationPreview(token: $t) { ' +
        'email organizationDisplayName role invitedBy expiresAt accountExists } }',
      { t: token },
    )
      .then(({ invitationPreview: p }) => {
        $('summary').textContent = (p.invitedBy ? p.invitedBy + ' invited ' : 'You are invited: ') +
          p.email + ' to join ' + p.organizationDisplayName + ' as ' + p.role + '.';
        if (p.accountExists) {
          $('new-account').classList.add('hidden');
          $('password-label').textContent = 'Your password';
        }
        $('form').classList.remove('hidden');
      })
      .catch((e) => { $('summary').textContent = e.message; $('summary').className = 'error'; });
    $('form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const input = { token, password: $('password').value };
      if (!$('new-account').classList.contains('hidden')) {
        input.username = $('username').value;
        input.name = $('name').value;
      }
      gql(
        'mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { ' +
          'organization { displayName } user { username } } }',
        { i: input },
      )
        .then(({ acceptInvitation: a }) => {
          $('form').classList.add('hidden');
          $('message').className = '';
          $('message').textContent =
            'Welcome, ' + a.user.username + '! You are now a member of ' + a.organization.displayName + '.';
        })
        .catch((e) => { $('message').className = 'error'; $('message').textContent = e.message; });
    });
  </script>
</body>
</html>`;
