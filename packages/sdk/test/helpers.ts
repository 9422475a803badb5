import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from '@roster/server/testing';
import { RosterClient, type SignUpPayload } from '../src';

export const ADMIN = {
  email: 'ada@example.com',
  username: 'ada',
  name: 'Ada Lovelace',
  password: 'correct horse battery staple',
} as const;

/** Starts one server (fresh database) for the calling test file and closes it afterwards. */
export function useServer(): { readonly url: string } {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    get url() {
      if (!server) throw new Error('The test server has not started (useServer() must run at file level).');
      return server.url;
    },
  };
}

/** A client that has signed up the instance admin (bootstrap) and holds its session. */
export async function bootstrapAdmin(url: string): Promise<{ client: RosterClient; signUp: SignUpPayload }> {
  const client = new RosterClient({ url });
  const signUp = await client.signUp({ ...ADMIN });
  return { client, signUp };
}

/** Returns another string of the same length that differs in one character. */
export function changeOneChar(value: string, index = value.length - 2): string {
  const c = value[index] === 'a' ? 'b' : 'a';
  return value.slice(0, index) + c + value.slice(index + 1);
}
