import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { instancePermissionTable, orgPermissionTable, teamPermissionTable } from '../src/authz/catalogue-table';

const doc = () => fs.readFileSync(path.resolve(__dirname, '../../../docs/AUTHZ.md'), 'utf8');
const section = (name: string) =>
  new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)\\n<!-- ${name}:end -->`).exec(doc())?.[1];

describe('docs/AUTHZ.md', () => {
  it('shows the team permission table the code enforces', () => {
    expect(
      section('team-permissions'),
      'regenerate the table with teamPermissionTable() from src/authz/catalogue-table.ts',
    ).toBe(teamPermissionTable());
  });

  it('shows the instance and organization permission tables the code enforces', () => {
    expect(section('instance-permissions'), 'regenerate with instancePermissionTable()').toBe(
      instancePermissionTable(),
    );
    expect(section('org-permissions'), 'regenerate with orgPermissionTable()').toBe(orgPermissionTable());
  });

  it('names no permission that nothing implements', () => {
    // service_account:manage_org and api_key:read_all left this list when issue 11 implemented them, usage:read when
    // issue 13 did.
    for (const p of ['instance:manage_settings']) {
      expect(doc()).not.toContain(`\`${p}\``);
    }
  });
});
