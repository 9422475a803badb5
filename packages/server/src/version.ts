import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The server's version, read from its package.json (one level above both src/ and dist/), so a release
 * only bumps the package.
 */
export const SERVER_VERSION: string = (
  JSON.parse(readFileSync(path.join(__dirname, '../package.json'), 'utf8')) as { version: string }
).version;
