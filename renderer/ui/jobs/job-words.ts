/** Short descriptions of a job for lists and headers: what it asks for, when, and how it ended. */
import type { Job } from '../../../protocol/jobs-api.ts';
import { formatSize } from '../../../protocol/quantities.ts';

/** "4 GPUs · 8 CPUs · 32 GiB", "8 GPUs × 4 hosts (infiniband)". */
export function resourcesWords(job: Job): string {
  const resources = job.spec.resources ?? {};
  const parts: string[] = [];
  const gpus = resources.gpus;
  if (gpus !== undefined) {
    const model = gpus.model === undefined ? '' : ` ${gpus.model}`;
    if (gpus.perHost !== undefined) parts.push(`${gpus.perHost}${model} GPU${gpus.perHost === 1 ? '' : 's'} × ${gpus.hosts ?? 1} host${(gpus.hosts ?? 1) === 1 ? '' : 's'}`);
    else parts.push(`${gpus.count ?? 0}${model} GPU${gpus.count === 1 ? '' : 's'}${gpus.spread ? ' (spread)' : ''}`);
  }
  parts.push(`${resources.cpus ?? 1} CPU${(resources.cpus ?? 1) === 1 ? '' : 's'}`);
  parts.push(formatSize(resources.memoryBytes ?? 1024 ** 3));
  const labels = job.spec.constraints?.labels ?? [];
  return parts.join(' · ') + (labels.length > 0 ? ` (${labels.join(', ')})` : '');
}

/** How an ended job ended, in words: "exit code 0", "stopped", "time limit reached". */
export function endWords(job: Job): string {
  switch (job.endReason) {
    case 'exited':
      return job.exitCode === null || job.exitCode === undefined ? `ended by ${job.signal ?? 'a signal'}` : `exit code ${job.exitCode}`;
    case 'stopped':
      return 'stopped';
    case 'time-limit':
      return 'time limit reached';
    case 'failed-to-start':
      return 'could not start';
    case 'staging-failed':
      return 'datasets could not be staged';
    case 'node-lost':
      return 'a host was lost';
    case 'dependency-failed':
      return 'a job it waited for did not succeed';
    default:
      return '';
  }
}

/** The command line as argv, each argument quoted where a reader could misread it. */
export function argvWords(job: Pick<Job, 'spec'>): string {
  return [job.spec.command, ...(job.spec.args ?? [])].map((arg) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ');
}
