import { registerEnumType } from 'type-graphql';
import { ErrorCode, ERROR_CODE_DESCRIPTIONS } from '../errors';
import { MemberStatus, OrgRole } from '../authz/roles';
import { ORG_PERMISSION_CATALOGUE, OrgPermission } from '../authz/permissions';
import { TEAM_PERMISSION_CATALOGUE, TeamPermission } from '../authz/team-permissions';
import { AuditAction } from '../modules/audit/audit.service';

registerEnumType(OrgRole, {
  name: 'OrgRole',
  description: 'Role in an organization.',
  valuesConfig: {
    ADMIN: {
      description:
        'Invites, removes, deactivates and reactivates users, changes roles, manages teams, custom roles and ' +
        'service accounts, sees usage and the audit log.',
    },
    MEMBER: {
      description:
        'A regular user: sees the organization and its non-hidden teams, joins teams, manages their own API keys.',
    },
    VIEWER: { description: 'Read-only access to the organization and the teams they belong to.' },
  },
});

registerEnumType(MemberStatus, {
  name: 'MemberStatus',
  description: 'State of an organization membership.',
  valuesConfig: {
    PENDING: { description: 'Invited, not yet accepted.' },
    ACTIVE: { description: 'Has access.' },
    DEACTIVATED: { description: 'Access revoked; the record is kept and can be reactivated.' },
  },
});

registerEnumType(ErrorCode, {
  name: 'ErrorCode',
  description: 'The values of `extensions.code` on errors. Stable: clients branch on them.',
  valuesConfig: Object.fromEntries(
    Object.entries(ERROR_CODE_DESCRIPTIONS).map(([k, description]) => [k, { description }]),
  ),
});

export enum PrincipalKind {
  USER = 'USER',
  SERVICE_ACCOUNT = 'SERVICE_ACCOUNT',
}
registerEnumType(PrincipalKind, {
  name: 'PrincipalKind',
  description: 'What kind of principal made the request.',
  valuesConfig: {
    USER: {
      description: 'A person, with a session or one of their personal API keys.',
    },
    SERVICE_ACCOUNT: {
      description: 'A service account, with one of its keys (Viewer.serviceAccount).',
    },
  },
});

export enum AuthMethodEnum {
  SESSION = 'SESSION',
  API_KEY = 'API_KEY',
}
registerEnumType(AuthMethodEnum, { name: 'AuthMethod', description: 'How the caller authenticated.' });

export enum ApiKeyStatus {
  ACTIVE = 'ACTIVE',
  EXPIRED = 'EXPIRED',
  REVOKED = 'REVOKED',
}
registerEnumType(ApiKeyStatus, { name: 'ApiKeyStatus', description: 'Whether an API key still authenticates.' });

export enum ServiceAccountStatus {
  ACTIVE = 'ACTIVE',
  DISABLED = 'DISABLED',
}
registerEnumType(ServiceAccountStatus, {
  name: 'ServiceAccountStatus',
  description: 'Whether a service account’s keys are accepted.',
  valuesConfig: {
    ACTIVE: { description: 'Its usable keys authenticate.' },
    DISABLED: { description: 'Every request with one of its keys fails with SERVICE_ACCOUNT_DISABLED.' },
  },
});

export { ErrorCode, MemberStatus, OrgRole };

/**
 * Closed sets whose values travel as `object:operation` or `object.verb` strings inside the server (permissions,
 * audit actions) are GraphQL enums on the wire: the enum value is the string upper-cased with ":" and "." as "_"
 * (`project:delete` → PROJECT_DELETE, `member.invited` → MEMBER_INVITED), and its description quotes the string.
 * Resolvers keep returning the internal strings; the enum maps them both ways, so unknown values are refused by
 * GraphQL validation before any resolver runs.
 */
export function wireEnumName(value: string): string {
  return value.replace(/[:.]/g, '_').toUpperCase();
}

function wireEnum<V extends string>(values: readonly V[]): Readonly<Record<string, V>> {
  const out: Record<string, V> = {};
  for (const value of values) {
    const name = wireEnumName(value);
    if (Object.hasOwn(out, name)) throw new Error(`two values map to the GraphQL enum value ${name}`);
    out[name] = value;
  }
  return out;
}

function describeWire<V extends string>(
  values: Readonly<Record<string, V>>,
  describe: (value: V) => string,
): Record<string, { description: string }> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { description: describe(value) }]));
}

/** `TeamPermission` on the wire (internally `TeamPermission` of authz/team-permissions.ts). */
export const TeamPermissionEnum = wireEnum(Object.values(TeamPermission));
registerEnumType(TeamPermissionEnum, {
  name: 'TeamPermission',
  description:
    'A team-scoped permission (`object:operation`); permissionCatalogue describes each and what it requires.',
  valuesConfig: describeWire(TeamPermissionEnum, (p) => `\`${p}\`: ${TEAM_PERMISSION_CATALOGUE[p].description}`),
});

/** `OrganizationPermission` on the wire (internally `OrgPermission` of authz/permissions.ts). */
export const OrganizationPermissionEnum = wireEnum(Object.values(OrgPermission));
registerEnumType(OrganizationPermissionEnum, {
  name: 'OrganizationPermission',
  description: 'An organization-scoped permission (`object:operation`).',
  valuesConfig: describeWire(OrganizationPermissionEnum, (p) => `\`${p}\`: ${ORG_PERMISSION_CATALOGUE[p].description}`),
});

/** `AuditAction` on the wire (internally the `object.verb` strings stored in audit_event.action). */
export const AuditActionEnum = wireEnum(Object.values(AuditAction));
registerEnumType(AuditActionEnum, {
  name: 'AuditAction',
  description: 'What an audit event records. Stable: filter the audit log on these.',
  valuesConfig: describeWire(AuditActionEnum, (a) => `Stored as \`${a}\`.`),
});

/** Codes of `Instance.warnings` and `Organization.warnings`. */
export enum WarningCode {
  SINGLE_INSTANCE_ADMIN = 'SINGLE_INSTANCE_ADMIN',
  EMBEDDED_DATABASE = 'EMBEDDED_DATABASE',
  SINGLE_ADMIN = 'SINGLE_ADMIN',
  SINGLE_TEAM_ADMIN = 'SINGLE_TEAM_ADMIN',
  NO_TEAM_ADMIN = 'NO_TEAM_ADMIN',
  SECRETS_UNREADABLE = 'SECRETS_UNREADABLE',
}
registerEnumType(WarningCode, {
  name: 'WarningCode',
  description: 'What a warning is about. Stable: clients may branch on it.',
  valuesConfig: {
    SINGLE_INSTANCE_ADMIN: { description: 'Only one instance admin exists (Instance.warnings).' },
    EMBEDDED_DATABASE: { description: 'The server runs on the embedded database (Instance.warnings).' },
    SINGLE_ADMIN: { description: 'The organization has only one active admin (Organization.warnings).' },
    SINGLE_TEAM_ADMIN: { description: 'The team has only one effective team admin (Team.warnings).' },
    NO_TEAM_ADMIN: {
      description: 'The team has members but no effective team admin: only org admins can manage it (Team.warnings).',
    },
    SECRETS_UNREADABLE: {
      description: 'A stored secret cannot be decrypted with SECRETS_KEY or SECRETS_KEY_PREVIOUS (Instance.warnings).',
    },
  },
});
