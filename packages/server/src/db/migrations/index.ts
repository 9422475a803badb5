import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122161659_Initial } from './Migration20261122161659_Initial';
import { Migration20261122163856_Invitations } from './Migration20261122163856_Invitations';
import { Migration20261122165330_Teams } from './Migration20261122165330_Teams';
import { Migration20261122170002_CustomRoles } from './Migration20261122170002_CustomRoles';
import { Migration20261129091500_SignInThrottle } from './Migration20261129091500_SignInThrottle';
import { Migration20261129120000_MemberSortKeys } from './Migration20261129120000_MemberSortKeys';
import { Migration20261129121000_MemberCounts } from './Migration20261129121000_MemberCounts';
import { Migration20261129121344_ServiceAccounts } from './Migration20261129121344_ServiceAccounts';
import { Migration20261129124500_OrgServiceAccounts } from './Migration20261129124500_OrgServiceAccounts';
import { Migration20261129145000_TeamMemberSortKeys } from './Migration20261129145000_TeamMemberSortKeys';
import { Migration20261129151000_SsoSignIn } from './Migration20261129151000_SsoSignIn';
import { Migration20261129153000_AuditLog } from './Migration20261129153000_AuditLog';
import { Migration20261129150000_InstanceSettings } from './Migration20261129150000_InstanceSettings';
import { Migration20261129152000_ActivityRollups } from './Migration20261129152000_ActivityRollups';
import { Migration20261129180000_Scim } from './Migration20261129180000_Scim';
import { Migration20261129194000_ScimUserNameUnique } from './Migration20261129194000_ScimUserNameUnique';
import { Migration20261129194500_ScimDisplayName } from './Migration20261129194500_ScimDisplayName';
import { Migration20261129200000_TeamMemberCount } from './Migration20261129200000_TeamMemberCount';
import { Migration20261129201000_GinPendingList } from './Migration20261129201000_GinPendingList';

/** Applied in this order. Add each new migration here (see docs/DEVELOPING.md). */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261122161659_Initial', class: Migration20261122161659_Initial },
  { name: 'Migration20261122163856_Invitations', class: Migration20261122163856_Invitations },
  { name: 'Migration20261122165330_Teams', class: Migration20261122165330_Teams },
  { name: 'Migration20261122170002_CustomRoles', class: Migration20261122170002_CustomRoles },
  { name: 'Migration20261129091500_SignInThrottle', class: Migration20261129091500_SignInThrottle },
  { name: 'Migration20261129120000_MemberSortKeys', class: Migration20261129120000_MemberSortKeys },
  { name: 'Migration20261129121000_MemberCounts', class: Migration20261129121000_MemberCounts },
  { name: 'Migration20261129121344_ServiceAccounts', class: Migration20261129121344_ServiceAccounts },
  { name: 'Migration20261129124500_OrgServiceAccounts', class: Migration20261129124500_OrgServiceAccounts },
  { name: 'Migration20261129145000_TeamMemberSortKeys', class: Migration20261129145000_TeamMemberSortKeys },
  { name: 'Migration20261129151000_SsoSignIn', class: Migration20261129151000_SsoSignIn },
  { name: 'Migration20261129153000_AuditLog', class: Migration20261129153000_AuditLog },
  { name: 'Migration20261129150000_InstanceSettings', class: Migration20261129150000_InstanceSettings },
  { name: 'Migration20261129152000_ActivityRollups', class: Migration20261129152000_ActivityRollups },
  { name: 'Migration20261129180000_Scim', class: Migration20261129180000_Scim },
  { name: 'Migration20261129194000_ScimUserNameUnique', class: Migration20261129194000_ScimUserNameUnique },
  { name: 'Migration20261129194500_ScimDisplayName', class: Migration20261129194500_ScimDisplayName },
  { name: 'Migration20261129200000_TeamMemberCount', class: Migration20261129200000_TeamMemberCount },
  { name: 'Migration20261129201000_GinPendingList', class: Migration20261129201000_GinPendingList },
];
