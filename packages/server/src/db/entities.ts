import { User } from '../modules/accounts/user.entity';
import { Session } from '../auth/session.entity';
import { ApiKey } from '../modules/api-keys/api-key.entity';
import { Organization } from '../modules/organizations/organization.entity';
import { Membership } from '../modules/organizations/membership.entity';
import { DailyActivity } from '../modules/activity/daily-activity.entity';
import { AuditEvent } from '../modules/audit/audit-event.entity';
import { Invitation } from '../modules/invitations/invitation.entity';
import { OutboxEmail } from '../modules/mail/outbox-email.entity';
import { Team } from '../modules/teams/team.entity';
import { TeamMembership } from '../modules/teams/team-membership.entity';
import { Project, Run, Report } from '../modules/projects/project.entity';
import { CustomRole } from '../modules/custom-roles/custom-role.entity';
import { ServiceAccount } from '../modules/service-accounts/service-account.entity';
import { SsoIdentity } from '../modules/sso/sso-identity.entity';
import { OidcSignInState } from '../modules/sso/oidc-sign-in-state.entity';
import { ApiKeyAddress } from '../auth/api-key-address.entity';
import { ScimToken } from '../modules/scim/scim-token.entity';
import { ScimGroup, ScimUser } from '../modules/scim/scim-resource.entity';

/** Every entity, listed explicitly: no folder scanning, so tsc output and vitest see the same set. */
export const ENTITIES = [
  User,
  Session,
  ApiKey,
  Organization,
  Membership,
  DailyActivity,
  AuditEvent,
  Invitation,
  OutboxEmail,
  Team,
  TeamMembership,
  Project,
  Run,
  Report,
  CustomRole,
  ServiceAccount,
  SsoIdentity,
  OidcSignInState,
  ApiKeyAddress,
  ScimToken,
  ScimUser,
  ScimGroup,
];
