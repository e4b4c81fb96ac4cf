/**
 * The job queue and its history in cluster.db: one row per job, its state, current
 * attempt, placement and timeline, written in the same transaction as each change of
 * state, so that what a client was told survives `kill -9` of the head. Schedules live
 * beside them. Rows are read back into `StoredJob`s; the wire shape is made in jobs.ts.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { JobEndReason, JobHostPlacement, JobTimelineEntry, JobUsage } from '../../protocol/jobs-api.ts';
import type { JobSpec, JobState } from '../../protocol/jobs.ts';
import { jobApiLimits } from '../../protocol/jobs-api.ts';
import { commitTogether, inTransaction, prepared } from './sqlite.ts';

/** Where a job's current attempt runs, with the rendezvous port of a job on several hosts. */
export interface StoredPlacement {
  hosts: JobHostPlacement[];
  masterPort?: number;
}

export interface StoredJob {
  seq: number;
  project: string;
  spec: JobSpec;
  after: string[];
  scheduleId: string | null;
  requestId: string | null;
  state: JobState;
  attempt: number;
  retriesLeft: number;
  submittedBy: string;
  submittedAtMs: number;
  startedAtMs: number | null;
  endedAtMs: number | null;
  placement: StoredPlacement | null;
  endReason: JobEndReason | null;
  exitCode: number | null;
  signal: string | null;
  message: string | null;
  usage: JobUsage | null;
  stopRequested: boolean;
  timeline: JobTimelineEntry[];
}

export interface StoredSchedule {
  scheduleId: string;
  project: string;
  cron: string;
  spec: JobSpec;
  enabled: boolean;
  createdBy: string;
  createdAtMs: number;
  nextRunMs: number | null;
  lastJobSeq: number | null;
}

interface JobRow {
  seq: number;
  project: string;
  spec: string;
  after: string;
  schedule_id: string | null;
  request_id: string | null;
  state: string;
  attempt: number;
  retries_left: number;
  submitted_by: string;
  submitted_at: number;
  started_at: number | null;
  ended_at: number | null;
  placement: string | null;
  end_reason: string | null;
  exit_code: number | null;
  signal: string | null;
  message: string | null;
  usage: string | null;
  stop_requested: number;
  timeline: string;
}

interface ScheduleRow {
  id: string;
  project: string;
  cron: string;
  spec: string;
  enabled: number;
  created_by: string;
  created_at: number;
  next_run_at: number | null;
  last_job_seq: number | null;
}

export const finalStates: readonly JobState[] = ['succeeded', 'failed', 'stopped'];

/** What a new job is stored with. */
export type NewJob = Pick<StoredJob, 'project' | 'spec' | 'after' | 'scheduleId' | 'requestId' | 'submittedBy' | 'submittedAtMs'>;

export class JobStore {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** Runs `work` in one transaction (one fsync for all its changes). */
  transaction<T>(work: () => T): T {
    return inTransaction(this.db, work);
  }

  /**
   * Runs `work` in the transaction shared by the changes of this turn of the event loop, and
   * resolves once that is committed (group commit: one fsync for a burst of submits).
   */
  commitTogether<T>(work: () => T): Promise<T> {
    return commitTogether(this.db, work);
  }

  /** Stores a pending job; returns it with its submit number. */
  insert(job: NewJob): StoredJob {
    const timeline: JobTimelineEntry[] = [{ atMs: job.submittedAtMs, state: 'pending', message: `submitted by ${job.submittedBy}` }];
    const result = prepared(
      this.db,
      `INSERT INTO jobs (project, name, spec, after, schedule_id, request_id, state, attempt, retries_left, submitted_by, submitted_at, timeline)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', 1, ?, ?, ?, ?)`,
    ).run(
      job.project,
      job.spec.name,
      JSON.stringify(job.spec),
      JSON.stringify(job.after),
      job.scheduleId,
      job.requestId,
      job.spec.retries ?? 0,
      job.submittedBy,
      job.submittedAtMs,
      JSON.stringify(timeline),
    );
    return {
      ...job,
      seq: Number(result.lastInsertRowid),
      state: 'pending',
      attempt: 1,
      retriesLeft: job.spec.retries ?? 0,
      startedAtMs: null,
      endedAtMs: null,
      placement: null,
      endReason: null,
      exitCode: null,
      signal: null,
      message: null,
      usage: null,
      stopRequested: false,
      timeline,
    };
  }

  /** The job `user` submitted with `requestId`, if any. */
  byRequest(user: string, requestId: string): StoredJob | undefined {
    const row = prepared(this.db, 'SELECT * FROM jobs WHERE submitted_by = ? AND request_id = ?').get(user, requestId) as JobRow | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  get(seq: number): StoredJob | undefined {
    const row = prepared(this.db, 'SELECT * FROM jobs WHERE seq = ?').get(seq) as JobRow | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  /** Every job not yet ended, in submit order: what the head keeps in memory. */
  active(): StoredJob[] {
    const rows = prepared(this.db, `SELECT * FROM jobs WHERE state NOT IN ('succeeded', 'failed', 'stopped') ORDER BY seq`).all() as unknown as JobRow[];
    return rows.map(fromRow);
  }

  /** A page of jobs, newest first, of `projects` (every project when null). */
  page(filter: { projects: string[] | null; states: JobState[] | null; beforeSeq: number | null; limit: number }): StoredJob[] {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (filter.projects !== null) {
      if (filter.projects.length === 0) return [];
      where.push(`project IN (${filter.projects.map(() => '?').join(', ')})`);
      params.push(...filter.projects);
    }
    if (filter.states !== null) {
      where.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
      params.push(...filter.states);
    }
    if (filter.beforeSeq !== null) {
      where.push('seq < ?');
      params.push(filter.beforeSeq);
    }
    const sql = `SELECT * FROM jobs ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY seq DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, filter.limit) as unknown as JobRow[];
    return rows.map(fromRow);
  }

  /** Writes every field of `job` that changes after submit. */
  update(job: StoredJob): void {
    prepared(
      this.db,
      `UPDATE jobs SET state = ?, attempt = ?, retries_left = ?, started_at = ?, ended_at = ?, placement = ?, end_reason = ?,
         exit_code = ?, signal = ?, message = ?, usage = ?, stop_requested = ?, timeline = ? WHERE seq = ?`,
    ).run(
      job.state,
      job.attempt,
      job.retriesLeft,
      job.startedAtMs,
      job.endedAtMs,
      job.placement === null ? null : JSON.stringify(job.placement),
      job.endReason,
      job.exitCode,
      job.signal,
      job.message,
      job.usage === null ? null : JSON.stringify(job.usage),
      job.stopRequested ? 1 : 0,
      JSON.stringify(trimTimeline(job.timeline)),
      job.seq,
    );
  }

  // Schedules.

  insertSchedule(schedule: StoredSchedule): void {
    prepared(
      this.db,
      `INSERT INTO job_schedules (id, project, cron, spec, enabled, created_by, created_at, next_run_at, last_job_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      schedule.scheduleId,
      schedule.project,
      schedule.cron,
      JSON.stringify(schedule.spec),
      schedule.enabled ? 1 : 0,
      schedule.createdBy,
      schedule.createdAtMs,
      schedule.nextRunMs,
      schedule.lastJobSeq,
    );
  }

  schedules(): StoredSchedule[] {
    const rows = prepared(this.db, 'SELECT * FROM job_schedules ORDER BY created_at').all() as unknown as ScheduleRow[];
    return rows.map(scheduleFromRow);
  }

  scheduleRan(scheduleId: string, nextRunMs: number | null, lastJobSeq: number): void {
    prepared(this.db, 'UPDATE job_schedules SET next_run_at = ?, last_job_seq = ? WHERE id = ?').run(nextRunMs, lastJobSeq, scheduleId);
  }

  deleteSchedule(scheduleId: string): boolean {
    return Number(prepared(this.db, 'DELETE FROM job_schedules WHERE id = ?').run(scheduleId).changes) > 0;
  }
}

/** Keeps the first entry (the submit) and the newest ones. */
function trimTimeline(timeline: JobTimelineEntry[]): JobTimelineEntry[] {
  const max = jobApiLimits.maxTimelineEntries;
  if (timeline.length <= max) return timeline;
  return [timeline[0]!, ...timeline.slice(timeline.length - max + 1)];
}

function fromRow(row: JobRow): StoredJob {
  return {
    seq: row.seq,
    project: row.project,
    spec: JSON.parse(row.spec) as JobSpec,
    after: JSON.parse(row.after) as string[],
    scheduleId: row.schedule_id,
    requestId: row.request_id,
    state: row.state as JobState,
    attempt: row.attempt,
    retriesLeft: row.retries_left,
    submittedBy: row.submitted_by,
    submittedAtMs: row.submitted_at,
    startedAtMs: row.started_at,
    endedAtMs: row.ended_at,
    placement: row.placement === null ? null : (JSON.parse(row.placement) as StoredPlacement),
    endReason: row.end_reason as JobEndReason | null,
    exitCode: row.exit_code,
    signal: row.signal,
    message: row.message,
    usage: row.usage === null ? null : (JSON.parse(row.usage) as JobUsage),
    stopRequested: row.stop_requested === 1,
    timeline: JSON.parse(row.timeline) as JobTimelineEntry[],
  };
}

function scheduleFromRow(row: ScheduleRow): StoredSchedule {
  return {
    scheduleId: row.id,
    project: row.project,
    cron: row.cron,
    spec: JSON.parse(row.spec) as JobSpec,
    enabled: row.enabled === 1,
    createdBy: row.created_by,
    createdAtMs: row.created_at,
    nextRunMs: row.next_run_at,
    lastJobSeq: row.last_job_seq,
  };
}
