import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { gql } from './fixtures';
import { startTestServer } from '../src/testing';

describe('graceful shutdown', () => {
  // Needs a second connection to hold a lock from outside the server: real PostgreSQL only.
  it.skipIf(!process.env.DATABASE_URL)(
    'finishes a request in flight, refuses readiness meanwhile, then stops',
    async () => {
      const t = await startTestServer();
      const signUp = await gql(
        t.url,
        'mutation { signUp(input: { email: "a@example.com", username: "ada", name: "Ada", password: ' +
          '"ada-password-1", organizationName: "acme" }) { token } }',
      );
      const token = signUp.data!.signUp.token as string;

      // Hold the organization row so the next update has to wait mid-request.
      const blocker = new pg.Client({ connectionString: t.database.url });
      await blocker.connect();
      await blocker.query('begin');
      await blocker.query("select * from organizations where name = 'acme' for update");

      const inFlight = gql(
        t.url,
        'mutation { updateOrganization(input: { organization: "acme", displayName: "Acme Corp" }) { organization { ' +
          'displayName } } }',
        {},
        token,
      );
      await new Promise((r) => setTimeout(r, 300));
      const closing = t.server.close();
      await new Promise((r) => setTimeout(r, 200));
      const ready = await fetch(`${t.url}/readyz`).catch(() => null);
      // Either refused as not ready, or no longer accepting connections at all.
      expect(ready === null || ready.status === 503).toBe(true);

      await blocker.query('commit');
      await blocker.end();
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(res.data!.updateOrganization.organization.displayName).toBe('Acme Corp');
      await closing;
      await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();
      await t.database.drop();
    },
  );
});
