import { randomInt } from 'node:crypto';
import {
  ForeignKeyConstraintViolationException,
  LockMode,
  UniqueConstraintViolationException,
  type FilterQuery,
} from '@mikro-orm/core';
import { z } from 'zod';
import { Service } from '../service';
import { Project, ProjectVisibility, Report, Run } from './project.entity';
import { Team } from '../teams/team.entity';
import { findTeam, type TeamInOrg } from '../teams/team-lookup';
import { Organization } from '../organizations/organization.entity';
import { AuditAction } from '../audit/audit.service';
import { TeamPermission } from '../../authz/team-permissions';
import { Authz } from '../../authz/policy';
import { AppError, conflict, ErrorCode, forbidden, notFound } from '../../errors';
import { entityIdSchema, orgRefSchema, parseInput, teamRefSchema, userLoginSchema } from '../../validation';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../accounts/user.entity';
import { byLogin } from '../accounts/login';
import { Membership } from '../organizations/membership.entity';
import { TeamMembership } from '../teams/team-membership.entity';
import { CustomRole } from '../custom-roles/custom-role.entity';
import { teamMembershipFacts } from '../../graphql/loaders';
import { type Connection } from '../../graphql/connection';
import { cursorCodec, NEWEST_FIRST, NEWEST_FIRST_ORDER, newestFirstAfter } from '../../graphql/cursor';
import type { TimeCursor } from '../../graphql/loaders';

const projectRef = z.string().trim().min(1, 'must not be empty').max(128, 'must be at most 128 characters');
const projectName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9._-]+$/, 'may contain only letters, digits, "-", "_" and "."')
  // "." and ".." would make ambiguous paths in URLs and on storage.
  .refine((n) => !/^\.+$/.test(n), 'must contain a letter, digit, "-" or "_"');
const runName = z
  .string()
  .trim()
  .min(1, 'must not be empty (omit it for a generated name)')
  .max(128, 'must be at most 128 characters')
  .regex(/^\P{Cc}+$/u, 'must not contain control characters');
const title = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^\P{Cc}+$/u, 'must not contain control characters');
const idSchema = (what: string) => z.object({ id: entityIdSchema(`a ${what}`) });

const createProjectSchema = z.object({
  organization: orgRefSchema,
  team: teamRefSchema,
  name: projectName,
  visibility: z.enum(ProjectVisibility, { message: 'must be PRIVATE, PUBLIC or RESTRICTED' }).nullish(),
});
const logRunSchema = z.object({
  organization: orgRefSchema,
  team: teamRefSchema,
  project: projectRef,
  name: runName.nullish(),
});
const createReportSchema = z.object({
  organization: orgRefSchema,
  team: teamRefSchema,
  title,
  project: projectRef.nullish(),
});
const deleteProjectSchema = z.object({ organization: orgRefSchema, team: teamRefSchema, project: projectRef });

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Like W&B's generated run ids: short, random, readable. */
export function generateRunName(): string {
  let suffix = '';
  for (let i = 0; i < 8; i++) suffix += BASE36[randomInt(36)];
  return `run-${suffix}`;
}

/** Lists here are newest first; each has its own cursors, so one list's cursor is refused by the others. */
const PROJECTS_CURSOR = cursorCodec('projects', NEWEST_FIRST);
const REPORTS_CURSOR = cursorCodec('reports', NEWEST_FIRST);
const RUNS_CURSOR = cursorCodec('runs', NEWEST_FIRST);

function cursorOf(row: { createdAt: Date; id: string }): [Date, string] {
  return [row.createdAt, row.id];
}

function timeCursor(after: [Date, string] | null): TimeCursor | null {
  return after && { createdAt: after[0], id: after[1] };
}

/** Rows after the cursor in (createdAt desc, id desc) order (graphql/cursor.ts: newestFirstAfter). */
function afterFilter<T extends Project | Report>(after: [Date, string] | null): FilterQuery<T> {
  // The cast: MikroORM cannot see that both entities share these two columns.
  return newestFirstAfter(after) as FilterQuery<T>;
}

/**
 * The caller's view of a team: their permissions on it, and whether they are on the team (RESTRICTED projects),
 * decide every list and lookup below.
 */
type TeamAccess = TeamInOrg & { onTeam: boolean };

/** The authorship columns of new work (AuthoredWork). */
interface Authorship {
  createdById: string | null;
  createdByLabel: string;
  loggedById?: string;
  loggedByLabel?: string;
}

export interface DeletedProject {
  deletedProjectId: string;
  team: Team;
  runsDeleted: number;
}

export interface DeletedRun {
  deletedRunId: string;
  project: Project;
}

export interface DeletedReport {
  deletedReportId: string;
  team: Team;
}

/**
 * Projects, runs and reports. Visibility: `team:read` (team members, org admins) sees everything, except that
 * RESTRICTED projects (and their runs and reports) are for those on the team only (Authz.isOnTeam); `team:view`
 * alone (org members outside a visible team) sees PUBLIC projects and their runs, and reports of PUBLIC
 * projects when the team allows public reports. Objects this service hands out have passed that check, so
 * the fields hanging off them (a project's runs, a run's project) need not repeat it.
 */
export class ProjectService extends Service {
  // ---- visibility ---------------------------------------------------------------------------------------------

  // The rules are Authz.projectScope / reportScope; here they become row tests and query filters.

  private static visibilityFacts(project: Project | null): { public: boolean; restricted: boolean } {
    return {
      public: project?.visibility === ProjectVisibility.PUBLIC,
      restricted: project?.visibility === ProjectVisibility.RESTRICTED,
    };
  }

  private static projectVisible(access: TeamAccess, project: Project): boolean {
    return Authz.inScope(
      Authz.projectScope(access.permissions, access.onTeam),
      ProjectService.visibilityFacts(project),
    );
  }

  private static reportVisible(access: TeamAccess, project: Project | null): boolean {
    return Authz.inScope(
      Authz.reportScope(access.permissions, access.team, access.onTeam),
      ProjectService.visibilityFacts(project),
    );
  }

  /** null: the caller sees no project of this team. */
  private static projectFilter(access: TeamAccess): FilterQuery<Project> | null {
    const scope = Authz.projectScope(access.permissions, access.onTeam);
    if (scope === 'NONE') return null;
    if (scope === 'ALL') return { team: access.team.id };
    if (scope === 'UNRESTRICTED') return { team: access.team.id, visibility: { $ne: ProjectVisibility.RESTRICTED } };
    return { team: access.team.id, visibility: ProjectVisibility.PUBLIC };
  }

  /** null: the caller sees no report of this team. */
  private static reportFilter(access: TeamAccess): FilterQuery<Report> | null {
    const scope = Authz.reportScope(access.permissions, access.team, access.onTeam);
    if (scope === 'NONE') return null;
    if (scope === 'ALL') return { team: access.team.id };
    if (scope === 'UNRESTRICTED')
      return {
        team: access.team.id,
        $or: [{ project: null }, { project: { visibility: { $ne: ProjectVisibility.RESTRICTED } } }],
      };
    return { team: access.team.id, project: { visibility: ProjectVisibility.PUBLIC } };
  }

  /** Adds whether the caller is on the team (Authz.isOnTeam) to what findTeam found. */
  private async withTeamFacts(found: TeamInOrg): Promise<TeamAccess> {
    return { ...found, onTeam: await this.ctx.authz.isOnTeam(found.team) };
  }

  /** For a team already resolved elsewhere (the root of Team.projects): NOT_FOUND unless the caller sees it. */
  private async accessTo(team: Team): Promise<TeamAccess> {
    // By primary key: served from the identity map when the team's organization is already loaded.
    const org = await this.em.findOneOrFail(Organization, { id: team.organization.id });
    const permissions = await this.ctx.authz.requireTeam(team, org, TeamPermission.VIEW);
    return this.withTeamFacts({ org, team, permissions });
  }

  /** Delete rights: the "any" permission, or the "own" one for the author. */
  private requireDelete(
    access: TeamAccess,
    any: TeamPermission,
    own: TeamPermission,
    createdById: string | null,
    what: string,
  ): void {
    if (access.permissions.has(any)) return;
    const me = this.ctx.authz.requireUser().user.id;
    if (access.permissions.has(own) && createdById !== null && createdById === me) return;
    throw forbidden(
      access.permissions.has(own)
        ? `You may delete only ${what}s you created; deleting others' needs ${any} (team admins).`
        : `Your role in team "${access.team.name}" does not allow deleting ${what}s (needs ${any}); ask a team admin.`,
    );
  }

  /**
   * Who the new work is recorded as (docs/API.md, "Attribution"). A person: themselves. A service account: itself
   * (`loggedBy`), and as `createdBy` the person its `X-Roster-Acting-User` header names, only when the policy
   * allows it (Authz.mayAttributeTo: an ACTIVE member of this team whose role grants `permission`), otherwise
   * ATTRIBUTION_FAILED and the transaction writes nothing. Without the header the account is the author. Reads
   * and FOR SHARE-locks the person's memberships in `em`'s transaction, so a concurrent removal or deactivation
   * waits for this write instead of racing it.
   */
  private async author(em: EntityManager, access: TeamInOrg, permission: TeamPermission): Promise<Authorship> {
    const principal = this.ctx.authz.requireAuthenticated();
    if (principal.kind === 'user') return { createdById: principal.user.id, createdByLabel: principal.user.username };
    const account = principal.serviceAccount;
    const loggedBy = { loggedById: account.id, loggedByLabel: account.name };
    if (!principal.actingAs) return { createdById: null, createdByLabel: account.name, ...loggedBy };
    const login = principal.actingAs;
    const failed = () =>
      new AppError(
        ErrorCode.ATTRIBUTION_FAILED,
        `Cannot record this as the work of "${login}": they are not an active member of team "${access.team.name}" ` +
          'with a role that may do it, so nothing was written. Set X-Roster-Acting-User (the SDK: `username`, ' +
          'ROSTER_USERNAME, WANDB_USERNAME or WANDB_USER_EMAIL) to a member of the team, add them to the team, or ' +
          `leave it unset to write as the service account "${account.name}".`,
        { details: { actingUser: login, team: access.team.name } },
      );
    if (!userLoginSchema.safeParse(login).success) throw failed();
    const person = await em.findOne(User, byLogin(login), { refresh: true });
    if (!person) throw failed();
    const share = { lockMode: LockMode.PESSIMISTIC_READ, refresh: true } as const;
    const allowed = await this.ctx.authz.mayAttributeTo(person, access.team, access.org, permission, {
      org: (organizationId, userId) => em.findOne(Membership, { organization: organizationId, user: userId }, share),
      team: async (teamId, userId) =>
        teamMembershipFacts(await em.findOne(TeamMembership, { team: teamId, user: userId }, share), (id) =>
          em.findOne(CustomRole, { id }, { refresh: true }),
        ),
    });
    if (!allowed) throw failed();
    return { createdById: person.id, createdByLabel: person.username, ...loggedBy };
  }

  // ---- mutations ------------------------------------------------------------------------------------------------

  async createProject(raw: unknown): Promise<Project> {
    this.ctx.authz.requireAuthenticated();
    const input = parseInput(createProjectSchema, raw);
    const { org, team, permissions } = await findTeam(
      this.ctx,
      input.organization,
      input.team,
      TeamPermission.PROJECT_CREATE,
    );
    const visibility =
      input.visibility ??
      (team.settings.projectsPrivateByDefault ? ProjectVisibility.PRIVATE : ProjectVisibility.PUBLIC);
    const taken = () => conflict(`Team "${team.name}" already has a project named "${input.name}".`, 'name');
    return this.em
      .transactional(async (em) => {
        const author = await this.author(em, { org, team, permissions }, TeamPermission.PROJECT_CREATE);
        if (await em.count(Project, { team: team.id, name: input.name })) throw taken();
        const project = em.create(Project, { team: team.id, name: input.name, visibility, ...author });
        this.audit(em, {
          action: AuditAction.PROJECT_CREATED,
          organizationId: org.id,
          target: { type: 'project', id: project.id, label: project.name },
          metadata: { team: team.name, visibility },
        });
        return project;
      })
      .catch((err: unknown) => {
        // A concurrent create won the unique index the pre-check could not see; or the team was deleted meanwhile.
        if (err instanceof UniqueConstraintViolationException) throw taken();
        if (err instanceof ForeignKeyConstraintViolationException)
          throw notFound(`No team named "${team.name}" is visible to you in "${org.name}".`);
        throw err;
      });
  }

  async logRun(raw: unknown): Promise<Run> {
    this.ctx.authz.requireAuthenticated();
    const input = parseInput(logRunSchema, raw);
    const access = await this.withTeamFacts(
      await findTeam(this.ctx, input.organization, input.team, TeamPermission.RUN_CREATE),
    );
    // Not audited: runs are logged far too often for the audit log (attribution is recorded on the run).
    return this.em.transactional(async (em) => {
      const author = await this.author(em, access, TeamPermission.RUN_CREATE);
      // FOR SHARE: a concurrent deleteProject waits for this run (and then deletes it too) instead of failing it on the
      // foreign key.
      const project = await em.findOne(
        Project,
        { team: access.team.id, name: input.project },
        { lockMode: LockMode.PESSIMISTIC_READ },
      );
      if (!project || !ProjectService.projectVisible(access, project))
        throw this.projectNotFound(access, input.project);
      return em.create(Run, { project: project.id, name: input.name ?? generateRunName(), ...author });
    });
  }

  async createReport(raw: unknown): Promise<Report> {
    this.ctx.authz.requireAuthenticated();
    const input = parseInput(createReportSchema, raw);
    const access = await this.withTeamFacts(
      await findTeam(this.ctx, input.organization, input.team, TeamPermission.REPORT_CREATE),
    );
    return this.em
      .transactional(async (em) => {
        const author = await this.author(em, access, TeamPermission.REPORT_CREATE);
        let project: Project | null = null;
        if (input.project) {
          project = await em.findOne(
            Project,
            { team: access.team.id, name: input.project },
            { lockMode: LockMode.PESSIMISTIC_READ },
          );
          if (!project || !ProjectService.projectVisible(access, project))
            throw this.projectNotFound(access, input.project);
        }
        const report = em.create(Report, {
          team: access.team.id,
          project: project?.id ?? null,
          title: input.title,
          ...author,
        });
        this.audit(em, {
          action: AuditAction.REPORT_CREATED,
          organizationId: access.org.id,
          target: { type: 'report', id: report.id, label: report.title },
          metadata: { team: access.team.name, project: project?.name ?? null },
        });
        return report;
      })
      .catch((err: unknown) => {
        if (err instanceof ForeignKeyConstraintViolationException)
          throw notFound(`No team named "${access.team.name}" is visible to you in "${access.org.name}".`);
        throw err;
      });
  }

  async deleteProject(raw: unknown): Promise<DeletedProject> {
    this.ctx.authz.requireUser();
    const input = parseInput(deleteProjectSchema, raw);
    const access = await this.withTeamFacts(
      await findTeam(this.ctx, input.organization, input.team, TeamPermission.VIEW),
    );
    const project = await this.em.findOne(Project, { team: access.team.id, name: input.project });
    if (!project || !ProjectService.projectVisible(access, project)) throw this.projectNotFound(access, input.project);
    this.requireDelete(
      access,
      TeamPermission.PROJECT_DELETE,
      TeamPermission.PROJECT_DELETE_OWN,
      project.createdById,
      'project',
    );
    return this.em.transactional(async (em) => {
      // Lock first so the count matches what the cascade deletes (logRun holds FOR SHARE on the project).
      const locked = await em.findOne(Project, { id: project.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!locked) throw this.projectNotFound(access, input.project);
      const runsDeleted = await em.count(Run, { project: project.id });
      // Runs go with it (ON DELETE CASCADE); reports stay, detached (ON DELETE SET NULL).
      await em.nativeDelete(Project, { id: project.id });
      this.audit(em, {
        action: AuditAction.PROJECT_DELETED,
        organizationId: access.org.id,
        target: { type: 'project', id: project.id, label: project.name },
        metadata: { team: access.team.name, runsDeleted },
      });
      return { deletedProjectId: project.id, team: access.team, runsDeleted };
    });
  }

  async deleteRun(raw: unknown): Promise<DeletedRun> {
    this.ctx.authz.requireUser();
    const input = parseInput(idSchema('run'), raw);
    const missing = () => notFound('No run with this id is visible to you.');
    const run = await this.em.findOne(
      Run,
      { id: input.id },
      { populate: ['project', 'project.team', 'project.team.organization'] },
    );
    if (!run) throw missing();
    const project = run.project.getEntity();
    const access = await this.accessOrNull(project.team.getEntity());
    if (!access || !ProjectService.projectVisible(access, project)) throw missing();
    this.requireDelete(access, TeamPermission.RUN_DELETE, TeamPermission.RUN_DELETE_OWN, run.createdById, 'run');
    return this.em.transactional(async (em) => {
      if (!(await em.nativeDelete(Run, { id: run.id }))) throw missing();
      this.audit(em, {
        action: AuditAction.RUN_DELETED,
        organizationId: access.org.id,
        target: { type: 'run', id: run.id, label: run.name },
        metadata: { team: access.team.name, project: project.name },
      });
      return { deletedRunId: run.id, project };
    });
  }

  async deleteReport(raw: unknown): Promise<DeletedReport> {
    this.ctx.authz.requireUser();
    const input = parseInput(idSchema('report'), raw);
    const missing = () => notFound('No report with this id is visible to you.');
    const report = await this.em.findOne(
      Report,
      { id: input.id },
      { populate: ['team', 'team.organization', 'project'] },
    );
    if (!report) throw missing();
    const project = report.project?.getEntity() ?? null;
    const access = await this.accessOrNull(report.team.getEntity());
    if (!access || !ProjectService.reportVisible(access, project)) throw missing();
    this.requireDelete(
      access,
      TeamPermission.REPORT_DELETE,
      TeamPermission.REPORT_DELETE_OWN,
      report.createdById,
      'report',
    );
    return this.em.transactional(async (em) => {
      if (!(await em.nativeDelete(Report, { id: report.id }))) throw missing();
      this.audit(em, {
        action: AuditAction.REPORT_DELETED,
        organizationId: access.org.id,
        target: { type: 'report', id: report.id, label: report.title },
        metadata: { team: access.team.name, project: project?.name ?? null },
      });
      return { deletedReportId: report.id, team: access.team };
    });
  }

  /** For lookups by id: an invisible team is the same as a missing object (NOT_FOUND by the caller). */
  private async accessOrNull(team: Team): Promise<TeamAccess | null> {
    const org = team.organization.getEntity();
    const permissions = await this.ctx.authz.teamPermissions(team, org);
    return permissions.has(TeamPermission.VIEW) ? this.withTeamFacts({ org, team, permissions }) : null;
  }

  private projectNotFound(access: TeamAccess, name: string) {
    return notFound(`No project named "${name}" is visible to you in team "${access.team.name}".`);
  }

  // ---- lists ----------------------------------------------------------------------------------------------------

  /**
   * Team.project(name): one project, null when missing or invisible to the caller (the team itself must be visible).
   */
  async getProject(team: Team, name: string): Promise<Project | null> {
    const access = await this.accessTo(team);
    const key = parseInput(z.object({ name: projectRef }), { name }).name;
    const project = await this.em.findOne(Project, { team: team.id, name: key });
    if (!project || !ProjectService.projectVisible(access, project)) return null;
    return project;
  }

  /** Team.projects: newest first; PUBLIC ones only for callers outside the team. */
  async listProjects(team: Team, args: { first?: number | null; after?: string | null }): Promise<Connection<Project>> {
    const access = await this.accessTo(team);
    const page = PROJECTS_CURSOR.page(args, 'CREATED_DESC');
    const where = ProjectService.projectFilter(access);
    if (!where) return PROJECTS_CURSOR.connection<Project, Project>(page, 'CREATED_DESC', [], 0, cursorOf, (p) => p);
    const [rows, total] = await Promise.all([
      this.em.find(
        Project,
        { $and: [where, afterFilter<Project>(page.after)] },
        { orderBy: NEWEST_FIRST_ORDER, limit: page.first + 1 },
      ),
      this.em.count(Project, where),
    ]);
    return PROJECTS_CURSOR.connection(page, 'CREATED_DESC', rows, total, cursorOf, (p) => p);
  }

  /** Team.reports: newest first; see the class comment for who sees which. */
  async listReports(team: Team, args: { first?: number | null; after?: string | null }): Promise<Connection<Report>> {
    const access = await this.accessTo(team);
    const page = REPORTS_CURSOR.page(args, 'CREATED_DESC');
    const where = ProjectService.reportFilter(access);
    if (!where) return REPORTS_CURSOR.connection<Report, Report>(page, 'CREATED_DESC', [], 0, cursorOf, (r) => r);
    const [rows, total] = await Promise.all([
      this.em.find(
        Report,
        { $and: [where, afterFilter<Report>(page.after)] },
        { orderBy: NEWEST_FIRST_ORDER, limit: page.first + 1 },
      ),
      this.em.count(Report, where),
    ]);
    return REPORTS_CURSOR.connection(page, 'CREATED_DESC', rows, total, cursorOf, (r) => r);
  }

  /**
   * Project.runs: newest first. The project came from this service, already checked; its runs share its
   * visibility. Batched through loaders: one query per distinct page shape for all projects of a list.
   */
  async listRuns(project: Project, args: { first?: number | null; after?: string | null }): Promise<Connection<Run>> {
    const page = RUNS_CURSOR.page(args, 'CREATED_DESC');
    const after = timeCursor(page.after);
    const [rows, total] = await Promise.all([
      this.ctx.loaders.runsPage.load({ projectId: project.id, limit: page.first + 1, after }),
      this.ctx.loaders.runCountByProject.load(project.id),
    ]);
    return RUNS_CURSOR.connection(page, 'CREATED_DESC', rows, total, cursorOf, (r) => r);
  }

  runCount(project: Project): Promise<number> {
    return this.ctx.loaders.runCountByProject.load(project.id);
  }
}
