import { OrgRole, TeamRole, type TeamAssignmentInput } from './generated/graphql.js';

/** One person to invite: what `inviteMany` sends as an `InviteUsersRowInput`. */
export interface InviteRow {
  email: string;
  /** ADMIN, MEMBER or VIEWER; omitted (or null) means the server's default, MEMBER. */
  role?: OrgRole | null;
  /** Teams to join on acceptance, each with an optional team role (the server's default otherwise). */
  teams?: readonly TeamAssignmentInput[] | null;
  /** The CSV line the row came from (1-based), when parsed by parseInviteCsv. Not sent to the server. */
  line?: number;
}

/** A CSV that parseInviteCsv cannot read; `line` is the 1-based line of the offending record. */
export class InviteCsvError extends Error {
  readonly line: number;

  constructor(line: number, problem: string) {
    super(`Invite CSV, line ${line}: ${problem}`);
    this.name = 'InviteCsvError';
    this.line = line;
  }
}

const ROLES: ReadonlySet<string> = new Set(Object.values(OrgRole));
const ROLE_LIST = Object.values(OrgRole).join(', ');
const TEAM_ROLES: ReadonlySet<string> = new Set(Object.values(TeamRole));
const TEAM_ROLE_LIST = Object.values(TeamRole).join(', ');
const HEADER = ['email', 'role', 'teams'];

/** Separates the teams of one row in the `teams` column. */
export const INVITE_CSV_TEAM_SEPARATOR = ';';
/** Separates a team from its role in the `teams` column. */
export const INVITE_CSV_ROLE_SEPARATOR = ':';

/**
 * Reads a bulk-invite CSV: one `email[,role[,teams]]` record per line.
 *
 * - `teams` lists teams to join on acceptance, separated by `;`, each `team` or `team:ROLE`
 *   (e.g. `vision:ADMIN;nlp`); roles are upper-cased, a team without a role gets the server's default.
 * - An optional header (`email`, `email,role` or `email,role,teams`, any case) on the first record is skipped.
 * - Blank lines and lines starting with `#` are skipped.
 * - Fields may be quoted as in RFC 4180 (`"a,b"`, `""` for a quote, line breaks inside quotes).
 * - Whitespace around fields, teams and roles is trimmed; an empty role means the default (MEMBER).
 * - Trailing empty fields (`a@example.com,,` from spreadsheets) are ignored.
 *
 * Emails and team names are not validated here: the server reports bad ones per row. A record
 * that is not `email[,role[,teams]]` (more fields, no email, an unknown role, an empty or repeated
 * team, a stray quote) throws InviteCsvError naming its line.
 */
export function parseInviteCsv(csv: string): InviteRow[] {
  const rows: InviteRow[] = [];
  let first = true;
  for (const record of readRecords(csv.startsWith('\uFEFF') ? csv.slice(1) : csv)) {
    const fields = [...record.fields];
    while (fields.length > 1 && fields[fields.length - 1] === '') fields.pop();
    const [email = '', role = '', teams = ''] = fields;
    if (first) {
      first = false;
      if (fields.length <= HEADER.length && fields.every((f, i) => f.toLowerCase() === HEADER[i])) continue;
    }
    if (fields.length > HEADER.length) {
      throw new InviteCsvError(
        record.line,
        `expected "email", "email,role" or "email,role,teams", got ${fields.length} fields.`,
      );
    }
    if (email === '') throw new InviteCsvError(record.line, 'the email is missing.');
    const row: InviteRow = { email, line: record.line };
    if (role !== '') {
      const upper = role.toUpperCase();
      if (!ROLES.has(upper))
        throw new InviteCsvError(record.line, `unknown role ${JSON.stringify(role)}; expected one of ${ROLE_LIST}.`);
      row.role = upper as OrgRole;
    }
    if (teams !== '') row.teams = readTeams(teams, record.line);
    rows.push(row);
  }
  return rows;
}

/** `vision:ADMIN;nlp` → [{ team: 'vision', role: 'ADMIN' }, { team: 'nlp' }]. */
function readTeams(field: string, line: number): TeamAssignmentInput[] {
  const teams: TeamAssignmentInput[] = [];
  const seen = new Set<string>();
  for (const item of field.split(INVITE_CSV_TEAM_SEPARATOR)) {
    const [rawTeam = '', rawRole, ...extra] = item.split(INVITE_CSV_ROLE_SEPARATOR);
    const team = rawTeam.trim();
    if (team === '' && rawRole === undefined && item.trim() === '') {
      // A trailing or doubled separator ("vision;"): nothing to read.
      continue;
    }
    if (team === '') throw new InviteCsvError(line, `a team name is missing in ${JSON.stringify(field)}.`);
    if (extra.length > 0)
      throw new InviteCsvError(line, `expected "team" or "team:ROLE", got ${JSON.stringify(item.trim())}.`);
    if (seen.has(team)) throw new InviteCsvError(line, `the team ${JSON.stringify(team)} is listed twice.`);
    seen.add(team);
    const assignment: TeamAssignmentInput = { team };
    const role = rawRole?.trim() ?? '';
    if (role !== '') {
      const upper = role.toUpperCase();
      if (!TEAM_ROLES.has(upper)) {
        throw new InviteCsvError(
          line,
          `unknown team role ${JSON.stringify(role)} for ${JSON.stringify(team)}; expected one of ${TEAM_ROLE_LIST}.`,
        );
      }
      assignment.role = upper as TeamRole;
    }
    teams.push(assignment);
  }
  return teams;
}

interface CsvRecord {
  /** Line the record starts on, 1-based. */
  line: number;
  /** Trimmed field values. */
  fields: string[];
}

/** RFC 4180 records, skipping blank and `#` comment lines. Accepts \n, \r\n and \r line ends. */
function* readRecords(text: string): Generator<CsvRecord> {
  let i = 0;
  let line = 1;
  const n = text.length;
  const isLineEnd = (c: string | undefined) => c === '\n' || c === '\r';
  // Steps over one line end (\r\n counts once) and counts it.
  const skipLineEnd = () => {
    if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
    else i += 1;
    line += 1;
  };

  while (i < n) {
    // Blank lines and comments are only recognised at the start of a record.
    let j = i;
    while (j < n && (text[j] === ' ' || text[j] === '\t')) j += 1;
    if (j >= n || isLineEnd(text[j]) || text[j] === '#') {
      i = j;
      while (i < n && !isLineEnd(text[i])) i += 1;
      if (i < n) skipLineEnd();
      continue;
    }

    const start = line;
    const fields: string[] = [];
    for (;;) {
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i += 1;
      let value = '';
      if (text[i] === '"') {
        i += 1;
        for (;;) {
          if (i >= n) throw new InviteCsvError(start, 'a quoted field is not closed (missing ").');
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i += 1;
            break;
          }
          if (isLineEnd(c)) {
            value += '\n';
            skipLineEnd();
            continue;
          }
          value += c;
          i += 1;
        }
        while (i < n && (text[i] === ' ' || text[i] === '\t')) i += 1;
        if (i < n && text[i] !== ',' && !isLineEnd(text[i])) {
          throw new InviteCsvError(
            start,
            `unexpected ${JSON.stringify(text[i])} after a closing quote; a field is either fully quoted or not at ` +
              `all.`,
          );
        }
      } else {
        while (i < n && text[i] !== ',' && !isLineEnd(text[i])) {
          if (text[i] === '"') {
            throw new InviteCsvError(
              start,
              'a quote inside an unquoted field; quote the whole field and double inner quotes ("").',
            );
          }
          value += text[i];
          i += 1;
        }
      }
      fields.push(value.trim());
      if (text[i] === ',') {
        i += 1;
        continue;
      }
      if (i < n) skipLineEnd();
      break;
    }
    yield { line: start, fields };
  }
}
