import { OrgRole, type TeamAssignmentInput } from './generated/graphql';

/** One person to invite: what `inviteMany` sends as an `InviteRowInput`. */
export interface InviteRow {
  email: string;
  /** ADMIN, MEMBER or VIEWER; omitted (or null) means the server's default, MEMBER. */
  role?: OrgRole | null;
  /** Teams to join on acceptance (rows given as objects; the CSV format has no teams column). */
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

/**
 * Reads a bulk-invite CSV: one `email[,role]` record per line.
 *
 * - An optional header (`email` or `email,role`, any case) on the first record is skipped.
 * - Blank lines and lines starting with `#` are skipped.
 * - Fields may be quoted as in RFC 4180 (`"a,b"`, `""` for a quote, line breaks inside quotes).
 * - Whitespace around fields is trimmed; roles are upper-cased; an empty role means the default (MEMBER).
 * - Trailing empty fields (`a@example.com,,` from spreadsheets) are ignored.
 *
 * Emails are not validated here: the server reports bad ones per row. A record that is not
 * `email[,role]` (more fields, no email, an unknown role, a stray quote) throws InviteCsvError
 * naming its line.
 */
export function parseInviteCsv(csv: string): InviteRow[] {
  const rows: InviteRow[] = [];
  let first = true;
  for (const record of readRecords(csv.startsWith('\uFEFF') ? csv.slice(1) : csv)) {
    const fields = [...record.fields];
    while (fields.length > 1 && fields[fields.length - 1] === '') fields.pop();
    const [email = '', role = ''] = fields;
    if (first) {
      first = false;
      if (email.toLowerCase() === 'email' && (fields.length === 1 || role.toLowerCase() === 'role')) continue;
    }
    if (fields.length > 2) {
      throw new InviteCsvError(record.line, `expected "email" or "email,role", got ${fields.length} fields.`);
    }
    if (email === '') throw new InviteCsvError(record.line, 'the email is missing.');
    const row: InviteRow = { email, line: record.line };
    if (role !== '') {
      const upper = role.toUpperCase();
      if (!ROLES.has(upper)) throw new InviteCsvError(record.line, `unknown role ${JSON.stringify(role)}; expected one of ${ROLE_LIST}.`);
      row.role = upper as OrgRole;
    }
    rows.push(row);
  }
  return rows;
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
          throw new InviteCsvError(start, `unexpected ${JSON.stringify(text[i])} after a closing quote; a field is either fully quoted or not at all.`);
        }
      } else {
        while (i < n && text[i] !== ',' && !isLineEnd(text[i])) {
          if (text[i] === '"') {
            throw new InviteCsvError(start, 'a quote inside an unquoted field; quote the whole field and double inner quotes ("").');
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
