import fs from 'node:fs';
import path from 'node:path';
import { printRosterSchema } from './schema';

/** Writes packages/schema/schema.graphql; the schema drift test compares against the same printer. */
export const SCHEMA_FILE = path.resolve(__dirname, '../../../schema/schema.graphql');

async function main(): Promise<void> {
  fs.writeFileSync(SCHEMA_FILE, await printRosterSchema());
  process.stdout.write(`Wrote ${SCHEMA_FILE}\n`);
}

if (require.main === module) void main();
