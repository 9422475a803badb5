/**
 * A throw-away OpenLDAP server (Debian's slapd) for tests: its own config and database in a temp directory, on a
 * free port, seeded with people and groups (memberOf overlay), stopped by PID. As in /work/shared/recipes/ldap.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './oidc-fixture';
import type { LdapProviderSettings } from '../src/modules/sso/sso-settings';

const run = promisify(execFile);
const SLAPD = ['/usr/sbin/slapd', '/usr/bin/slapd'].find((p) => existsSync(p)) ?? 'slapd';

/** LDAP tests run where slapd is installed, and must run in CI (.ci/run installs it and sets REQUIRE_SLAPD=1). */
export const SLAPD_AVAILABLE: boolean = existsSync(SLAPD) || process.env.REQUIRE_SLAPD === '1';

export const BASE_DN = 'dc=example,dc=org';
export const SERVICE_DN = `cn=svc-auth,ou=services,${BASE_DN}`;
export const SERVICE_PASSWORD = 'svc-secret';

export interface TestDirectory {
  url: string;
  /** Adds entries (LDIF) as the directory manager. */
  add(ldif: string): Promise<void>;
  modify(ldif: string): Promise<void>;
  directBind(name: string, extra?: Partial<LdapProviderSettings>): LdapProviderSettings;
  searchBind(name: string, extra?: Partial<LdapProviderSettings>): LdapProviderSettings;
  stop(): Promise<void>;
}

const person = (uid: string, cn: string, mail: string) => `dn: uid=${uid},ou=people,${BASE_DN}
objectClass: inetOrgPerson
uid: ${uid}
cn: ${cn}
sn: ${cn.split(' ').pop()}
mail: ${mail}
userPassword: ${uid}-secret
`;

const group = (cn: string, members: string[]) => `dn: cn=${cn},ou=groups,${BASE_DN}
objectClass: groupOfNames
cn: ${cn}
${members.map((m) => `member: uid=${m},ou=people,${BASE_DN}`).join('\n')}
`;

export async function startDirectory(): Promise<TestDirectory> {
  const dir = mkdtempSync(path.join(tmpdir(), 'roster-slapd-'));
  mkdirSync(path.join(dir, 'data'));
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  writeFileSync(
    path.join(dir, 'slapd.conf'),
    `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args

database mdb
maxsize 104857600
suffix "${BASE_DN}"
rootdn "cn=admin,${BASE_DN}"
rootpw adminpw
directory ${dir}/data
index objectClass eq
index uid,mail,member eq

overlay memberof
memberof-group-oc groupOfNames
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint TRUE

access to attrs=userPassword
  by self write
  by anonymous auth
  by * none
access to *
  by users read
  by * none
`,
  );
  const asRoot = process.getuid?.() === 0 ? ['-u', 'root'] : [];
  await run(SLAPD, ['-f', path.join(dir, 'slapd.conf'), '-h', `${url}/`, ...asRoot]);
  const admin = ['-x', '-H', url, '-D', `cn=admin,${BASE_DN}`, '-w', 'adminpw'];
  for (let i = 0; ; i++) {
    try {
      await run('ldapwhoami', admin);
      break;
    } catch (err) {
      if (i > 300) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  const ldif = async (tool: string, text: string) => {
    const file = path.join(dir, `in-${Date.now()}-${Math.random()}.ldif`);
    writeFileSync(file, text);
    await run(tool, [...admin, '-f', file]);
  };
  await ldif(
    'ldapadd',
    `dn: ${BASE_DN}
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ou=people,${BASE_DN}
objectClass: organizationalUnit
ou: people

dn: ou=groups,${BASE_DN}
objectClass: organizationalUnit
ou: groups

dn: ou=services,${BASE_DN}
objectClass: organizationalUnit
ou: services

dn: ${SERVICE_DN}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: svc-auth
userPassword: ${SERVICE_PASSWORD}

${person('ada', 'Ada Lovelace', 'ada@example.com')}
${person('bob', 'Bob Builder', 'bob@example.com')}
${person('grace', 'Grace Hopper', 'grace@example.com')}
${group('ml-research', ['ada', 'bob'])}
${group('vision', ['ada'])}
`,
  );
  const common = {
    kind: 'LDAP' as const,
    url,
    startTls: false,
    usernameAttribute: 'uid',
    emailAttribute: 'mail',
    nameAttribute: 'cn',
    groupAllowList: [],
  };
  return {
    url,
    add: (text) => ldif('ldapadd', text),
    modify: (text) => ldif('ldapmodify', text),
    directBind: (name, extra = {}) => ({
      ...common,
      name,
      label: `Directory ${name}`,
      bindDnTemplate: `uid={username},ou=people,${BASE_DN}`,
      groupSource: 'memberOf',
      ...extra,
    }),
    searchBind: (name, extra = {}) => ({
      ...common,
      name,
      label: `Directory ${name}`,
      serviceBindDn: SERVICE_DN,
      serviceBindPassword: SERVICE_PASSWORD,
      userSearchBase: `ou=people,${BASE_DN}`,
      userSearchAttribute: 'mail',
      groupSource: 'search',
      groupSearchBase: `ou=groups,${BASE_DN}`,
      groupMemberAttribute: 'member',
      ...extra,
    }),
    async stop() {
      try {
        const pid = Number(readFileSync(path.join(dir, 'slapd.pid'), 'utf8').trim());
        process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 200; i++) {
          try {
            process.kill(pid, 0);
            await new Promise((r) => setTimeout(r, 10));
          } catch {
            break;
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
