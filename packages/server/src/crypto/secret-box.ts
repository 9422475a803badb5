import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError, ErrorCode } from '../errors';
import { keyId, parseSecretsKey } from './secret-key';

export { keyId, parseSecretsKey };

/**
 * Encryption of stored secrets (OIDC client secrets, private-key JWKs, LDAP service bind passwords, SMTP passwords):
 * AES-256-GCM under a 32-byte key from SECRETS_KEY, with a random 96-bit IV per value and the value's name (e.g.
 * `provider:okta:clientSecret`) as additional authenticated data, so a ciphertext copied to another field fails to
 * decrypt. An envelope is `v1:<key id>:<iv>:<tag>:<ciphertext>` (base64url); the key id (first 8 hex digits of
 * SHA-256 over the key) says which key made it, so SECRETS_KEY_PREVIOUS keys still decrypt after a rotation and
 * `roster-admin reencrypt-secrets` rewrites every value under the current key (docs/OPERATIONS.md, "Secrets key").
 */
export const ENVELOPE_VERSION = 'v1';

export interface SecretKeyring {
  /** Encrypts new values; null: storing a secret is refused (SECRETS_KEY_MISSING). */
  current: Buffer | null;
  /** Still decrypt (key rotation); never encrypt. */
  previous: Buffer[];
  /** Where the current key came from, for messages. */
  origin: 'SECRETS_KEY' | 'key file' | 'none';
}

export class SecretsKeyError extends Error {}

export class SecretBox {
  private readonly byId = new Map<string, Buffer>();

  constructor(readonly keyring: SecretKeyring) {
    for (const k of [...keyring.previous, ...(keyring.current ? [keyring.current] : [])]) this.byId.set(keyId(k), k);
  }

  get canEncrypt(): boolean {
    return this.keyring.current !== null;
  }

  get currentKeyId(): string | null {
    return this.keyring.current ? keyId(this.keyring.current) : null;
  }

  /** Throws SECRETS_KEY_MISSING (an API error) when no key is configured. */
  encrypt(plaintext: string, name: string): string {
    const key = this.keyring.current;
    if (!key) {
      throw new AppError(
        ErrorCode.SECRETS_KEY_MISSING,
        'Secrets cannot be stored: the server has no SECRETS_KEY. Set SECRETS_KEY to 32 random bytes (openssl rand ' +
          '-base64 32) on every server process and restart, or give this secret through the environment instead ' +
          '(docs/OPERATIONS.md, "Secrets key").',
      );
    }
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(name, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      ENVELOPE_VERSION,
      keyId(key),
      iv.toString('base64url'),
      tag.toString('base64url'),
      ct.toString('base64url'),
    ].join(':');
  }

  /** Throws SecretsKeyError saying which key is missing or that the value does not authenticate. */
  decrypt(envelope: string, name: string): string {
    const parts = envelope.split(':');
    if (parts.length !== 5 || parts[0] !== ENVELOPE_VERSION) {
      throw new SecretsKeyError(`Stored secret ${name} is not a ${ENVELOPE_VERSION} envelope.`);
    }
    const [, kid, iv, tag, ct] = parts as [string, string, string, string, string];
    const key = this.byId.get(kid);
    if (!key) {
      throw new SecretsKeyError(
        `Stored secret ${name} was encrypted with key id ${kid}, which is neither SECRETS_KEY (${
          this.currentKeyId ?? 'unset'
        }) nor one of SECRETS_KEY_PREVIOUS: set the key it was stored with (docs/OPERATIONS.md, "Secrets key").`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(name, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretsKeyError(`Stored secret ${name} does not authenticate under key id ${kid}: it was altered.`);
    }
  }

  /** Whether the envelope was made with another key than the current one (re-encryption would change it). */
  isStale(envelope: string): boolean {
    return envelope.split(':')[1] !== this.currentKeyId;
  }
}

/** The file an embedded (no DATABASE_URL) installation keeps its generated key in, next to the database. */
export const KEY_FILE_NAME = 'secrets.key';

/**
 * The keyring from the configuration. Without SECRETS_KEY, an installation on the embedded database (no
 * DATABASE_URL: one host, one process) uses `DATA_DIR/secrets.key`, generated (mode 0600) on first use; with
 * PostgreSQL nothing is generated, as every process would need the same key: storing a secret is then refused.
 */
export function keyringFromConfig(config: {
  secretsKey: string | undefined;
  secretsKeyPrevious: string[];
  databaseUrl: string | undefined;
  dataDir: string;
}): SecretKeyring {
  const previous = config.secretsKeyPrevious.map((k) => parseSecretsKey(k)!);
  if (config.secretsKey) return { current: parseSecretsKey(config.secretsKey)!, previous, origin: 'SECRETS_KEY' };
  if (config.databaseUrl) return { current: null, previous, origin: 'none' };
  const file = path.join(config.dataDir, KEY_FILE_NAME);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    try {
      fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const key = parseSecretsKey(fs.readFileSync(file, 'utf8'));
  if (!key) throw new SecretsKeyError(`${file} does not hold a 32-byte key (base64 or hex).`);
  return { current: key, previous, origin: 'key file' };
}
