import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { ConnectionType } from '../../graphql/connection';
import { ProjectVisibility } from './project.entity';
import { TeamType } from '../teams/team.types';

registerEnumType(ProjectVisibility, {
  name: 'ProjectVisibility',
  description: 'Who may see a project and its runs.',
  valuesConfig: {
    PRIVATE: { description: 'Team members (and organization admins, and organization service accounts) only.' },
    PUBLIC: { description: 'Everyone who can see the team, including organization members outside it.' },
    RESTRICTED: {
      description:
        'Only those on the team: its members and its own service accounts; not organization admins outside the team ' +
        'nor organization service accounts.',
    },
  },
});

// createdBy, runs, runCount, team and project are field resolvers (project.resolver.ts); the classes below
// hold the plain columns. Roots are the entities (Project, Run, Report), never these classes.

@ObjectType('Project', { description: 'A project in a team: the home of runs.' })
export class ProjectType {
  @Field(() => ID, { description: 'Opaque id.' })
  id!: string;

  @Field(() => String, { description: 'Name, unique in the team: 1-128 letters, digits, "-", "_" and ".".' })
  name!: string;

  @Field(() => ProjectVisibility, { description: 'PRIVATE (team members) or PUBLIC (everyone who can see the team).' })
  visibility!: ProjectVisibility;

  @Field(() => DateTime, { description: 'When the project was created.' })
  createdAt!: Date;

  @Field(() => String, {
    nullable: true,
    description: 'Username of the creator when the project was created; kept after they leave.',
  })
  createdByUsername!: string | null;
}

@ObjectType('Run', { description: 'A run logged in a project.' })
export class RunType {
  @Field(() => ID, { description: 'Opaque id (use with deleteRun).' })
  id!: string;

  @Field(() => String, { description: 'Run name, e.g. "run-3f9k2a1x".' })
  name!: string;

  @Field(() => DateTime, { description: 'When the run was logged.' })
  createdAt!: Date;

  @Field(() => String, {
    nullable: true,
    description: 'Username of who logged the run, as it was then; kept after they leave.',
  })
  createdByUsername!: string | null;
}

@ObjectType('Report', { description: 'A report in a team, optionally about one project.' })
export class ReportType {
  @Field(() => ID, { description: 'Opaque id (use with deleteReport).' })
  id!: string;

  @Field(() => String, { description: 'Title, 1-200 characters.' })
  title!: string;

  @Field(() => DateTime, { description: 'When the report was created.' })
  createdAt!: Date;

  @Field(() => String, {
    nullable: true,
    description: 'Username of the author when the report was created; kept after they leave.',
  })
  createdByUsername!: string | null;
}

export const ProjectConnection = ConnectionType('Project', ProjectType, 'A page of projects, newest first.');
export const RunConnection = ConnectionType('Run', RunType, 'A page of runs, newest first.');
export const ReportConnection = ConnectionType('Report', ReportType, 'A page of reports, newest first.');

@InputType('CreateProjectInput', {
  description: 'A new project in a team (needs project:create: team MEMBERs and ADMINs).',
})
export class CreateProjectInput {
  @Field(() => String, { description: 'Organization name.' })
  organization!: string;

  @Field(() => String, { description: 'Team name.' })
  team!: string;

  @Field(() => String, {
    description: 'Project name: 1-128 letters, digits, "-", "_" and ".", unique in the team (case-sensitive).',
  })
  name!: string;

  @Field(() => ProjectVisibility, {
    nullable: true,
    description:
      "Visibility; by default PRIVATE when the team's projectsPrivateByDefault setting is on, PUBLIC otherwise.",
  })
  visibility?: ProjectVisibility | null;
}

@ObjectType({ description: 'Result of createProject.' })
export class CreateProjectPayload {
  @Field(() => ProjectType, { description: 'The new project.' })
  project!: ProjectType;
}

@InputType('LogRunInput', { description: 'Log a run in a project (needs run:create: team MEMBERs and ADMINs).' })
export class LogRunInput {
  @Field(() => String, { description: 'Organization name.' })
  organization!: string;

  @Field(() => String, { description: 'Team name.' })
  team!: string;

  @Field(() => String, { description: 'Project name in the team.' })
  project!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Run name, 1-128 characters; a random "run-xxxxxxxx" when omitted. Need not be unique.',
  })
  name?: string | null;
}

@ObjectType({ description: 'Result of logRun.' })
export class LogRunPayload {
  @Field(() => RunType, { description: 'The new run.' })
  run!: RunType;
}

@InputType('CreateReportInput', {
  description: 'A new report in a team (needs report:create: team MEMBERs and ADMINs).',
})
export class CreateReportInput {
  @Field(() => String, { description: 'Organization name.' })
  organization!: string;

  @Field(() => String, { description: 'Team name.' })
  team!: string;

  @Field(() => String, { description: 'Title, 1-200 characters.' })
  title!: string;

  @Field(() => String, { nullable: true, description: 'Name of the project in the team the report is about, if any.' })
  project?: string | null;
}

@ObjectType({ description: 'Result of createReport.' })
export class CreateReportPayload {
  @Field(() => ReportType, { description: 'The new report.' })
  report!: ReportType;
}

@InputType('DeleteProjectInput', {
  description:
    'Delete a project with its runs; its reports stay, detached. Needs project:delete, or project:delete_own for ' +
    'its creator.',
})
export class DeleteProjectInput {
  @Field(() => String, { description: 'Organization name.' })
  organization!: string;

  @Field(() => String, { description: 'Team name.' })
  team!: string;

  @Field(() => String, { description: 'Project name.' })
  project!: string;
}

@ObjectType({ description: 'Result of deleteProject.' })
export class DeleteProjectPayload {
  @Field(() => ID, { description: 'Id of the deleted project: drop it from cached project lists.' })
  deletedProjectId!: string;

  @Field(() => TeamType, { description: 'The team the project was in.' })
  team!: TeamType;

  @Field(() => Int, { description: 'How many runs were deleted with it.' })
  runsDeleted!: number;
}

@InputType('DeleteRunInput', { description: 'Delete a run. Needs run:delete, or run:delete_own for who logged it.' })
export class DeleteRunInput {
  @Field(() => ID, { description: 'Run id.' })
  id!: string;
}

@ObjectType({ description: 'Result of deleteRun.' })
export class DeleteRunPayload {
  @Field(() => ID, { description: 'Id of the deleted run: drop it from cached run lists.' })
  deletedRunId!: string;

  @Field(() => ProjectType, { description: 'The project the run was in (its runCount changed).' })
  project!: ProjectType;
}

@InputType('DeleteReportInput', {
  description: 'Delete a report. Needs report:delete, or report:delete_own for its author.',
})
export class DeleteReportInput {
  @Field(() => ID, { description: 'Report id.' })
  id!: string;
}

@ObjectType({ description: 'Result of deleteReport.' })
export class DeleteReportPayload {
  @Field(() => ID, { description: 'Id of the deleted report: drop it from cached report lists.' })
  deletedReportId!: string;

  @Field(() => TeamType, { description: 'The team the report was in.' })
  team!: TeamType;
}
