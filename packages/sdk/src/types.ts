// Friendly names for the shapes the client returns. They are the generated
// operation/fragment types, so they always match what is actually selected.
import type {
  ApiKeyFieldsFragment,
  ApiKeysQuery,
  CreateApiKeyMutation,
  CreateOrganizationMutation,
  InstanceQuery,
  LogInMutation,
  LogOutMutation,
  OrganizationFieldsFragment,
  OrganizationRefFragment,
  OrganizationsQuery,
  PageInfoFieldsFragment,
  RevokeApiKeyMutation,
  SignUpMutation,
  UpdateOrganizationMutation,
  UserFieldsFragment,
  ViewerQuery,
} from './generated/graphql';

export type Organization = OrganizationFieldsFragment;
export type OrganizationRef = OrganizationRefFragment;
export type User = UserFieldsFragment;
export type ApiKey = ApiKeyFieldsFragment;
export type PageInfo = PageInfoFieldsFragment;
export type Viewer = NonNullable<ViewerQuery['viewer']>;
export type Instance = InstanceQuery['instance'];

export type OrganizationConnection = OrganizationsQuery['organizations'];
export type ApiKeyConnection = NonNullable<ApiKeysQuery['viewer']>['apiKeys'];

export type SignUpPayload = SignUpMutation['signUp'];
export type LogInPayload = LogInMutation['logIn'];
export type LogOutPayload = LogOutMutation['logOut'];
export type CreateApiKeyPayload = CreateApiKeyMutation['createApiKey'];
export type RevokeApiKeyPayload = RevokeApiKeyMutation['revokeApiKey'];
export type CreateOrganizationPayload = CreateOrganizationMutation['createOrganization'];
export type UpdateOrganizationPayload = UpdateOrganizationMutation['updateOrganization'];
