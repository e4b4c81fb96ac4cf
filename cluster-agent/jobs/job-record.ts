/**
 * `job.json`: what a worker knows of a job run, on disk, so that an agent started again
 * while a job runs finds it (reattach.ts) and one started after it ended can say how it
 * ended. Written atomically: a reader sees the old record or the new one.
 */
import { open, readFile, rename } from 'node:fs/promises';

/** Why a run ended. */
export type JobEndReason = 'exited' | 'stopped' | 'time-limit' | 'failed-to-start';

/** How a run ended. */
export interface JobEnd {
  reason: JobEndReason;
  /** The exit code, when the process exited by itself. */
  exitCode: number | null;
  /** The signal that ended it, when one did. */
  signal: string | null;
  /** Why it could not start, or other words a person needs (e.g. a process that outlived SIGKILL). */
  message?: string;
  startedAtMs: number;
  endedAtMs: number;
  /** endedAtMs − startedAtMs. */
  runMs: number;
}

/** The record of one run, as kept in `job.json`. */
export interface JobRecord {
  version: 1;
  jobId: string;
  argv: string[];
  /** Absent when the process never started. */
  pid?: number;
  /** The job's process group: its pid, since it leads its own group. */
  pgid?: number;
  /** The process's start time in clock ticks after boot (/proc/<pid>/stat field 22), and the boot. */
  procStartTicks?: number;
  bootId?: string;
  startedAtMs: number;
  timeLimitMs?: number;
  graceMs: number;
  /** Present once the run has ended and the runner saw it end. */
  end?: JobEnd;
}

/** Writes `record` to `file` atomically (temp file, fsync, rename), mode 0600. */
export async function writeJobRecord(file: string, record: JobRecord): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(record, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}

/** Reads a record; undefined when there is none or it is not one. */
export async function readJobRecord(file: string): Promise<JobRecord | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  const record = parsed as Partial<JobRecord> | null;
  const sound = record !== null && typeof record === 'object' && record.version === 1 && typeof record.jobId === 'string' && typeof record.startedAtMs === 'number';
  return sound ? (record as JobRecord) : undefined;
}
