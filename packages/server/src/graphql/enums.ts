import { registerEnumType } from 'type-graphql';
import { ErrorCode, ERROR_CODE_DESCRIPTIONS } from '../errors';
import { MemberStatus, OrgRole } from '../authz/roles';

registerEnumType(OrgRole, {
  name: 'OrgRole',
  description: 'Role in an organization.',
  valuesConfig: {
    ADMIN: { description: 'Invites, removes, deactivates and reactivates users, changes roles, manages teams, custom roles and service accounts, sees usage and the audit log.' },
    MEMBER: { description: 'A regular user: sees the organization and its non-hidden teams, joins teams, manages their own API keys.' },
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
  valuesConfig: Object.fromEntries(Object.entries(ERROR_CODE_DESCRIPTIONS).map(([k, description]) => [k, { description }])),
});

export enum PrincipalKind {
  USER = 'USER',
  SERVICE_ACCOUNT = 'SERVICE_ACCOUNT',
}
registerEnumType(PrincipalKind, {
  name: 'PrincipalKind',
  description: 'What kind of principal made the request.',
  valuesConfig: {
    USER: { description: 'A person, with a session or one of their personal API keys. Every request is this kind today.' },
    SERVICE_ACCOUNT: { description: 'Reserved: service accounts come in a later release; no request has this kind yet.' },
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

export { ErrorCode, MemberStatus, OrgRole };
