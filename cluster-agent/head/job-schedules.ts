/**
 * Cron-style schedules: each submits its job specification at the times its five-field
 * crontab expression names (UTC), as the user who made it, with their rights at that time.
 * Kept in cluster.db with their next run, so a head that was down submits a missed run
 * once when it is back rather than once per missed time. Expressions are parsed by croner.
 */
import { randomBytes } from 'node:crypto';
import { Cron } from 'croner';
import { HopsError } from '../../protocol/errors.ts';
import type { CreateScheduleRequest, JobSchedule } from '../../protocol/jobs-api.ts';
import { checkJobSpec } from '../../protocol/jobs.ts';
import type { User } from '../../protocol/projects.ts';
import type { AgentLog } from '../log.ts';
import { checkJobPaths } from './job-inputs.ts';
import type { JobStore, StoredSchedule } from './job-store.ts';
import { jobIdOf } from './job-view.ts';
import type { JobService } from './jobs.ts';
import type { Namespace } from './namespace.ts';
import type { ProjectStore } from './project-store.ts';

/** Schedules a cluster keeps at most. */
export const scheduleLimits = { maxSchedules: 1000, minIntervalMs: 60_000 } as const;

const tickMs = 15_000;

export class JobSchedules {
  private readonly store: JobStore;
  private readonly projects: ProjectStore;
  private readonly namespace: Namespace;
  private readonly jobs: JobService;
  private readonly log: AgentLog;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(deps: { store: JobStore; projects: ProjectStore; namespace: Namespace; jobs: JobService; log: AgentLog; now?: () => number }) {
    this.store = deps.store;
    this.projects = deps.projects;
    this.namespace = deps.namespace;
    this.jobs = deps.jobs;
    this.log = deps.log;
    this.now = deps.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => void this.runDue(), tickMs);
    this.timer.unref();
    void this.runDue();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  create(caller: User, request: CreateScheduleRequest): JobSchedule {
    const spec = checkJobSpec(request.spec);
    this.jobs.requireRun(caller, spec.project);
    checkJobPaths(this.namespace, caller, spec);
    const cron = parseCron(request.cron);
    const [first, second] = cron.nextRuns(2, new Date(this.now()));
    if (first === undefined) throw new HopsError('VALIDATION', `"${request.cron}" never runs.`, { field: '/cron' });
    if (second !== undefined && second.getTime() - first.getTime() < scheduleLimits.minIntervalMs) {
      throw new HopsError('VALIDATION', `"${request.cron}" runs more often than once a minute; schedules run at most every minute.`, { field: '/cron' });
    }
    if (this.store.schedules().length >= scheduleLimits.maxSchedules) {
      throw new HopsError('LIMIT_REACHED', `The cluster has ${scheduleLimits.maxSchedules} schedules, as many as it keeps.`);
    }
    const schedule: StoredSchedule = {
      scheduleId: `s-${randomBytes(6).toString('hex')}`,
      project: spec.project,
      cron: request.cron,
      spec,
      enabled: true,
      createdBy: caller.name,
      createdAtMs: this.now(),
      nextRunMs: first.getTime(),
      lastJobSeq: null,
    };
    this.store.insertSchedule(schedule);
    return view(schedule);
  }

  list(caller: User, project: string | undefined): JobSchedule[] {
    return this.store
      .schedules()
      .filter((schedule) => (project === undefined || schedule.project === project) && this.jobs.canSee(caller, schedule.project))
      .map(view);
  }

  remove(caller: User, scheduleId: string): { scheduleId: string } {
    const schedule = this.store.schedules().find((s) => s.scheduleId === scheduleId);
    if (schedule === undefined || !this.jobs.canSee(caller, schedule.project)) throw new HopsError('SCHEDULE_NOT_FOUND', `There is no schedule ${scheduleId}.`);
    this.jobs.requireRun(caller, schedule.project);
    this.store.deleteSchedule(scheduleId);
    return { scheduleId };
  }

  /** Submits the job of every schedule whose time has come, once, and moves it to its next time. */
  private async runDue(): Promise<void> {
    const now = this.now();
    for (const schedule of this.store.schedules()) {
      if (!schedule.enabled || schedule.nextRunMs === null || schedule.nextRunMs > now) continue;
      const next = parseCron(schedule.cron).nextRun(new Date(now))?.getTime() ?? null;
      const user = this.projects.user(schedule.createdBy);
      try {
        if (user === undefined) throw new Error(`its creator ${schedule.createdBy} no longer exists`);
        const caller = { name: user.name, admin: user.admin, createdAtMs: user.createdAtMs };
        // One request id per run: a head that dies right after submitting does not submit it twice.
        const job = await this.jobs.submit(caller, { spec: schedule.spec, requestId: `${schedule.scheduleId}-${schedule.nextRunMs}` }, schedule.scheduleId);
        this.store.scheduleRan(schedule.scheduleId, next, Number(job.jobId.slice(2)));
        this.log.info('schedule submitted its job', { scheduleId: schedule.scheduleId, jobId: job.jobId });
      } catch (err) {
        this.store.scheduleRan(schedule.scheduleId, next, schedule.lastJobSeq ?? 0);
        this.log.warn('schedule could not submit its job', { scheduleId: schedule.scheduleId, problem: (err as Error).message });
      }
    }
  }
}

function parseCron(expression: string): Cron {
  if (expression.trim().split(/\s+/).length !== 5) {
    throw new HopsError('VALIDATION', `"${expression}" is not a five-field cron expression (minute hour day-of-month month day-of-week), e.g. "*/15 * * * *".`, { field: '/cron' });
  }
  try {
    return new Cron(expression, { timezone: 'UTC', paused: true });
  } catch (err) {
    throw new HopsError('VALIDATION', `"${expression}" is not a cron expression: ${(err as Error).message}.`, { field: '/cron' });
  }
}

function view(schedule: StoredSchedule): JobSchedule {
  return {
    scheduleId: schedule.scheduleId,
    project: schedule.project,
    cron: schedule.cron,
    spec: schedule.spec,
    enabled: schedule.enabled,
    createdBy: schedule.createdBy,
    nextRunMs: schedule.nextRunMs,
    ...(schedule.lastJobSeq === null || schedule.lastJobSeq === 0 ? {} : { lastJobId: jobIdOf(schedule.lastJobSeq) }),
  };
}
