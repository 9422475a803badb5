import { Arg, Args, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { OrganizationService } from './organization.service';
import {
  CreateOrganizationInput,
  CreateOrganizationPayload,
  OrganizationConnection,
  OrganizationMembershipType,
  OrganizationSettingsType,
  OrganizationWarningType,
  OrganizationType,
  SeatsType,
  UpdateOrganizationInput,
  UpdateOrganizationPayload,
} from './organization.types';
import { PageArgs } from '../../graphql/connection';
import { OrganizationPermissionEnum, OrgRole } from '../../graphql/enums';
import type { OrgPermission } from '../../authz/permissions';
import type { Organization } from './organization.entity';
import type { Membership } from './membership.entity';

@Resolver(() => OrganizationType)
export class OrganizationResolver {
  @Query(() => OrganizationType, {
    nullable: true,
    description:
      'One organization the caller may see, by name; null when it does not exist or is not visible to the caller.',
  })
  organization(@Ctx() ctx: RequestContext, @Arg('name', () => String) name: string): Promise<Organization | null> {
    return new OrganizationService(ctx).findVisible(name);
  }

  @Query(() => OrganizationConnection, {
    description: 'Organizations the caller is an active member of (instance admins: all), by name.',
  })
  organizations(@Ctx() ctx: RequestContext, @Args(() => PageArgs) args: PageArgs) {
    return new OrganizationService(ctx).list(args);
  }

  @Mutation(() => CreateOrganizationPayload, {
    description: 'Create an organization (instance admins). The creator becomes its ADMIN.',
  })
  async createOrganization(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => CreateOrganizationInput) input: CreateOrganizationInput,
  ) {
    return { organization: await new OrganizationService(ctx).create(input) };
  }

  @Mutation(() => UpdateOrganizationPayload, {
    description: 'Change display name or settings (org admins) or the seat limit (instance admins).',
  })
  async updateOrganization(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => UpdateOrganizationInput) input: UpdateOrganizationInput,
  ) {
    return { organization: await new OrganizationService(ctx).update(input) };
  }

  @FieldResolver(() => SeatsType, {
    description:
      'Seats: limit, used, available. A frontend greys out "invite" when none is available. NOT_FOUND unless the ' +
      'caller sees the organization.',
  })
  seats(@Ctx() ctx: RequestContext, @Root() org: Organization) {
    return new OrganizationService(ctx).seats(org);
  }

  @FieldResolver(() => [OrganizationWarningType], {
    description:
      'Problems for organization admins (`member:manage`) to fix in this organization, e.g. SINGLE_ADMIN; an empty ' +
      'list for everyone else.',
  })
  warnings(@Ctx() ctx: RequestContext, @Root() org: Organization) {
    return new OrganizationService(ctx).warnings(org);
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description: 'Seat limit; null means unlimited. NOT_FOUND unless the caller sees the organization.',
  })
  seatLimit(@Ctx() ctx: RequestContext, @Root() org: Organization): Promise<number | null> {
    return new OrganizationService(ctx).seatLimit(org);
  }

  @FieldResolver(() => OrganizationSettingsType, {
    description: 'Organization-wide policies. NOT_FOUND unless the caller sees the organization.',
  })
  settings(@Ctx() ctx: RequestContext, @Root() org: Organization): Promise<OrganizationSettingsType> {
    return new OrganizationService(ctx).settings(org);
  }

  @FieldResolver(() => OrgRole, {
    nullable: true,
    description: "The caller's role here; null when not an active member.",
  })
  viewerRole(@Ctx() ctx: RequestContext, @Root() org: Organization) {
    return new OrganizationService(ctx).viewerRole(org);
  }

  @FieldResolver(() => [OrganizationPermissionEnum], {
    description: 'Permissions the caller holds in this organization, for greying out what they may not do.',
  })
  viewerPermissions(@Ctx() ctx: RequestContext, @Root() org: Organization): Promise<OrgPermission[]> {
    return new OrganizationService(ctx).viewerPermissions(org);
  }
}

@Resolver(() => OrganizationMembershipType)
export class OrganizationMembershipResolver {
  @FieldResolver(() => OrganizationType, {
    description: 'The organization (memberships are listed only in organizations the caller sees).',
  })
  organization(@Ctx() ctx: RequestContext, @Root() membership: Membership): Promise<Organization> {
    return new OrganizationService(ctx).organizationOf(membership);
  }
}
