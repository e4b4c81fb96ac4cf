/**
 * Per-project byte quotas. A project's usage is the logical size of its complete files
 * (a trashed file counts until it is purged; a shared dataset counts for the project that
 * owns it) plus what its uploads in progress reserve: their declared size, or what they
 * committed so far when the size was not declared. The cluster database keeps the usage
 * itself, by triggers, in the transaction of every change (`cluster-db.ts`); this module
 * only sets quotas and checks room.
 *
 * Only the cluster admin sets a quota (null: unlimited, the default). Lowering it below
 * the usage keeps every file and refuses new uploads until room is made.
 */
import { HopsError } from '../../protocol/errors.ts';
import type { User } from '../../protocol/projects.ts';
import { requireAdmin } from './permissions.ts';
import type { ProjectRecord, ProjectStore } from './project-store.ts';
import type { UploadSessionStore } from './upload-sessions-store.ts';

/** Bytes as a person reads them: binary units, three significant digits. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toPrecision(3).replace(/\.?0+$/, '')} ${units[unit]}`;
}

/** The project a check is about. */
export interface QuotaProject {
  id: number;
  name: string;
}

export class Quotas {
  private readonly projects: ProjectStore;
  private readonly uploads: UploadSessionStore;
  private readonly now: () => number;

  constructor(projects: ProjectStore, uploads: UploadSessionStore, now: () => number = Date.now) {
    this.projects = projects;
    this.uploads = uploads;
    this.now = now;
  }

  /** Sets the byte quota of `project` (cluster admin; null lifts it), audited. */
  set(caller: User, project: string, quotaBytes: number | null): void {
    requireAdmin(caller, `setting the quota of "${project}"`);
    this.uploads.transaction(() => {
      const record = this.find(project);
      const before = this.projects.quota(record.id);
      this.uploads.setQuota(record.id, quotaBytes);
      const detail =
        quotaBytes === null
          ? `quota lifted (was ${before.quotaBytes === null ? 'none' : formatBytes(before.quotaBytes)}); uses ${formatBytes(before.usedBytes)}`
          : `quota set to ${formatBytes(quotaBytes)} (was ${before.quotaBytes === null ? 'none' : formatBytes(before.quotaBytes)}); uses ${formatBytes(before.usedBytes)}`;
      this.projects.appendAudit({ atMs: this.now(), user: caller.name, action: 'project.quota', projectId: record.id, project: record.name, target: null, detail });
    });
  }

  /** Bytes `projectId` may still take; Infinity without a quota. */
  headroom(projectId: number): number {
    const { quotaBytes, usedBytes } = this.projects.quota(projectId);
    return quotaBytes === null ? Number.POSITIVE_INFINITY : Math.max(0, quotaBytes - usedBytes);
  }

  /**
   * Throws 507 `QUOTA_EXCEEDED` unless `bytes` more fit in the project's quota; `what`
   * words the upload ("the upload of /Projects/p/d/f (2 GiB)"). Call it inside the
   * transaction that takes the bytes, so the check and the change land together.
   */
  ensureRoom(project: QuotaProject, bytes: number, what: string): void {
    const { quotaBytes, usedBytes } = this.projects.quota(project.id);
    if (quotaBytes === null || usedBytes + bytes <= quotaBytes) return;
    throw this.exceeded(project, what);
  }

  /** The 507 for `project`, saying what it uses, its quota and what was refused. */
  exceeded(project: QuotaProject, what: string): HopsError {
    const { quotaBytes, usedBytes } = this.projects.quota(project.id);
    const quota = quotaBytes ?? 0;
    return new HopsError(
      'QUOTA_EXCEEDED',
      `Project "${project.name}" uses ${formatBytes(usedBytes)} of its ${formatBytes(quota)} quota; ${what} does not fit (${formatBytes(Math.max(0, quota - usedBytes))} left), and nothing of it was kept.`,
    );
  }

  private find(name: string): ProjectRecord {
    const record = this.projects.project(name);
    if (record === undefined) throw new HopsError('PROJECT_NOT_FOUND', `The cluster has no project "${name}".`);
    return record;
  }
}
