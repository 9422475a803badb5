import { beforeAll, describe, expect, test } from 'vitest';
import {
  BadUserInputError,
  ConflictError,
  ERROR_CLASSES,
  ForbiddenError,
  NotFoundError,
  RosterClient,
  SeatLimitReachedError,
  RosterError,
  RosterNetworkError,
  UnauthenticatedError,
  errorFromResponse,
  errorFromUserError,
} from '../src';
import { ADMIN, bootstrapAdmin, useServer } from './helpers';

describe('typed errors', () => {
  const server = useServer();
  let admin: RosterClient;
  beforeAll(async () => {
    ({ client: admin } = await bootstrapAdmin(server.url));
  });

  test('a second sign-up without an invitation is ForbiddenError', async () => {
    const client = new RosterClient({ url: server.url });
    const error = await client
      .signUp({
        email: 'grace@example.com',
        username: 'grace',
        name: 'Grace Hopper',
        password: 'a long enough password',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ name: 'ForbiddenError', code: 'FORBIDDEN', path: ['signUp'] });
    expect(client.getToken()).toBeUndefined();
  });

  test('a bad email is BadUserInputError naming the field', async () => {
    const client = new RosterClient({ url: server.url });
    const error = await client
      .signUp({ email: 'not-an-email', username: 'grace', name: 'Grace', password: 'a long enough password' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadUserInputError);
    const e = error as BadUserInputError;
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.field).toBe('email');
    expect(e.extensions.problems).toEqual([expect.objectContaining({ field: 'email' })]);
  });

  test('a malformed API key is UnauthenticatedError from an HTTP 401 GraphQL body', async () => {
    const client = new RosterClient({ url: server.url, apiKey: 'rsk_this-is-not-a-real-key' });
    const error = await client.instance().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  test('an unknown organization is NotFoundError; a taken name is ConflictError', async () => {
    await expect(admin.organization({ organization: 'no-such-org' })).rejects.toBeInstanceOf(NotFoundError);
    await admin.createOrganization({ name: 'acme' });
    const error = await admin.createOrganization({ name: 'acme' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).field).toBe('name');
  });

  test('every error code the live server documents has its own class', async () => {
    const { errorCodes } = await admin.instance();
    expect(errorCodes.length).toBeGreaterThan(0);
    for (const { code } of errorCodes) {
      const ErrorClass = ERROR_CLASSES[code];
      expect(ErrorClass, code).toBeDefined();
      const error = errorFromResponse([{ message: 'm', extensions: { code } }]);
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error.code).toBe(code);
    }
    expect(new Set(Object.values(ERROR_CLASSES)).size).toBe(Object.keys(ERROR_CLASSES).length);
  });

  test('an unknown code becomes a plain RosterError that keeps all errors', () => {
    const errors = [
      { message: 'first', extensions: { code: 'SOMETHING_NEW', requestId: 'req-1' }, path: ['x'] },
      { message: 'second', extensions: { code: 'FORBIDDEN' } },
    ];
    const error = errorFromResponse(errors);
    expect(error.constructor).toBe(RosterError);
    expect(error).toMatchObject({ code: 'SOMETHING_NEW', message: 'first', requestId: 'req-1', path: ['x'] });
    expect(error.errors).toEqual(errors);
  });

  test("a bulk row's UserError becomes the class a single call would throw", () => {
    const seat = errorFromUserError(
      { code: 'SEAT_LIMIT_REACHED', message: 'No seat left.', field: null },
      { path: ['inviteUsers', 'results', 3, 'error'] },
    );
    expect(seat).toBeInstanceOf(SeatLimitReachedError);
    expect(seat).toMatchObject({
      code: 'SEAT_LIMIT_REACHED',
      message: 'No seat left.',
      path: ['inviteUsers', 'results', 3, 'error'],
    });
    expect(seat.field).toBeUndefined();
    const input = errorFromUserError({
      code: 'BAD_USER_INPUT',
      message: 'email: is not an email address',
      field: 'email',
    });
    expect(input).toBeInstanceOf(BadUserInputError);
    expect(input.field).toBe('email');
    expect(errorFromUserError({ code: 'FROM_THE_FUTURE', message: 'm' }).constructor).toBe(RosterError);
  });

  test('an unreachable server is RosterNetworkError', async () => {
    const client = new RosterClient({ url: 'http://127.0.0.1:9' });
    const error = await client.instance().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RosterNetworkError);
    expect(error).not.toBeInstanceOf(RosterError);
    expect((error as RosterNetworkError).cause).toBeDefined();
  });

  test('a non-JSON response (e.g. a proxy error page) is RosterNetworkError with the status and body', async () => {
    const fetchHtml: typeof fetch = async () =>
      new Response('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } });
    const client = new RosterClient({ url: server.url, fetch: fetchHtml });
    const error = await client.instance().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RosterNetworkError);
    expect(error).toMatchObject({ status: 502, body: '<html>Bad gateway</html>' });
  });

  test('custom fetch and headers are used, with the credential as a Bearer header', async () => {
    const seen: Array<{ url: string; headers: Headers; body: unknown }> = [];
    const recording: typeof fetch = async (input, init) => {
      seen.push({ url: String(input), headers: new Headers(init?.headers), body: JSON.parse(String(init?.body)) });
      return fetch(input, init);
    };
    const { token } = await new RosterClient({ url: server.url }).logIn({
      login: ADMIN.username,
      password: ADMIN.password,
    });
    const client = new RosterClient({
      url: server.url,
      token,
      fetch: recording,
      headers: { 'x-request-id': 'sdk-test-1' },
    });
    await client.organization({ organization: 'default' });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe(`${server.url}/graphql`);
    expect(seen[0]!.headers.get('authorization')).toBe(`Bearer ${token}`);
    expect(seen[0]!.headers.get('content-type')).toBe('application/json');
    expect(seen[0]!.body).toMatchObject({ operationName: 'Organization', variables: { organization: 'default' } });

    const error = await client.organization({ organization: 'missing' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOT_FOUND', requestId: 'sdk-test-1', operationName: 'Organization' });
  });
});
