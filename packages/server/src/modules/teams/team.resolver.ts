import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { TeamService, type TeamMemberView } from './team.service';
import {
  AddTeamMemberInput,
  AddTeamMemberPayload,
  CreateTeamInput,
  CreateTeamPayload,
  DeleteTeamInput,
  DeleteTeamPayload,
  LeaveTeamInput,
  LeaveTeamPayload,
  RemoveTeamMemberInput,
  RemoveTeamMemberPayload,
  StorageKind,
  TeamConnection,
  TeamListArgs,
  TeamMemberConnection,
  TeamMemberType,
  TeamSettingsType,
  TeamStorageType,
  TeamType,
  TeamUsageType,
  TeamWarningType,
  UpdateTeamInput,
  UpdateTeamMemberRoleInput,
  UpdateTeamMemberRolePayload,
  UpdateTeamPayload,
} from './team.types';
import type { Team } from './team.entity';
import { requireVisibleTeam } from './team-lookup';
import { PageArgs } from '../../graphql/connection';
import { OrganizationType } from '../organizations/organization.types';
import type { Organization } from '../organizations/organization.entity';
import { UserType } from '../accounts/account.types';
import { TeamPermissionEnum } from '../../graphql/enums';
import type { TeamPermission } from '../../authz/team-permissions';

@Resolver(() => TeamType)
export class TeamResolver {
  @Query(() => TeamType, {
    nullable: true,
    description:
      'One team, by organization and name; null when the organization or team does not exist or is not visible to ' +
      'the caller (hidden teams are visible to their members and org admins only).',
  })
  team(
    @Ctx() ctx: RequestContext,
    @Arg('organization', () => String) organization: string,
    @Arg('name', () => String) name: string,
  ): Promise<Team | null> {
    return new TeamService(ctx).find(organization, name);
  }

  @FieldResolver(() => OrganizationType, {
    description: 'The organization. NOT_FOUND when the caller may not see the team.',
  })
  organization(@Ctx() ctx: RequestContext, @Root() team: Team): Promise<Organization> {
    return requireVisibleTeam(ctx, team);
  }

  @FieldResolver(() => TeamStorageType, {
    description: 'Where the team’s files live. NOT_FOUND when the caller may not see the team.',
  })
  async storage(@Ctx() ctx: RequestContext, @Root() team: Team): Promise<TeamStorageType> {
    await requireVisibleTeam(ctx, team);
    const s = team.storage;
    return s.kind === 'BUCKET'
      ? {
          kind: StorageKind.BUCKET,
          provider: s.provider,
          bucket: s.bucket,
          path: s.path,
          region: s.region,
          endpoint: s.endpoint,
        }
      : { kind: StorageKind.MANAGED, provider: null, bucket: null, path: null, region: null, endpoint: null };
  }

  @FieldResolver(() => TeamSettingsType, {
    description: 'Team settings. NOT_FOUND when the caller may not see the team.',
  })
  async settings(@Ctx() ctx: RequestContext, @Root() team: Team): Promise<TeamSettingsType> {
    await requireVisibleTeam(ctx, team);
    return team.settings;
  }

  @FieldResolver(() => TeamMemberConnection, {
    description: 'Team members, by username (visible to team members and org admins).',
  })
  members(@Ctx() ctx: RequestContext, @Root() team: Team, @Args(() => PageArgs) args: PageArgs) {
    return new TeamService(ctx).members(team, args);
  }

  @FieldResolver(() => TeamUsageType, {
    nullable: true,
    description:
      'Usage figures of the team (members by role, projects, runs, reports, active members); null for callers who ' +
      'may not list its members. Batched: a list of teams costs a fixed number of statements.',
  })
  usage(@Ctx() ctx: RequestContext, @Root() team: Team) {
    return new TeamService(ctx).usage(team);
  }

  @FieldResolver(() => [TeamWarningType], {
    description:
      'Problems a team admin should fix (SINGLE_TEAM_ADMIN, NO_TEAM_ADMIN); empty for those who do not manage the ' +
      'team’s members.',
  })
  warnings(@Ctx() ctx: RequestContext, @Root() team: Team) {
    return new TeamService(ctx).warnings(team);
  }

  @FieldResolver(() => [TeamPermissionEnum], {
    description: 'Permissions the caller holds on this team, from the same policy that enforces them.',
  })
  async viewerPermissions(@Ctx() ctx: RequestContext, @Root() team: Team): Promise<TeamPermission[]> {
    return [...(await ctx.authz.teamPermissions(team, await team.organization.loadOrFail()))].sort();
  }

  @Mutation(() => CreateTeamPayload, {
    description: 'Create a team, with MANAGED storage or a bucket. The creator becomes its ADMIN.',
  })
  async createTeam(@Ctx() ctx: RequestContext, @Arg('input', () => CreateTeamInput) input: CreateTeamInput) {
    return { team: await new TeamService(ctx).create(input) };
  }

  @Mutation(() => UpdateTeamPayload, { description: 'Change team settings or avatar.' })
  async updateTeam(@Ctx() ctx: RequestContext, @Arg('input', () => UpdateTeamInput) input: UpdateTeamInput) {
    return { team: await new TeamService(ctx).update(input) };
  }

  @Mutation(() => DeleteTeamPayload, {
    description: 'Delete a team and everything in it (org admins); confirmName must repeat the team name.',
  })
  deleteTeam(@Ctx() ctx: RequestContext, @Arg('input', () => DeleteTeamInput) input: DeleteTeamInput) {
    return new TeamService(ctx).delete(input);
  }

  @Mutation(() => AddTeamMemberPayload, {
    description: 'Add an ACTIVE organization member (by username or email) to a team. NOT_ORG_MEMBER otherwise.',
  })
  async addTeamMember(@Ctx() ctx: RequestContext, @Arg('input', () => AddTeamMemberInput) input: AddTeamMemberInput) {
    return { member: await new TeamService(ctx).addMember(input) };
  }

  @Mutation(() => UpdateTeamMemberRolePayload, {
    description:
      "Change a team member's role (team admins, org admins). LAST_ADMIN when it would leave the team without an " +
      'admin.',
  })
  async updateTeamMemberRole(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => UpdateTeamMemberRoleInput) input: UpdateTeamMemberRoleInput,
  ) {
    return { member: await new TeamService(ctx).updateMemberRole(input) };
  }

  @Mutation(() => RemoveTeamMemberPayload, {
    description: 'Remove someone from a team (team admins, org admins, or themselves). Their runs and reports stay.',
  })
  removeTeamMember(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => RemoveTeamMemberInput) input: RemoveTeamMemberInput,
  ) {
    return new TeamService(ctx).removeMember(input);
  }

  @Mutation(() => LeaveTeamPayload, { description: 'Leave a team. The last admin cannot leave.' })
  leaveTeam(@Ctx() ctx: RequestContext, @Arg('input', () => LeaveTeamInput) input: LeaveTeamInput) {
    return new TeamService(ctx).leave(input);
  }
}

@Resolver(() => TeamMemberType)
export class TeamMemberResolver {
  @FieldResolver(() => UserType, { description: 'The user.' })
  user(@Ctx() ctx: RequestContext, @Root() member: TeamMemberView) {
    return ctx.loaders.userById.load(member.userId);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Name of the custom role, if any.' })
  async customRole(@Ctx() ctx: RequestContext, @Root() member: TeamMemberView): Promise<string | null> {
    return member.customRoleId ? ((await ctx.loaders.customRole.load(member.customRoleId))?.name ?? null) : null;
  }
}

@Resolver(() => OrganizationType)
export class OrganizationTeamsResolver {
  @FieldResolver(() => TeamConnection, { description: 'Teams the caller may see, by name; search by name.' })
  teams(@Ctx() ctx: RequestContext, @Root() org: Organization, @Args(() => TeamListArgs) args: TeamListArgs) {
    return new TeamService(ctx).list(org, args);
  }
}
