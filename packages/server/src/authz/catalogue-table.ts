import {
  INSTANCE_PERMISSION_CATALOGUE,
  InstancePermission,
  ORG_PERMISSION_CATALOGUE,
  ORG_ROLE_ORDER,
  ORG_ROLE_PERMISSIONS,
  OrgPermission,
} from './permissions';
import { TEAM_PERMISSION_CATALOGUE, TEAM_ROLE_ORDER, TEAM_ROLE_PERMISSIONS, TeamPermission } from './team-permissions';

/** The team permission table of docs/AUTHZ.md, generated from the catalogue (a test keeps the doc in step). */
export function teamPermissionTable(): string {
  const header = `| permission | what it allows | requires | ${TEAM_ROLE_ORDER.join(' | ')} |`;
  const rule = `|---|---|---|${TEAM_ROLE_ORDER.map(() => ':-:').join('|')}|`;
  const rows = Object.values(TeamPermission).map((p) => {
    const info = TEAM_PERMISSION_CATALOGUE[p];
    const cells = TEAM_ROLE_ORDER.map((r) => (TEAM_ROLE_PERMISSIONS[r].has(p) ? '✓' : ''));
    return (
      `| \`${p}\` | ${info.description} | ${info.requires.map((r) => `\`${r}\``).join(', ')} | ` +
      `${cells.join(' | ')} |`
    );
  });
  return [header, rule, ...rows].join('\n');
}

/** The instance permission table of docs/AUTHZ.md. */
export function instancePermissionTable(): string {
  const rows = Object.values(InstancePermission).map(
    (p) => `| \`${p}\` | ${INSTANCE_PERMISSION_CATALOGUE[p].description} |`,
  );
  return ['| permission | allows |', '|---|---|', ...rows].join('\n');
}

/** The organization permission table of docs/AUTHZ.md: what each role holds, and what it holds only under a setting. */
export function orgPermissionTable(): string {
  const header = `| permission | ${ORG_ROLE_ORDER.join(' | ')} |`;
  const rule = `|---|${ORG_ROLE_ORDER.map(() => ':-:').join('|')}|`;
  const rows = Object.values(OrgPermission).map((p) => {
    const info = ORG_PERMISSION_CATALOGUE[p];
    const cells = ORG_ROLE_ORDER.map((r) => (ORG_ROLE_PERMISSIONS[r].has(p) ? '✓' : (info.conditional?.[r] ?? '')));
    return `| \`${p}\` — ${info.description} | ${cells.join(' | ')} |`;
  });
  return [header, rule, ...rows].join('\n');
}
