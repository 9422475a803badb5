// Friendly names for the shapes the client returns. They are the generated
// operation/fragment types, so they always match what is actually selected.
import type {
  AcceptInvitationMutation,
  ApiKeyFieldsFragment,
  AuditEventFieldsFragment,
  AddTeamMemberMutation,
  CreateApiKeyMutation,
  CreateScimTokenMutation,
  RevokeScimTokenMutation,
  ScimTokenFieldsFragment,
  CreateCustomRoleMutation,
  CreateProjectMutation,
  CreateReportMutation,
  CustomRoleFieldsFragment,
  OrganizationMembershipFieldsFragment,
  DeleteCustomRoleMutation,
  DeleteProjectMutation,
  DeleteReportMutation,
  DeleteRunMutation,
  LogRunMutation,
  PermissionCatalogueQuery,
  ProjectFieldsFragment,
  ProjectRefFragment,
  ReportFieldsFragment,
  RunFieldsFragment,
  TeamRefFragment,
  UpdateCustomRoleMutation,
  CreateTeamMutation,
  DeleteTeamMutation,
  CreateOrganizationMutation,
  DeactivateMemberMutation,
  EmailDeliveryFieldsFragment,
  InstanceQuery,
  InvitationFieldsFragment,
  InvitationPreviewQuery,
  InviteUserMutation,
  InviteUsersMutation,
  LeaveTeamMutation,
  LogInMutation,
  LogOutMutation,
  OrganizationFieldsFragment,
  OrganizationMemberFieldsFragment,
  OrganizationRefFragment,
  PageInfoFieldsFragment,
  ReactivateMemberMutation,
  RemoveMemberMutation,
  RemoveTeamMemberMutation,
  ResendInvitationMutation,
  RevokeApiKeyMutation,
  RevokeInvitationMutation,
  SeatsFieldsFragment,
  SignUpMutation,
  TeamFieldsFragment,
  TeamMemberFieldsFragment,
  UpdateInvitationMutation,
  UpdateMemberRoleMutation,
  UpdateOrganizationMutation,
  UpdateTeamMemberRoleMutation,
  UpdateTeamMutation,
  UserFieldsFragment,
  UserRefFragment,
  ViewerQuery,
} from './generated/graphql.js';
import type { RosterOperations } from './generated/sdk.js';

export type Organization = OrganizationFieldsFragment;
export type OrganizationRef = OrganizationRefFragment;
export type User = UserFieldsFragment;
/** A user as seen from an organization (members view, removeMember): no memberships. */
export type UserRef = UserRefFragment;
export type ApiKey = ApiKeyFieldsFragment;
export type PageInfo = PageInfoFieldsFragment;
export type Viewer = NonNullable<ViewerQuery['viewer']>;
export type Instance = InstanceQuery['instance'];
export type Seats = SeatsFieldsFragment;
export type Invitation = InvitationFieldsFragment;
export type EmailDelivery = EmailDeliveryFieldsFragment;
export type InvitationPreview = NonNullable<InvitationPreviewQuery['invitationPreview']>;
/** A row of the members view: an ACTIVE or DEACTIVATED member, or a PENDING invitation (user null). */
export type OrganizationMember = OrganizationMemberFieldsFragment;
export type AuditEvent = AuditEventFieldsFragment;
export type Team = TeamFieldsFragment;
export type TeamMember = TeamMemberFieldsFragment;
/** A team seen from something inside it (a report). */
export type TeamRef = TeamRefFragment;
export type Project = ProjectFieldsFragment;
/** A project seen from something inside it (a run, a report). */
export type ProjectRef = ProjectRefFragment;
export type Run = RunFieldsFragment;
export type Report = ReportFieldsFragment;
export type CustomRole = CustomRoleFieldsFragment;
/** A SCIM provisioning token's metadata (never its secret). */
export type ScimToken = ScimTokenFieldsFragment;
/** One of the caller's organization memberships (`viewerMemberships`, `viewer().user.memberships.nodes`). */
export type OrganizationMembership = OrganizationMembershipFieldsFragment;
export type PermissionCatalogue = PermissionCatalogueQuery['permissionCatalogue'];
/**
 * One team permission of the catalogue: `name` (a TeamPermission, e.g. `'PROJECT_DELETE'`), `description`, `requires`,
 * `grantedTo`.
 */
export type Permission = PermissionCatalogue['permissions'][number];
/**
 * A built-in team role of the catalogue: `role`, its `permissions`, and whether custom roles may inherit from it
 * (`inheritable`).
 */
export type TeamRoleInfo = PermissionCatalogue['roles'][number];

/** What a generated method resolves to (nullable lookups on the way already unwrapped). */
type ResultOf<K extends keyof RosterOperations> = Awaited<ReturnType<RosterOperations[K]>>;

export type OrganizationConnection = ResultOf<'organizations'>;
export type ApiKeyConnection = ResultOf<'apiKeys'>;
export type OrganizationMemberConnection = ResultOf<'members'>;
export type InvitationConnection = ResultOf<'invitations'>;
export type AuditEventConnection = ResultOf<'auditLog'>;
export type TeamConnection = ResultOf<'teams'>;
export type TeamMemberConnection = ResultOf<'teamMembers'>;
export type ProjectConnection = ResultOf<'projects'>;
export type RunConnection = ResultOf<'runs'>;
export type ReportConnection = ResultOf<'reports'>;

export type SignUpPayload = SignUpMutation['signUp'];
export type LogInPayload = LogInMutation['logIn'];
export type LogOutPayload = LogOutMutation['logOut'];
export type CreateApiKeyPayload = CreateApiKeyMutation['createApiKey'];
export type RevokeApiKeyPayload = RevokeApiKeyMutation['revokeApiKey'];
export type CreateScimTokenPayload = CreateScimTokenMutation['createScimToken'];
export type RevokeScimTokenPayload = RevokeScimTokenMutation['revokeScimToken'];
export type CreateOrganizationPayload = CreateOrganizationMutation['createOrganization'];
export type UpdateOrganizationPayload = UpdateOrganizationMutation['updateOrganization'];
export type InviteUserPayload = InviteUserMutation['inviteUser'];
export type InviteUsersPayload = InviteUsersMutation['inviteUsers'];
/** One row of an inviteUsers payload, as the server sends it (`error` is a plain { code, message, field }). */
export type InviteUsersResult = InviteUsersPayload['results'][number];
export type ResendInvitationPayload = ResendInvitationMutation['resendInvitation'];
export type RevokeInvitationPayload = RevokeInvitationMutation['revokeInvitation'];
export type UpdateInvitationPayload = UpdateInvitationMutation['updateInvitation'];
export type AcceptInvitationPayload = AcceptInvitationMutation['acceptInvitation'];
export type UpdateMemberRolePayload = UpdateMemberRoleMutation['updateMemberRole'];
export type RemoveMemberPayload = RemoveMemberMutation['removeMember'];
export type DeactivateMemberPayload = DeactivateMemberMutation['deactivateMember'];
export type ReactivateMemberPayload = ReactivateMemberMutation['reactivateMember'];
export type CreateTeamPayload = CreateTeamMutation['createTeam'];
export type UpdateTeamPayload = UpdateTeamMutation['updateTeam'];
export type DeleteTeamPayload = DeleteTeamMutation['deleteTeam'];
export type AddTeamMemberPayload = AddTeamMemberMutation['addTeamMember'];
export type UpdateTeamMemberRolePayload = UpdateTeamMemberRoleMutation['updateTeamMemberRole'];
export type RemoveTeamMemberPayload = RemoveTeamMemberMutation['removeTeamMember'];
export type LeaveTeamPayload = LeaveTeamMutation['leaveTeam'];
export type CreateCustomRolePayload = CreateCustomRoleMutation['createCustomRole'];
export type UpdateCustomRolePayload = UpdateCustomRoleMutation['updateCustomRole'];
export type DeleteCustomRolePayload = DeleteCustomRoleMutation['deleteCustomRole'];
export type CreateProjectPayload = CreateProjectMutation['createProject'];
export type DeleteProjectPayload = DeleteProjectMutation['deleteProject'];
export type LogRunPayload = LogRunMutation['logRun'];
export type DeleteRunPayload = DeleteRunMutation['deleteRun'];
export type CreateReportPayload = CreateReportMutation['createReport'];
export type DeleteReportPayload = DeleteReportMutation['deleteReport'];
