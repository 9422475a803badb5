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
 * API key: `rsk_` + 43 base62 characters (256 random bits) + 6 base62 characters of CRC-32 over both.
 * The prefix makes leaked keys greppable by secret scanners; the checksum rejects typos without a database read.
 */
export function newApiKey(): string {
  const body = toBase62(randomBytes(32)).padStart(API_KEY_BODY_LENGTH, '0').slice(-API_KEY_BODY_LENGTH);
  const head = API_KEY_PREFIX + body;
  return head + base62Fixed(crc32(head), CHECKSUM_LENGTH);
}

export function isWellFormedApiKey(key: string): boolean {
  if (!key.startsWith(API_KEY_PREFIX)) return false;
  if (key.length !== API_KEY_PREFIX.length + API_KEY_BODY_LENGTH + CHECKSUM_LENGTH) return false;
  if (!/^[0-9A-Za-z]+$/.test(key.slice(API_KEY_PREFIX.length))) return false;
  const head = key.slice(0, -CHECKSUM_LENGTH);
  return key.slice(-CHECKSUM_LENGTH) === base62Fixed(crc32(head), CHECKSUM_LENGTH);
}

export const SCIM_TOKEN_PREFIX = 'rsc_';

/** A SCIM token (docs/SCIM.md): like an API key (256 random bits, CRC-32 checksum), with its own prefix `rsc_`. */
export function newScimToken(): string {
  const body = toBase62(randomBytes(32)).padStart(API_KEY_BODY_LENGTH, '0').slice(-API_KEY_BODY_LENGTH);
  const head = SCIM_TOKEN_PREFIX + body;
  return head + base62Fixed(crc32(head), CHECKSUM_LENGTH);
}

export function isWellFormedScimToken(token: string): boolean {
  if (!token.startsWith(SCIM_TOKEN_PREFIX)) return false;
  if (token.length !== SCIM_TOKEN_PREFIX.length + API_KEY_BODY_LENGTH + CHECKSUM_LENGTH) return false;
  if (!/^[0-9A-Za-z]+$/.test(token.slice(SCIM_TOKEN_PREFIX.length))) return false;
  return token.slice(-CHECKSUM_LENGTH) === base62Fixed(crc32(token.slice(0, -CHECKSUM_LENGTH)), CHECKSUM_LENGTH);
}

export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}
