import { TEAM_PERMISSION_CATALOGUE, TEAM_ROLE_ORDER, TEAM_ROLE_PERMISSIONS, TeamPermission } from './team-permissions';

/** The team permission table of docs/AUTHZ.md, generated from the catalogue (a test keeps the doc in step). */
export function teamPermissionTable(): string {
  const header = `| permission | what it allows | requires | ${TEAM_ROLE_ORDER.join(' | ')} |`;
  const rule = `|---|---|---|${TEAM_ROLE_ORDER.map(() => ':-:').join('|')}|`;
  const rows = Object.values(TeamPermission).map((p) => {
    const info = TEAM_PERMISSION_CATALOGUE[p];
    const cells = TEAM_ROLE_ORDER.map((r) => (TEAM_ROLE_PERMISSIONS[r].has(p) ? '✓' : ''));
    return `| \`${p}\` | ${info.description} | ${info.requires.map((r) => `\`${r}\``).join(', ')} | ${cells.join(' | ')} |`;
  });
  return [header, rule, ...rows].join('\n');
}
