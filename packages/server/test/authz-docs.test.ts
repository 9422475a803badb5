import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { teamPermissionTable } from '../src/authz/catalogue-table';

describe('docs/AUTHZ.md', () => {
  it('shows the team permission table the code enforces', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../../docs/AUTHZ.md'), 'utf8');
    const between = /<!-- team-permissions:start -->\n([\s\S]*?)\n<!-- team-permissions:end -->/.exec(doc)?.[1];
    expect(between, 'regenerate the table with teamPermissionTable() from src/authz/catalogue-table.ts').toBe(teamPermissionTable());
  });
});
