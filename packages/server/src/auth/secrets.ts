import { createHash, randomBytes } from 'node:crypto';

/**
 * Tokens and keys carry 256 bits of randomness, so a fast SHA-256 is a safe lookup hash (argon2 is for guessable
 * passwords).
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function toBase62(bytes: Buffer): string {
  let n = BigInt(`0x${bytes.toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out || '0';
}

function base62Fixed(value: number, width: number): string {
  let out = '';
  let n = value;
  for (let i = 0; i < width; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/** CRC-32 (IEEE), as GitHub uses for its token checksums. */
function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export const SESSION_PREFIX = 'rss_';
export const API_KEY_PREFIX = 'rsk_';
const API_KEY_BODY_LENGTH = 43;
const CHECKSUM_LENGTH = 6;

export function newSessionToken(): string {
  return SESSION_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * A checksummed secret: `prefix` + 43 base62 characters (256 random bits) + 6 base62 characters of CRC-32 over both.
 * The prefix makes leaked secrets greppable by secret scanners; the checksum rejects typos without a database read.
 * API keys (`rsk_`) and SCIM tokens (`rsc_`, docs/SCIM.md) are this format.
 */
function newChecksummedSecret(prefix: string): string {
  const body = toBase62(randomBytes(32)).padStart(API_KEY_BODY_LENGTH, '0').slice(-API_KEY_BODY_LENGTH);
  const head = prefix + body;
  return head + base62Fixed(crc32(head), CHECKSUM_LENGTH);
}

function isWellFormedChecksummedSecret(prefix: string, secret: string): boolean {
  if (!secret.startsWith(prefix)) return false;
  if (secret.length !== prefix.length + API_KEY_BODY_LENGTH + CHECKSUM_LENGTH) return false;
  if (!/^[0-9A-Za-z]+$/.test(secret.slice(prefix.length))) return false;
  return secret.slice(-CHECKSUM_LENGTH) === base62Fixed(crc32(secret.slice(0, -CHECKSUM_LENGTH)), CHECKSUM_LENGTH);
}

export function newApiKey(): string {
  return newChecksummedSecret(API_KEY_PREFIX);
}

export function isWellFormedApiKey(key: string): boolean {
  return isWellFormedChecksummedSecret(API_KEY_PREFIX, key);
}

export const SCIM_TOKEN_PREFIX = 'rsc_';

export function newScimToken(): string {
  return newChecksummedSecret(SCIM_TOKEN_PREFIX);
}

export function isWellFormedScimToken(token: string): boolean {
  return isWellFormedChecksummedSecret(SCIM_TOKEN_PREFIX, token);
}

export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}
