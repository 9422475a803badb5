import { describe, expect, test } from 'vitest';
import { INVITE_CSV_ROLE_SEPARATOR, INVITE_CSV_TEAM_SEPARATOR, InviteCsvError, parseInviteCsv } from '../src';

function csvError(csv: string): InviteCsvError {
  try {
    parseInviteCsv(csv);
  } catch (err) {
    expect(err).toBeInstanceOf(InviteCsvError);
    return err as InviteCsvError;
  }
  throw new Error('parseInviteCsv did not throw');
}

describe('parseInviteCsv', () => {
  test('reads email[,role] rows, skipping a header in any case, and upper-cases roles', () => {
    const rows = parseInviteCsv('Email,ROLE\nalice@example.com,admin\nbob@example.com\ncarol@example.com,Viewer\n');
    expect(rows).toEqual([
      { email: 'alice@example.com', role: 'ADMIN', line: 2 },
      { email: 'bob@example.com', line: 3 },
      { email: 'carol@example.com', role: 'VIEWER', line: 4 },
    ]);
    expect(parseInviteCsv('EMAIL\ndan@example.com')).toEqual([{ email: 'dan@example.com', line: 2 }]);
  });

  test('without a header the first line is a row; a header-like line later is a row too', () => {
    expect(parseInviteCsv('alice@example.com,member')).toEqual([
      { email: 'alice@example.com', role: 'MEMBER', line: 1 },
    ]);
    // "email" is not an address, but validating addresses is the server's job: it is sent as a row.
    expect(parseInviteCsv('a@example.com\nemail').map((r) => r.email)).toEqual(['a@example.com', 'email']);
    // ...whereas "role" is then a role, and not a known one.
    expect(() => parseInviteCsv('a@example.com\nemail,role')).toThrow(/line 2: unknown role "role"/);
  });

  test('skips blank lines and # comments, trims whitespace, accepts CRLF and a BOM', () => {
    const csv =
      '\uFEFF# people for the ML team\r\n\r\n  email , role \r\n   \r\n  alice@example.com  ,  member  \r\n\t# a ' +
      'comment after indentation\r\nbob@example.com,\r\n';
    expect(parseInviteCsv(csv)).toEqual([
      { email: 'alice@example.com', role: 'MEMBER', line: 5 },
      { email: 'bob@example.com', line: 7 },
    ]);
    expect(parseInviteCsv('')).toEqual([]);
    expect(parseInviteCsv('# only a comment\n\n')).toEqual([]);
  });

  test('accepts RFC 4180 quoted fields: commas, doubled quotes, surrounding spaces', () => {
    const csv = [
      '"email","role"',
      '"alice@example.com","ADMIN"',
      ' "bob@example.com" , viewer',
      '"odd,but""quoted""@example.com",MEMBER',
      'carol@example.com,"member"',
    ].join('\n');
    expect(parseInviteCsv(csv)).toEqual([
      { email: 'alice@example.com', role: 'ADMIN', line: 2 },
      { email: 'bob@example.com', role: 'VIEWER', line: 3 },
      { email: 'odd,but"quoted"@example.com', role: 'MEMBER', line: 4 },
      { email: 'carol@example.com', role: 'MEMBER', line: 5 },
    ]);
  });

  test('a quoted field may span lines; later line numbers stay right', () => {
    const rows = parseInviteCsv('"multi\nline@example.com",member\nnext@example.com');
    expect(rows).toEqual([
      { email: 'multi\nline@example.com', role: 'MEMBER', line: 1 },
      { email: 'next@example.com', line: 3 },
    ]);
  });

  test('ignores trailing empty fields, as spreadsheets export them', () => {
    expect(parseInviteCsv('alice@example.com,admin,,\nbob@example.com,,')).toEqual([
      { email: 'alice@example.com', role: 'ADMIN', line: 1 },
      { email: 'bob@example.com', line: 2 },
    ]);
  });

  test('a malformed line throws InviteCsvError with its line number', () => {
    const tooMany = csvError('email,role\n# comment\nalice@example.com,MEMBER\nbob@example.com,MEMBER,vision,extra\n');
    expect(tooMany.line).toBe(4);
    expect(tooMany.message).toMatch(
      /^Invite CSV, line 4: expected "email", "email,role" or "email,role,teams", got 4 fields/,
    );

    const badRole = csvError('alice@example.com\n\nbob@example.com,owner');
    expect(badRole).toMatchObject({ line: 3, name: 'InviteCsvError' });
    expect(badRole.message).toContain('unknown role "owner"; expected one of ADMIN, MEMBER, VIEWER');

    expect(csvError('a@example.com\n,ADMIN').message).toBe('Invite CSV, line 2: the email is missing.');
    expect(csvError('a@example.com\n"b@example.com,MEMBER\nc@example.com').message).toMatch(
      /line 2: a quoted field is not closed/,
    );
    expect(csvError('a@example.com\nb@exa"mple.com').line).toBe(2);
    expect(csvError('"a@example.com"x,MEMBER').message).toMatch(/line 1: unexpected "x" after a closing quote/);
  });

  test(
    'reads a teams column: `team:ROLE` pairs separated by ";", roles upper-cased, a team without a role gets the ' +
      'default',
    () => {
      const csv = [
        'email,role,teams',
        'alice@example.com,admin,vision:ADMIN;nlp:member',
        'bob@example.com,,vision',
        'carol@example.com,viewer, vision : view_only ; nlp ;',
        '"dan@example.com",member,""',
      ].join('\n');
      expect(parseInviteCsv(csv)).toEqual([
        {
          email: 'alice@example.com',
          role: 'ADMIN',
          teams: [
            { team: 'vision', role: 'ADMIN' },
            { team: 'nlp', role: 'MEMBER' },
          ],
          line: 2,
        },
        { email: 'bob@example.com', teams: [{ team: 'vision' }], line: 3 },
        {
          email: 'carol@example.com',
          role: 'VIEWER',
          teams: [{ team: 'vision', role: 'VIEW_ONLY' }, { team: 'nlp' }],
          line: 4,
        },
        { email: 'dan@example.com', role: 'MEMBER', line: 5 },
      ]);
      expect(INVITE_CSV_TEAM_SEPARATOR).toBe(';');
      expect(INVITE_CSV_ROLE_SEPARATOR).toBe(':');
      // Without a header the third field is still the teams column; a quoted field may hold commas.
      expect(parseInviteCsv('eve@example.com,MEMBER,"a,b:ADMIN"')).toEqual([
        { email: 'eve@example.com', role: 'MEMBER', teams: [{ team: 'a,b', role: 'ADMIN' }], line: 1 },
      ]);
    },
  );

  test('a bad teams column throws InviteCsvError with its line', () => {
    expect(csvError('a@example.com,MEMBER,vision:OWNER').message).toBe(
      'Invite CSV, line 1: unknown team role "OWNER" for "vision"; expected one of ADMIN, MEMBER, SERVICE, VIEW_ONLY.',
    );
    expect(csvError('a@example.com\nb@example.com,MEMBER,vision;vision:ADMIN').message).toBe(
      'Invite CSV, line 2: the team "vision" is listed twice.',
    );
    expect(csvError('a@example.com,MEMBER,:ADMIN').message).toMatch(/line 1: a team name is missing/);
    expect(csvError('a@example.com,MEMBER,vision:ADMIN:x').message).toMatch(
      /line 1: expected "team" or "team:ROLE", got "vision:ADMIN:x"/,
    );
  });
});
