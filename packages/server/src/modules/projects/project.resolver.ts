import { Arg, Args, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { PageArgs, type Connection } from '../../graphql/connection';
import { ProjectService, type DeletedProject, type DeletedReport, type DeletedRun } from './project.service';
import {
  CreateProjectInput,
  CreateProjectPayload,
  CreateReportInput,
  CreateReportPayload,
  DeleteProjectInput,
  DeleteProjectPayload,
  DeleteReportInput,
  DeleteReportPayload,
  DeleteRunInput,
  DeleteRunPayload,
  LogRunInput,
  LogRunPayload,
  ProjectConnection,
  ProjectType,
  ReportConnection,
  ReportType,
  RunConnection,
  RunType,
} from './project.types';
import type { Project, Report, Run } from './project.entity';
import type { Team } from '../teams/team.entity';
import type { User } from '../accounts/user.entity';
import { TeamType } from '../teams/team.types';
import { UserType } from '../accounts/account.types';
import type { ServiceAccount } from '../service-accounts/service-account.entity';
import { ServiceAccountType } from '../service-accounts/service-account.types';

/** The author's account, batched; still there after they left the team or the organization (the account stays). */
function author(ctx: RequestContext, row: { createdById: string | null }): Promise<User | null> | null {
  return row.createdById ? ctx.loaders.userById.load(row.createdById) : null;
}

@Resolver(() => ProjectType)
export class ProjectResolver {
  @FieldResolver(() => UserType, {
    nullable: true,
    description:
      'Who created the project; null if their account no longer exists (see createdByUsername) or a service ' +
      'account created it for no one (see loggedBy).',
  })
  createdBy(@Ctx() ctx: RequestContext, @Root() project: Project): Promise<User | null> | null {
    return author(ctx, project);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Username of the creator when the project was created; kept after they leave.' +
      ' The service account’s name when one wrote it for no one.',
  })
  createdByUsername(@Root() project: Project): string | null {
    return project.createdByLabel;
  }

  @FieldResolver(() => ServiceAccountType, {
    nullable: true,
    description:
      'The service account that wrote it, if one did (createdBy is then the person it acted for, or null); null ' +
      'too once that account is deleted (see loggedByName).',
  })
  loggedBy(@Ctx() ctx: RequestContext, @Root() project: Project): Promise<ServiceAccount | null> | null {
    return project.loggedById ? ctx.loaders.serviceAccountById.load(project.loggedById) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Name of the service account that wrote it, when one did; kept after the account is deleted.',
  })
  loggedByName(@Root() project: Project): string | null {
    return project.loggedByLabel;
  }

  @FieldResolver(() => TeamType, { description: 'The team the project belongs to.' })
  team(@Ctx() ctx: RequestContext, @Root() project: Project): Promise<Team | null> {
    return ctx.loaders.team.load(project.team.id);
  }

  @FieldResolver(() => RunConnection, { description: 'Runs of the project, newest first.' })
  runs(
    @Ctx() ctx: RequestContext,
    @Root() project: Project,
    @Args(() => PageArgs) args: PageArgs,
  ): Promise<Connection<Run>> {
    return new ProjectService(ctx).listRuns(project, args);
  }

  @FieldResolver(() => Int, { description: 'How many runs the project has.' })
  runCount(@Ctx() ctx: RequestContext, @Root() project: Project): Promise<number> {
    return new ProjectService(ctx).runCount(project);
  }

  @Mutation(() => CreateProjectPayload, {
    description:
      'Create a project in a team (team MEMBERs and ADMINs). CONFLICT when the team has a project of that name.',
  })
  async createProject(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => CreateProjectInput) input: CreateProjectInput,
  ): Promise<{ project: Project }> {
    return { project: await new ProjectService(ctx).createProject(input) };
  }

  @Mutation(() => DeleteProjectPayload, {
    description:
      'Delete a project and its runs (team ADMINs and org admins; MEMBERs their own). Its reports stay, detached.',
  })
  deleteProject(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => DeleteProjectInput) input: DeleteProjectInput,
  ): Promise<DeletedProject> {
    return new ProjectService(ctx).deleteProject(input);
  }
}

@Resolver(() => RunType)
export class RunResolver {
  @FieldResolver(() => UserType, {
    nullable: true,
    description:
      'The person the run is attributed to: who logged it, or the person a service account acted for ' +
      '(X-Roster-Acting-User). Null if their account no longer exists (see createdByUsername) or a service account ' +
      'logged it for no one (see loggedBy).',
  })
  createdBy(@Ctx() ctx: RequestContext, @Root() run: Run): Promise<User | null> | null {
    return author(ctx, run);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Username of who logged the run, as it was then; kept after they leave.' +
      ' The service account’s name when one wrote it for no one.',
  })
  createdByUsername(@Root() run: Run): string | null {
    return run.createdByLabel;
  }

  @FieldResolver(() => ServiceAccountType, {
    nullable: true,
    description:
      'The service account that wrote it, if one did (createdBy is then the person it acted for, or null); null ' +
      'too once that account is deleted (see loggedByName).',
  })
  loggedBy(@Ctx() ctx: RequestContext, @Root() run: Run): Promise<ServiceAccount | null> | null {
    return run.loggedById ? ctx.loaders.serviceAccountById.load(run.loggedById) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Name of the service account that wrote it, when one did; kept after the account is deleted.',
  })
  loggedByName(@Root() run: Run): string | null {
    return run.loggedByLabel;
  }

  @FieldResolver(() => ProjectType, { description: 'The project the run belongs to.' })
  project(@Ctx() ctx: RequestContext, @Root() run: Run): Promise<Project | null> {
    return ctx.loaders.projectById.load(run.project.id);
  }

  @Mutation(() => LogRunPayload, { description: 'Log a run in a project (team MEMBERs and ADMINs). Not audited.' })
  async logRun(@Ctx() ctx: RequestContext, @Arg('input', () => LogRunInput) input: LogRunInput): Promise<{ run: Run }> {
    return { run: await new ProjectService(ctx).logRun(input) };
  }

  @Mutation(() => DeleteRunPayload, {
    description: 'Delete a run by id (team ADMINs and org admins; MEMBERs the runs they logged).',
  })
  deleteRun(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => DeleteRunInput) input: DeleteRunInput,
  ): Promise<DeletedRun> {
    return new ProjectService(ctx).deleteRun(input);
  }
}

@Resolver(() => ReportType)
export class ReportResolver {
  @FieldResolver(() => UserType, {
    nullable: true,
    description:
      'Who created the report; null if their account no longer exists (see createdByUsername) or a service ' +
      'account created it for no one (see loggedBy).',
  })
  createdBy(@Ctx() ctx: RequestContext, @Root() report: Report): Promise<User | null> | null {
    return author(ctx, report);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Username of the author when the report was created; kept after they leave.' +
      ' The service account’s name when one wrote it for no one.',
  })
  createdByUsername(@Root() report: Report): string | null {
    return report.createdByLabel;
  }

  @FieldResolver(() => ServiceAccountType, {
    nullable: true,
    description:
      'The service account that wrote it, if one did (createdBy is then the person it acted for, or null); null ' +
      'too once that account is deleted (see loggedByName).',
  })
  loggedBy(@Ctx() ctx: RequestContext, @Root() report: Report): Promise<ServiceAccount | null> | null {
    return report.loggedById ? ctx.loaders.serviceAccountById.load(report.loggedById) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Name of the service account that wrote it, when one did; kept after the account is deleted.',
  })
  loggedByName(@Root() report: Report): string | null {
    return report.loggedByLabel;
  }

  @FieldResolver(() => ProjectType, {
    nullable: true,
    description: 'The project the report is about; null when none (or when that project was deleted).',
  })
  project(@Ctx() ctx: RequestContext, @Root() report: Report): Promise<Project | null> | null {
    return report.project ? ctx.loaders.projectById.load(report.project.id) : null;
  }

  @FieldResolver(() => TeamType, { description: 'The team the report belongs to.' })
  team(@Ctx() ctx: RequestContext, @Root() report: Report): Promise<Team | null> {
    return ctx.loaders.team.load(report.team.id);
  }

  @Mutation(() => CreateReportPayload, {
    description: 'Create a report in a team, optionally about one of its projects (team MEMBERs and ADMINs).',
  })
  async createReport(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => CreateReportInput) input: CreateReportInput,
  ): Promise<{ report: Report }> {
    return { report: await new ProjectService(ctx).createReport(input) };
  }

  @Mutation(() => DeleteReportPayload, {
    description: 'Delete a report by id (team ADMINs and org admins; MEMBERs their own).',
  })
  deleteReport(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => DeleteReportInput) input: DeleteReportInput,
  ): Promise<DeletedReport> {
    return new ProjectService(ctx).deleteReport(input);
  }
}

/** Adds the work of a team to the Team type (the teams module owns TeamType; type-graphql merges the fields). */
@Resolver(() => TeamType)
export class TeamProjectsResolver {
  @FieldResolver(() => ProjectType, {
    nullable: true,
    description:
      'One project of the team, by name; null when it does not exist or is not visible to the caller (PRIVATE ' +
      'projects to callers outside the team).',
  })
  project(
    @Ctx() ctx: RequestContext,
    @Root() team: Team,
    @Arg('name', () => String) name: string,
  ): Promise<Project | null> {
    return new ProjectService(ctx).getProject(team, name);
  }

  @FieldResolver(() => ProjectConnection, {
    description: 'Projects of the team, newest first. Callers outside the team see PUBLIC projects only.',
  })
  projects(
    @Ctx() ctx: RequestContext,
    @Root() team: Team,
    @Args(() => PageArgs) args: PageArgs,
  ): Promise<Connection<Project>> {
    return new ProjectService(ctx).listProjects(team, args);
  }

  @FieldResolver(() => ReportConnection, {
    description:
      'Reports of the team, newest first. Callers outside the team see only reports of PUBLIC projects, and only ' +
      'when the team allows public reports.',
  })
  reports(
    @Ctx() ctx: RequestContext,
    @Root() team: Team,
    @Args(() => PageArgs) args: PageArgs,
  ): Promise<Connection<Report>> {
    return new ProjectService(ctx).listReports(team, args);
  }
}
