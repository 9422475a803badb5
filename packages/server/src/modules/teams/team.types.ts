import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { WarningCode } from '../../graphql/enums';
import { ConnectionType, PageArgs } from '../../graphql/connection';
import { AlertChannel, StorageProvider } from './team.entity';
import { TeamRole } from '../../authz/team-permissions';
import { UserType } from '../accounts/account.types';
import { OrganizationType } from '../organizations/organization.types';

registerEnumType(TeamRole, {
  name: 'TeamRole',
  description: 'Role in a team. A custom role is set with `customRole` beside its base.',
  valuesConfig: {
    ADMIN: { description: 'Adds and removes members, changes roles and settings; deletes any project, run or report.' },
    MEMBER: {
      description: 'Creates projects, runs and reports and manages their own; invites only when the team allows it.',
    },
    VIEW_ONLY: { description: 'Reads only.' },
    SERVICE: { description: 'Reserved for service accounts.' },
  },
});
registerEnumType(StorageProvider, {
  name: 'StorageProvider',
  description: 'Object storage provider of a team bucket.',
  valuesConfig: {
    AWS: { description: 'Amazon S3.' },
    GCP: { description: 'Google Cloud Storage.' },
    AZURE: { description: 'Azure Blob Storage (bucket is `account/container`).' },
    MINIO: { description: 'MinIO or another S3-compatible server (endpoint required).' },
    COREWEAVE: { description: 'CoreWeave AI Object Storage.' },
  },
});
registerEnumType(AlertChannel, {
  name: 'AlertChannel',
  description: 'Where run alerts go.',
  valuesConfig: {
    EMAIL: { description: 'Email to the run author.' },
    SLACK: { description: 'The team Slack channel.' },
  },
});

export enum StorageKind {
  MANAGED = 'MANAGED',
  BUCKET = 'BUCKET',
}
registerEnumType(StorageKind, {
  name: 'StorageKind',
  description: 'Managed storage or the team’s own bucket.',
  valuesConfig: {
    MANAGED: { description: 'Storage managed by the platform.' },
    BUCKET: { description: 'A bucket the team brings.' },
  },
});

@ObjectType('TeamStorage', { description: 'Where the team’s files live (chosen at creation).' })
export class TeamStorageType {
  @Field(() => StorageKind, { description: 'MANAGED or BUCKET.' })
  kind!: StorageKind;

  @Field(() => StorageProvider, { nullable: true, description: 'Bucket provider.' })
  provider!: StorageProvider | null;

  @Field(() => String, { nullable: true, description: 'Bucket name (AZURE: account/container).' })
  bucket!: string | null;

  @Field(() => String, { nullable: true, description: 'Path prefix inside the bucket.' })
  path!: string | null;

  @Field(() => String, { nullable: true, description: 'Region.' })
  region!: string | null;

  @Field(() => String, { nullable: true, description: 'Endpoint URL (MINIO).' })
  endpoint!: string | null;
}

@ObjectType('TeamAlerts', { description: 'Run alert preferences.' })
export class TeamAlertsType {
  @Field(() => [AlertChannel], { description: 'Channels alerted when a run finishes.' })
  runFinished!: AlertChannel[];

  @Field(() => [AlertChannel], { description: 'Channels alerted when a run crashes.' })
  runCrashed!: AlertChannel[];

  @Field(() => String, { nullable: true, description: 'Slack channel for SLACK alerts, e.g. #ml-alerts.' })
  slackChannel!: string | null;
}

@ObjectType('TeamSettings', { description: 'Team settings.' })
export class TeamSettingsType {
  @Field(() => Boolean, {
    description: 'Whether MEMBERs may add organization members to the team (with at most MEMBER). Default false.',
  })
  membersCanInvite!: boolean;

  @Field(() => Boolean, { description: 'Whether new projects are PRIVATE by default. Default true.' })
  projectsPrivateByDefault!: boolean;

  @Field(() => Boolean, {
    description: 'Whether reports of public projects may be shown outside the team. Default true.',
  })
  publicReportsAllowed!: boolean;

  @Field(() => Boolean, {
    description: 'Whether the team is hidden from organization members outside it. Default false.',
  })
  hidden!: boolean;

  @Field(() => TeamAlertsType, { description: 'Run alert preferences.' })
  alerts!: TeamAlertsType;
}

@ObjectType('Team', { description: 'A team: the home of projects, runs and reports, inside one organization.' })
export class TeamType {
  @Field(() => ID, { description: 'Opaque id.' })
  id!: string;

  @Field(() => String, { description: 'Name, unique in the organization.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Avatar image URL.' })
  avatarUrl!: string | null;

  @Field(() => DateTime, { description: 'When the team was created.' })
  createdAt!: Date;
}

export const TeamConnection = ConnectionType('Team', TeamType, 'A page of teams, by name.');

@ObjectType('TeamMember', { description: 'A member of a team.' })
export class TeamMemberType {
  @Field(() => ID, { description: 'Opaque id of the team membership.' })
  id!: string;

  @Field(() => UserType, { description: 'The user.' })
  user!: UserType;

  @Field(() => TeamRole, { description: 'Team role (the base role when a custom role is set).' })
  role!: TeamRole;

  @Field(() => String, { nullable: true, description: 'Name of the custom role, if any.' })
  customRole!: string | null;

  @Field(() => Boolean, { description: 'Whether the identity provider manages this membership (SSO group sync).' })
  managedByIdp!: boolean;

  @Field(() => DateTime, { description: 'When the user joined the team.' })
  addedAt!: Date;
}

export const TeamMemberConnection = ConnectionType(
  'TeamMember',
  TeamMemberType,
  'A page of team members, by username.',
);

@ObjectType('MemberTeam', { description: 'A team an organization member belongs to.' })
export class MemberTeamType {
  @Field(() => String, { description: 'Team name.' })
  name!: string;

  @Field(() => TeamRole, { description: 'Their role in it.' })
  role!: TeamRole;
}

@InputType('TeamStorageInput', { description: 'Storage for a new team: omit for MANAGED.' })
export class TeamStorageInput {
  @Field(() => StorageKind, { description: 'MANAGED or BUCKET.' })
  kind!: StorageKind;

  @Field(() => StorageProvider, { nullable: true, description: 'Required for BUCKET.' })
  provider?: StorageProvider | null;

  @Field(() => String, {
    nullable: true,
    description: 'Required for BUCKET: 3-63 lower-case letters, digits, "." and "-" (AZURE: account/container).',
  })
  bucket?: string | null;

  @Field(() => String, { nullable: true, description: 'Optional path prefix, e.g. "teams/vision".' })
  path?: string | null;

  @Field(() => String, { nullable: true, description: 'Optional region, e.g. "us-east-1".' })
  region?: string | null;

  @Field(() => String, { nullable: true, description: 'Endpoint URL; required for MINIO.' })
  endpoint?: string | null;
}

@InputType('TeamAlertsInput', { description: 'Alert preferences to change.' })
export class TeamAlertsInput {
  @Field(() => [AlertChannel], { nullable: true, description: 'Channels alerted when a run finishes.' })
  runFinished?: AlertChannel[] | null;

  @Field(() => [AlertChannel], { nullable: true, description: 'Channels alerted when a run crashes.' })
  runCrashed?: AlertChannel[] | null;

  @Field(() => String, { nullable: true, description: 'Slack channel, e.g. #ml-alerts; required when SLACK is used.' })
  slackChannel?: string | null;
}

@InputType('TeamSettingsInput', { description: 'Settings to change; omitted fields keep their value.' })
export class TeamSettingsInput {
  @Field(() => Boolean, { nullable: true, description: 'Whether MEMBERs may add members.' })
  membersCanInvite?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether new projects are PRIVATE by default.' })
  projectsPrivateByDefault?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Whether reports of public projects may be shown outside the team.',
  })
  publicReportsAllowed?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Hide the team from organization members outside it.' })
  hidden?: boolean | null;

  @Field(() => TeamAlertsInput, { nullable: true, description: 'Alert preferences.' })
  alerts?: TeamAlertsInput | null;
}

/** Fields every team-addressed input shares (not itself in the schema: no operation takes it). */
@InputType('TeamRefInput', { description: 'A team.' })
export abstract class TeamRefInput {
  @Field(() => String, { description: 'Organization name.' })
  organization!: string;

  @Field(() => String, { description: 'Team name.' })
  team!: string;
}

/** A team plus one of its (prospective) members. */
@InputType('TeamUserInput', { description: 'A team and a user.' })
export abstract class TeamUserInput extends TeamRefInput {
  @Field(() => String, { description: 'The user: username or email.' })
  user!: string;
}

@InputType('CreateTeamInput', {
  description: 'A new team (org admins; members too when the organization allows it). The creator becomes its ADMIN.',
})
export class CreateTeamInput {
  @Field(() => String, { description: 'Organization name.' })
  organization!: string;

  @Field(() => String, {
    description: 'Team name: 2-64 lower-case letters, digits, "-" and "_", unique in the organization.',
  })
  name!: string;

  @Field(() => TeamStorageInput, {
    nullable: true,
    description: 'Storage; MANAGED when omitted. Cannot be changed later.',
  })
  storage?: TeamStorageInput | null;

  @Field(() => TeamSettingsInput, { nullable: true, description: 'Initial settings.' })
  settings?: TeamSettingsInput | null;
}

@ObjectType({ description: 'Result of createTeam.' })
export class CreateTeamPayload {
  @Field(() => TeamType, { description: 'The new team.' })
  team!: TeamType;
}

@InputType('UpdateTeamInput', { description: 'Change team settings or avatar (team admins, org admins).' })
export class UpdateTeamInput extends TeamRefInput {
  @Field(() => TeamSettingsInput, { nullable: true, description: 'Settings to change.' })
  settings?: TeamSettingsInput | null;

  @Field(() => String, { nullable: true, description: 'Avatar image URL (https); null removes it, omitted keeps it.' })
  avatarUrl?: string | null;
}

@ObjectType({ description: 'Result of updateTeam.' })
export class UpdateTeamPayload {
  @Field(() => TeamType, { description: 'The changed team.' })
  team!: TeamType;
}

@InputType('DeleteTeamInput', {
  description: 'Delete a team with its projects, runs and reports (org admins). Type the team name back.',
})
export class DeleteTeamInput extends TeamRefInput {
  @Field(() => String, { description: 'The team name again, as confirmation.' })
  confirmName!: string;
}

@ObjectType({ description: 'Result of deleteTeam.' })
export class DeleteTeamPayload {
  @Field(() => ID, { description: 'Id of the deleted team: drop it from cached team lists.' })
  deletedTeamId!: string;

  @Field(() => OrganizationType, { description: 'The organization the team was in (refetch its teams or counts).' })
  organization!: OrganizationType;
}

@InputType('AddTeamMemberInput', { description: 'Add an ACTIVE organization member to a team.' })
export class AddTeamMemberInput extends TeamUserInput {
  @Field(() => TeamRole, {
    nullable: true,
    description:
      "Team role; MEMBER by default (VIEW_ONLY for organization viewers); with customRole, that role's base role.",
  })
  role?: TeamRole | null;

  @Field(() => String, {
    nullable: true,
    description:
      'A custom role of the organization, by name (needs team:manage_members): the member gets its base role plus ' +
      'its permissions.',
  })
  customRole?: string | null;
}

@ObjectType({ description: 'Result of addTeamMember.' })
export class AddTeamMemberPayload {
  @Field(() => TeamMemberType, { description: 'The new team member.' })
  member!: TeamMemberType;
}

@InputType('UpdateTeamMemberRoleInput', { description: "Change a team member's role." })
export class UpdateTeamMemberRoleInput extends TeamUserInput {
  @Field(() => TeamRole, { nullable: true, description: 'The new built-in role (clears any custom role).' })
  role?: TeamRole | null;

  @Field(() => String, {
    nullable: true,
    description: 'A custom role of the organization, by name; the member gets its base role plus its permissions.',
  })
  customRole?: string | null;
}

@ObjectType({ description: 'Result of updateTeamMemberRole.' })
export class UpdateTeamMemberRolePayload {
  @Field(() => TeamMemberType, { description: 'The team member.' })
  member!: TeamMemberType;
}

@InputType('RemoveTeamMemberInput', { description: 'Remove someone from a team. Their runs and reports stay.' })
export class RemoveTeamMemberInput extends TeamUserInput {}

@ObjectType({ description: 'Result of removeTeamMember.' })
export class RemoveTeamMemberPayload {
  @Field(() => ID, {
    description: 'Id of the removed team membership (TeamMember.id): drop it from cached member lists.',
  })
  removedTeamMemberId!: string;

  @Field(() => TeamType, { description: 'The team.' })
  team!: TeamType;

  @Field(() => UserType, { description: 'The removed user.' })
  user!: UserType;
}

@InputType('LeaveTeamInput', { description: 'Leave a team yourself.' })
export class LeaveTeamInput extends TeamRefInput {}

@ObjectType({ description: 'Result of leaveTeam.' })
export class LeaveTeamPayload {
  @Field(() => ID, { description: "Id of the caller's former team membership (TeamMember.id)." })
  removedTeamMemberId!: string;

  @Field(() => TeamType, { description: 'The team left.' })
  team!: TeamType;
}

@ArgsType()
export class TeamListArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Case-insensitive search in team names.' })
  search?: string | null;
}

@InputType('TeamAssignmentInput', { description: 'A team to join when an invitation is accepted.' })
export class TeamAssignmentInput {
  @Field(() => String, { description: 'Team name.' })
  team!: string;

  @Field(() => TeamRole, {
    nullable: true,
    description: 'Team role; MEMBER by default (VIEW_ONLY for invited viewers).',
  })
  role?: TeamRole | null;
}

@ObjectType('TeamAssignment', { description: 'A team an invitation will add its invitee to.' })
export class TeamAssignmentType {
  @Field(() => String, { description: 'Team name.' })
  team!: string;

  @Field(() => TeamRole, { description: 'Team role.' })
  role!: TeamRole;
}

@ObjectType('TeamRoleCount', { description: 'How many people hold one team role.' })
export class TeamRoleCountType {
  @Field(() => TeamRole, { description: 'The base team role (holders of a custom role count under its base).' })
  role!: TeamRole;

  @Field(() => Int, { description: 'People holding it.' })
  count!: number;
}

@ObjectType('TeamUsage', {
  description:
    'What the team holds and how much it is used (docs/API.md, "Team usage and warnings"). Counts cover the ' +
    'whole team, ' +
    'private and restricted projects included; "last 30 days" is the 30 days of the organization\'s time zone ' +
    '(timeZone, UTC unless set) ending today, today included.',
})
export class TeamUsageType {
  @Field(() => [TeamRoleCountType], {
    description: 'Team members by role (ADMIN, MEMBER, VIEW_ONLY; zero counts included). Service accounts excluded.',
  })
  membersByRole!: TeamRoleCountType[];

  @Field(() => Int, { description: 'Projects in the team.' })
  projects!: number;

  @Field(() => Int, { description: 'Runs logged in the team’s projects, ever.' })
  runs!: number;

  @Field(() => Int, { description: 'Runs logged in the team’s projects in the last 30 days.' })
  runsLast30Days!: number;

  @Field(() => Int, { description: 'Reports in the team.' })
  reports!: number;

  @Field(() => Int, {
    description: 'Current team members who were active in the organization on at least one of the last 30 days.',
  })
  activeMembersLast30Days!: number;
}

@ObjectType('TeamWarning', { description: 'Something a team admin (or org admin) should fix in the team.' })
export class TeamWarningType {
  @Field(() => WarningCode, { description: 'Stable code: SINGLE_TEAM_ADMIN or NO_TEAM_ADMIN.' })
  code!: WarningCode;

  @Field(() => String, { description: 'What is wrong and what to do.' })
  message!: string;
}
