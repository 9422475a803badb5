import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { ConnectionType } from '../../graphql/connection';
import { OrganizationType } from '../organizations/organization.types';
import { TeamRole, type TeamPermission } from '../../authz/team-permissions';
import { TeamPermissionEnum } from '../../graphql/enums';

@ObjectType('Permission', { description: 'One team-scoped permission of the catalogue.' })
export class PermissionType {
  @Field(() => TeamPermissionEnum, { description: 'The permission, e.g. PROJECT_DELETE (`project:delete`).' })
  name!: TeamPermission;

  @Field(() => String, { description: 'What it allows.' })
  description!: string;

  @Field(() => [TeamPermissionEnum], { description: 'Permissions a role must also hold for this one.' })
  requires!: TeamPermission[];

  @Field(() => [TeamRole], { description: 'Built-in team roles that hold it.' })
  grantedTo!: TeamRole[];
}

@ObjectType('TeamRoleInfo', { description: 'A built-in team role and its permissions.' })
export class TeamRoleInfoType {
  @Field(() => TeamRole, { description: 'The role.' })
  role!: TeamRole;

  @Field(() => [TeamPermissionEnum], { description: 'Its permissions.' })
  permissions!: TeamPermission[];

  @Field(() => Boolean, { description: 'Whether custom roles may inherit from it (VIEW_ONLY and MEMBER).' })
  inheritable!: boolean;
}

@ObjectType('PermissionCatalogue', {
  description: 'Every team permission and the built-in roles: what a role editor needs.',
})
export class PermissionCatalogueType {
  @Field(() => [PermissionType], { description: 'All team permissions.' })
  permissions!: PermissionType[];

  @Field(() => [TeamRoleInfoType], { description: 'Built-in team roles.' })
  roles!: TeamRoleInfoType[];

  @Field(() => Int, { description: 'How many custom roles an organization may have.' })
  maxCustomRolesPerOrganization!: number;
}

@ObjectType('CustomRole', {
  description: 'A team role composed by an organization: a base role plus added permissions.',
})
export class CustomRoleType {
  @Field(() => ID, { description: 'Opaque id.' })
  id!: string;

  @Field(() => String, { description: 'Name, unique in the organization.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'What the role is for.' })
  description!: string | null;

  @Field(() => TeamRole, { description: 'VIEW_ONLY or MEMBER.' })
  inheritsFrom!: TeamRole;

  @Field(() => [TeamPermissionEnum], { description: 'Permissions added to the base role.' })
  permissions!: TeamPermission[];

  @Field(() => DateTime, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => DateTime, { description: 'When it was last changed.' })
  updatedAt!: Date;
}

export const CustomRoleConnection = ConnectionType('CustomRole', CustomRoleType, 'A page of custom roles, by name.');

@InputType('CreateCustomRoleInput', { description: 'A new custom role (org admins).' })
export class CreateCustomRoleInput {
  @Field(() => String, { description: 'Organization name.' })
  organization!: string;

  @Field(() => String, { description: 'Name, 2-64 characters, unique in the organization.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Description, up to 500 characters.' })
  description?: string | null;

  @Field(() => TeamRole, { description: 'VIEW_ONLY or MEMBER.' })
  inheritsFrom!: TeamRole;

  @Field(() => [TeamPermissionEnum], { description: 'Permissions to add (see permissionCatalogue).' })
  permissions!: TeamPermission[];
}

@ObjectType({ description: 'Result of createCustomRole.' })
export class CreateCustomRolePayload {
  @Field(() => CustomRoleType, { description: 'The new role.' })
  customRole!: CustomRoleType;
}

@InputType('UpdateCustomRoleInput', {
  description:
    'Change a custom role; omitted fields keep their value. Changing inheritsFrom keeps the added permissions.',
})
export class UpdateCustomRoleInput {
  @Field(() => ID, { description: 'Custom role id.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'New name.' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'New description; null clears it, omitted keeps it.' })
  description?: string | null;

  @Field(() => TeamRole, { nullable: true, description: 'New base role: VIEW_ONLY or MEMBER.' })
  inheritsFrom?: TeamRole | null;

  @Field(() => [TeamPermissionEnum], { nullable: true, description: 'The full new list of added permissions.' })
  permissions?: TeamPermission[] | null;
}

@ObjectType({ description: 'Result of updateCustomRole.' })
export class UpdateCustomRolePayload {
  @Field(() => CustomRoleType, { description: 'The changed role.' })
  customRole!: CustomRoleType;
}

@InputType('DeleteCustomRoleInput', { description: 'Delete a custom role; its holders go back to its base role.' })
export class DeleteCustomRoleInput {
  @Field(() => ID, { description: 'Custom role id.' })
  id!: string;
}

@ObjectType({ description: 'Result of deleteCustomRole.' })
export class DeleteCustomRolePayload {
  @Field(() => ID, { description: 'Id of the deleted role: drop it from cached role lists.' })
  deletedCustomRoleId!: string;

  @Field(() => OrganizationType, { description: 'The organization the role was in.' })
  organization!: OrganizationType;

  @Field(() => Int, { description: 'How many team members went back to the base role.' })
  reassigned!: number;
}
