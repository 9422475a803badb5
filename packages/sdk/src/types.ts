// Friendly names for the shapes the client returns. They are the generated
// operation/fragment types, so they always match what is actually selected.
import type {
  AcceptInviteMutation,
  ApiKeyFieldsFragment,
  ApiKeysQuery,
  AuditEventFieldsFragment,
  AuditLogQuery,
  AddTeamMemberMutation,
  CreateApiKeyMutation,
  CreateTeamMutation,
  DeleteTeamMutation,
  CreateOrganizationMutation,
  DeactivateMemberMutation,
  EmailDeliveryFieldsFragment,
  InstanceQuery,
  InvitationFieldsFragment,
  InvitationPreviewQuery,
  InvitesQuery,
  InviteUserMutation,
  InviteUsersMutation,
  LeaveTeamMutation,
  LogInMutation,
  LogOutMutation,
  MembersQuery,
  OrganizationFieldsFragment,
  OrganizationMemberFieldsFragment,
  OrganizationRefFragment,
  OrganizationsQuery,
  PageInfoFieldsFragment,
  ReactivateMemberMutation,
  RemoveMemberMutation,
  RemoveTeamMemberMutation,
  ResendInviteMutation,
  RevokeApiKeyMutation,
  RevokeInviteMutation,
  SeatsFieldsFragment,
  SignUpMutation,
  TeamFieldsFragment,
  TeamMemberFieldsFragment,
  UpdateMemberRoleMutation,
  UpdateOrganizationMutation,
  UpdateTeamMemberRoleMutation,
  UpdateTeamMutation,
  UserFieldsFragment,
  UserRefFragment,
  ViewerQuery,
} from './generated/graphql';

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
export type InvitationPreview = InvitationPreviewQuery['invitationPreview'];
/** A row of the members view: an ACTIVE or DEACTIVATED member, or a PENDING invitation (user null). */
export type OrganizationMember = OrganizationMemberFieldsFragment;
export type AuditEvent = AuditEventFieldsFragment;
export type Team = TeamFieldsFragment;
export type TeamMember = TeamMemberFieldsFragment;

export type OrganizationConnection = OrganizationsQuery['organizations'];
export type ApiKeyConnection = NonNullable<ApiKeysQuery['viewer']>['apiKeys'];
export type OrganizationMemberConnection = MembersQuery['organization']['members'];
export type InvitationConnection = InvitesQuery['organization']['invites'];
export type AuditEventConnection = AuditLogQuery['organization']['auditLog'];

export type SignUpPayload = SignUpMutation['signUp'];
export type LogInPayload = LogInMutation['logIn'];
export type LogOutPayload = LogOutMutation['logOut'];
export type CreateApiKeyPayload = CreateApiKeyMutation['createApiKey'];
export type RevokeApiKeyPayload = RevokeApiKeyMutation['revokeApiKey'];
export type CreateOrganizationPayload = CreateOrganizationMutation['createOrganization'];
export type UpdateOrganizationPayload = UpdateOrganizationMutation['updateOrganization'];
export type InviteUserPayload = InviteUserMutation['inviteUser'];
export type InviteUsersPayload = InviteUsersMutation['inviteUsers'];
/** One row of an inviteUsers payload, as the server sends it (`error` is a plain { code, message, field }). */
export type InviteUsersResult = InviteUsersPayload['results'][number];
export type ResendInvitePayload = ResendInviteMutation['resendInvite'];
export type RevokeInvitePayload = RevokeInviteMutation['revokeInvite'];
export type AcceptInvitePayload = AcceptInviteMutation['acceptInvite'];
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
