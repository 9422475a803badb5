import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { CustomRoleService } from './custom-role.service';
import {
  CreateCustomRoleInput,
  CreateCustomRolePayload,
  CustomRoleConnection,
  CustomRoleType,
  DeleteCustomRoleInput,
  DeleteCustomRolePayload,
  PermissionCatalogueType,
  UpdateCustomRoleInput,
  UpdateCustomRolePayload,
} from './custom-role.types';
import { OrganizationType } from '../organizations/organization.types';
import type { Organization } from '../organizations/organization.entity';
import type { CustomRole } from './custom-role.entity';
import { PageArgs, type Connection } from '../../graphql/connection';

@Resolver(() => CustomRoleType)
export class CustomRoleResolver {
  @Query(() => PermissionCatalogueType, {
    description:
      'Every team permission with its description and dependencies, and the built-in team roles: build a role ' +
      'editor from it. Public.',
  })
  permissionCatalogue(@Ctx() ctx: RequestContext) {
    return new CustomRoleService(ctx).catalogue();
  }

  @Mutation(() => CreateCustomRolePayload, {
    description:
      'Create a custom role (org admins): a base role (VIEW_ONLY or MEMBER) plus permissions. At most 50 per ' +
      'organization.',
  })
  async createCustomRole(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => CreateCustomRoleInput) input: CreateCustomRoleInput,
  ) {
    return { customRole: await new CustomRoleService(ctx).create(input) };
  }

  @Mutation(() => UpdateCustomRolePayload, {
    description: 'Change a custom role (org admins). Holders follow a new base role; added permissions are kept.',
  })
  async updateCustomRole(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => UpdateCustomRoleInput) input: UpdateCustomRoleInput,
  ) {
    return { customRole: await new CustomRoleService(ctx).update(input) };
  }

  @Mutation(() => DeleteCustomRolePayload, {
    description: 'Delete a custom role (org admins); its holders go back to its base role.',
  })
  deleteCustomRole(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => DeleteCustomRoleInput) input: DeleteCustomRoleInput,
  ) {
    return new CustomRoleService(ctx).delete(input);
  }
}

@Resolver(() => OrganizationType)
export class OrganizationCustomRolesResolver {
  @FieldResolver(() => CustomRoleConnection, {
    description: 'Custom roles of the organization, by name (every member may read them: they explain team roles).',
  })
  customRoles(
    @Ctx() ctx: RequestContext,
    @Root() org: Organization,
    @Args(() => PageArgs) args: PageArgs,
  ): Promise<Connection<CustomRole>> {
    return new CustomRoleService(ctx).list(org, args);
  }
}
