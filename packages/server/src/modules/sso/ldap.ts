import { Client, EqualityFilter, InvalidCredentialsError, type ClientOptions, type Entry } from 'ldapts';
import type { LdapProviderSettings } from './sso-settings';

/** What a directory says about a person who proved their password. */
export interface LdapIdentity {
  /** `entryUUID` when the directory has it (survives renames), else the entry's DN, lower-cased. */
  subject: string;
  dn: string;
  username: string | null;
  email: string | null;
  name: string | null;
  /** Group names (the first RDN value of each group DN, e.g. the CN). */
  groups: string[];
}

/** The directory could not be asked (unreachable, TLS, misconfigured service account): not the user's fault. */
export class LdapUnavailableError extends Error {}

const TIMEOUT_MS = 5000;

/**
 * Escapes a value for a DN (RFC 4514 §2.4), so a login such as `x,ou=admins` cannot reshape a bind DN template.
 */
export function escapeDnValue(value: string): string {
  let out = [...value].map((c) => (c === '\0' ? '\\00' : '\\,+"<>;='.includes(c) ? `\\${c}` : c)).join('');
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** The value of a DN's first RDN (`cn=ml-research,ou=groups,…` → `ml-research`), unescaped. */
export function firstRdnValue(dn: string): string {
  const eq = dn.indexOf('=');
  if (eq < 0) return dn;
  let out = '';
  for (let i = eq + 1; i < dn.length; i++) {
    const c = dn[i]!;
    if (c === '\\' && i + 1 < dn.length) {
      const hex = dn.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        out += String.fromCharCode(Number.parseInt(hex, 16));
        i += 2;
      } else {
        out += dn[i + 1];
        i += 1;
      }
      continue;
    }
    if (c === ',' || c === '+') break;
    out += c;
  }
  return out.trim();
}

/** ldapts gives one value as a string and several as an array (Buffers for binary attributes): always a list. */
function values(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const raw = key ? entry[key] : undefined;
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v))).filter((v) => v.length > 0);
}

function first(entry: Entry, attribute: string): string | null {
  return values(entry, attribute)[0] ?? null;
}

function clientOptions(p: LdapProviderSettings): ClientOptions {
  const tls = p.tlsCaPem ? { ca: [p.tlsCaPem] } : undefined;
  return { url: p.url, timeout: TIMEOUT_MS, connectTimeout: TIMEOUT_MS, ...(tls ? { tlsOptions: tls } : {}) };
}

async function connect(p: LdapProviderSettings): Promise<Client> {
  const client = new Client(clientOptions(p));
  if (p.startTls) {
    try {
      await client.startTLS(p.tlsCaPem ? { ca: [p.tlsCaPem] } : {});
    } catch (err) {
      await client.unbind().catch(() => undefined);
      throw new LdapUnavailableError(`StartTLS failed: ${(err as Error).message}`);
    }
  }
  return client;
}

/** Runs `fn` with a connected client and always unbinds; transport failures become LdapUnavailableError. */
async function withClient<T>(p: LdapProviderSettings, fn: (c: Client) => Promise<T>): Promise<T> {
  let client: Client | null = null;
  try {
    client = await connect(p);
    return await fn(client);
  } catch (err) {
    if (err instanceof InvalidCredentialsError || err instanceof LdapUnavailableError) throw err;
    throw new LdapUnavailableError((err as Error).message);
  } finally {
    await client?.unbind().catch(() => undefined);
  }
}

function attributesToRead(p: LdapProviderSettings): string[] {
  // memberOf and entryUUID are operational: returned only when asked for by name.
  return [p.usernameAttribute, p.emailAttribute, p.nameAttribute, 'entryUUID', 'memberOf'];
}

async function groupsOf(p: LdapProviderSettings, client: Client, dn: string, entry: Entry): Promise<string[]> {
  if (p.groupSource === 'memberOf') return values(entry, 'memberOf').map(firstRdnValue);
  if (!p.groupSearchBase) return [];
  const { searchEntries } = await client.search(p.groupSearchBase, {
    scope: 'sub',
    filter: new EqualityFilter({ attribute: p.groupMemberAttribute ?? 'member', value: dn }),
    attributes: ['cn'],
    sizeLimit: 1000,
  });
  return searchEntries.map((g) => first(g, 'cn') ?? firstRdnValue(g.dn));
}

function identityFrom(p: LdapProviderSettings, dn: string, entry: Entry, groups: string[]): LdapIdentity {
  return {
    subject: first(entry, 'entryUUID') ?? dn.toLowerCase(),
    dn,
    username: first(entry, p.usernameAttribute),
    email: first(entry, p.emailAttribute),
    name: first(entry, p.nameAttribute),
    groups: [...new Set(groups)],
  };
}

/**
 * Checks a login and password against the directory: direct bind (`bindDnTemplate`, the login escaped as a DN value)
 * or search-then-bind (the service account finds exactly one entry whose `userSearchAttribute` equals the login, with
 * an escaped filter, then binds as it). Null: unknown login or wrong password (told apart nowhere). The caller must
 * refuse an empty password before calling: an empty password is an unauthenticated bind, which "succeeds".
 */
export async function ldapAuthenticate(
  p: LdapProviderSettings,
  login: string,
  password: string,
): Promise<LdapIdentity | null> {
  if (password.length === 0) throw new Error('ldapAuthenticate: an empty password must be refused before binding');
  try {
    if (p.bindDnTemplate) {
      const dn = p.bindDnTemplate.replaceAll('{username}', escapeDnValue(login));
      return await withClient(p, async (c) => {
        await c.bind(dn, password);
        const { searchEntries } = await c.search(dn, { scope: 'base', attributes: attributesToRead(p) });
        const entry = searchEntries[0];
        if (!entry) return null;
        return identityFrom(p, entry.dn, entry, await groupsOf(p, c, entry.dn, entry));
      });
    }
    if (!p.serviceBindDn || !p.userSearchBase)
      throw new LdapUnavailableError('Provider has neither bindDnTemplate nor serviceBindDn and userSearchBase');
    return await withClient(p, async (service) => {
      await service.bind(p.serviceBindDn!, p.serviceBindPassword ?? '').catch((err: unknown) => {
        throw new LdapUnavailableError(`Service bind failed: ${(err as Error).message}`);
      });
      const { searchEntries } = await service.search(p.userSearchBase!, {
        scope: 'sub',
        filter: new EqualityFilter({ attribute: p.userSearchAttribute ?? p.usernameAttribute, value: login }),
        attributes: attributesToRead(p),
        sizeLimit: 2,
      });
      // None, or an ambiguous login: nobody signs in.
      if (searchEntries.length !== 1) return null;
      const entry = searchEntries[0]!;
      await withClient(p, (user) => user.bind(entry.dn, password));
      return identityFrom(p, entry.dn, entry, await groupsOf(p, service, entry.dn, entry));
    });
  } catch (err) {
    if (err instanceof InvalidCredentialsError) return null;
    throw err;
  }
}
