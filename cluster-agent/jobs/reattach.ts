/**
 * Finding a job again after the agent that started it went away (restarted, upgraded,
 * killed): the jobs run on in their own process groups, writing their own output files,
 * and `job.json` says which process is theirs. The head reconciles its running jobs with
 * what `reattach` finds on each worker.
 */
import path from 'node:path';
import { pathsOf } from './job-dir.ts';
import { readJobRecord, writeJobRecord, type JobEnd, type JobRecord } from './job-record.ts';
import { endGroup, readBootId, readProcStat } from './proc-group.ts';

/** What `reattach` found of a job. */
export type ReattachResult =
  /** The job's process is still the one the runner started; `record.pgid` addresses its group. */
  | { state: 'running'; record: JobRecord }
  /** The runner saw the run end and recorded how. */
  | { state: 'ended'; record: JobRecord; end: JobEnd }
  /** Nothing runs and nothing says how it ended (the agent was gone when it did), or there is no record. */
  | { state: 'gone'; record?: JobRecord; message: string };

/**
 * Finds the job of directory `jobDir` again: running when its process is alive and is the
 * same process (same boot, same start time, so not a later process given the same pid),
 * ended when the runner recorded the end, gone otherwise. A job that ended while no
 * runner watched it has no known exit code: no process of ours reaped it.
 */
export async function reattach(jobDir: string): Promise<ReattachResult> {
  const record = await readJobRecord(pathsOf(jobDir).record);
  if (record === undefined) return { state: 'gone', message: `${path.join(jobDir, 'job.json')} is missing or unreadable: there is no run to reattach to.` };
  if (record.end !== undefined) return { state: 'ended', record, end: record.end };
  if (record.pid === undefined) return { state: 'gone', record, message: `Job ${record.jobId} never started a process.` };
  const stat = await readProcStat(record.pid);
  const sameBoot = record.bootId === (await readBootId());
  if (stat !== undefined && stat.state !== 'Z' && sameBoot && stat.startTicks === record.procStartTicks) return { state: 'running', record };
  return {
    state: 'gone',
    record,
    message: `Job ${record.jobId} (pid ${record.pid}) is no longer running and ended while no runner watched it; its exit code is not known.`,
  };
}

/**
 * Stops a job found running by `reattach` (SIGTERM to its group, SIGKILL after its grace
 * period) and records the end. Its exit status is not known: the process is no child of
 * this agent. Anything else `reattach` finds is returned as found.
 */
export async function stopReattached(jobDir: string): Promise<ReattachResult> {
  const found = await reattach(jobDir);
  if (found.state !== 'running') return found;
  const { record } = found;
  const groupGone = await endGroup(record.pgid!, record.graceMs);
  const endedAtMs = Date.now();
  const end: JobEnd = {
    reason: 'stopped',
    exitCode: null,
    signal: null,
    message: groupGone
      ? `Stopped after the agent that started it had gone away; its exit status is not known.`
      : `A process of job ${record.jobId}'s group (${record.pgid}) outlived SIGKILL; it is stuck in the kernel, most likely on I/O.`,
    startedAtMs: record.startedAtMs,
    endedAtMs,
    runMs: endedAtMs - record.startedAtMs,
  };
  await writeJobRecord(pathsOf(jobDir).record, { ...record, end });
  return { state: 'ended', record: { ...record, end }, end };
}
