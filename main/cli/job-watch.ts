/**
 * Watching a job from the command line (`job submit --wait`, `job logs -f`): its log lines
 * as the core's `job.log` events bring them, its changes of state as `job.changed` brings
 * them, until `job.logEnd`. Ctrl-C leaves the watch; the job runs on.
 */
import type { EventPayload } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { Job, JobLogStream } from '../../protocol/jobs-api.ts';
import type { Core } from '../core/core.ts';
import { endedHow } from './job-format.ts';

export interface WatchOptions {
  cluster: string | undefined;
  jobId: string;
  /** Which log lines to pass on (none: only the end is waited for). */
  streams: ReadonlySet<JobLogStream>;
  onLine: (stream: JobLogStream, line: string) => void;
  /** A change of the job's state, as the cluster reports it. */
  onChange?: (job: Job) => void;
}

export type WatchEnd = { job: Job; interrupted: false } | { interrupted: true };

/** Follows a job until it ends (resolving with how it ended) or Ctrl-C (leaving it running). */
export async function watchJob(core: Core, options: WatchOptions): Promise<WatchEnd> {
  let followId: string | undefined;
  // Events of this follow may come before its id is known; they wait here until it is.
  const early: Array<[string, unknown]> = [];
  let lastState: string | undefined;
  let settle: (end: WatchEnd | Error) => void = () => undefined;
  const ended = new Promise<WatchEnd | Error>((resolve) => (settle = resolve));

  const handle = (event: string, payload: unknown) => {
    if (event === 'job.changed') {
      const { job } = payload as EventPayload<'job.changed'>;
      if (job.jobId !== options.jobId || job.state === lastState) return;
      lastState = job.state;
      options.onChange?.(job);
      return;
    }
    if (event === 'job.log') {
      const log = payload as EventPayload<'job.log'>;
      if (log.followId !== followId || !options.streams.has(log.stream)) return;
      for (const line of log.lines) options.onLine(log.stream, line);
      return;
    }
    if (event === 'job.logEnd') {
      const end = payload as EventPayload<'job.logEnd'>;
      if (end.followId !== followId) return;
      if (end.job !== undefined) {
        if (end.job.state !== lastState) options.onChange?.(end.job);
        settle({ job: end.job, interrupted: false });
      } else {
        settle(new HopsError('AGENT_UNREACHABLE', end.error ?? `Following job ${options.jobId} ended early.`, {
          hint: `The job is not affected; see it with \`hopsdesk job status ${options.jobId}\`.`,
        }));
      }
    }
  };
  const unsubscribe = core.subscribe((event, payload) => {
    if (followId === undefined && (event === 'job.log' || event === 'job.logEnd')) early.push([event, payload]);
    else handle(event, payload);
  });
  const onInterrupt = () => settle({ interrupted: true });
  process.once('SIGINT', onInterrupt);
  try {
    const cluster = options.cluster === undefined ? {} : { cluster: options.cluster };
    ({ followId } = (await core.dispatch('job.follow', { ...cluster, jobId: options.jobId })) as { followId: string });
    for (const [event, payload] of early.splice(0)) handle(event, payload);
    const end = await ended;
    if (end instanceof Error) throw end;
    return end;
  } finally {
    process.off('SIGINT', onInterrupt);
    unsubscribe();
    if (followId !== undefined) await core.dispatch('job.unfollow', { followId }).catch(() => undefined);
  }
}

/**
 * The exit code a waited-for job gives the command: its own exit code, 0 when it succeeded,
 * and 1 (with `message` saying why) when it ended without one — stopped, node lost, failed
 * to start, killed by a signal, over its time limit.
 */
export function exitOf(job: Job): { code: number; message?: string } {
  if (job.state === 'succeeded') return { code: 0 };
  if (job.state === 'failed' && job.endReason === 'exited' && typeof job.exitCode === 'number' && job.exitCode > 0) {
    return { code: Math.min(job.exitCode, 255) };
  }
  const how = endedHow(job) || job.state;
  const detail = job.message === undefined ? '' : `: ${job.message}`;
  return { code: 1, message: `Job ${job.jobId} ${job.state === 'stopped' ? 'was stopped' : `${job.state} without an exit code`} (${how})${detail}` };
}

/** One line on stderr per change of state while waiting: "j-17 running on gpu-a (GPUs 0,1)". */
export function stateLine(job: Job): string {
  const where = (job.placement ?? []).map((host) => `${host.name}${host.gpus.length === 0 ? '' : ` (GPUs ${host.gpus.join(',')})`}`).join(', ');
  switch (job.state) {
    case 'pending':
      return `${job.jobId} pending${job.pendingReason === undefined ? '' : `: ${job.pendingReason.message}`}`;
    case 'starting':
    case 'running':
      return `${job.jobId} ${job.state}${where === '' ? '' : ` on ${where}`}`;
    default: {
      const how = endedHow(job);
      return `${job.jobId} ${job.state}${how === '' ? '' : ` (${how})`}${job.message === undefined ? '' : `: ${job.message}`}`;
    }
  }
}
