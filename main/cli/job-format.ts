/** Jobs and schedules as the terminal shows them: the list's table and a job's full status. */
import type { Job, JobSchedule } from '../../protocol/jobs-api.ts';
import { jobDefaults, type GpuRequest } from '../../protocol/jobs.ts';
import { formatDuration, formatSize } from '../../protocol/quantities.ts';
import { formatTable } from './format.ts';

/** A pending reason in the list is cut here; `job status` has it whole. */
const reasonWidth = 48;

/** The jobs table: id, name, project, state, GPUs and hosts, age or run time, why it waits. */
export function jobTable(jobs: readonly Job[], nowMs = Date.now()): string {
  if (jobs.length === 0) return '(no jobs)';
  const rows = jobs.map((job) => [
    job.jobId,
    job.spec.name,
    job.spec.project,
    job.attempt > 1 ? `${job.state} (run ${job.attempt})` : job.state,
    gpusAndHosts(job),
    timeOf(job, nowMs),
    job.state === 'pending' ? shorten(job.pendingReason?.message ?? '', reasonWidth) : endedHow(job),
  ]);
  return formatTable(['ID', 'NAME', 'PROJECT', 'STATE', 'GPUS/HOSTS', 'TIME', 'REASON'], rows);
}

/** Everything about one job: its request, where it runs, why it waits or how it ended, its timeline. */
export function jobStatus(job: Job, nowMs = Date.now()): string {
  const { spec } = job;
  const lines: Array<[string, string]> = [
    ['Job', `${job.jobId} (${spec.name})`],
    ['Project', spec.project],
    ['State', `${job.state}${job.attempt > 1 ? `, run ${job.attempt} of ${1 + (spec.retries ?? 0)}` : ''}`],
    ['Command', [spec.command, ...(spec.args ?? [])].map(quoted).join(' ')],
    ['Asks', asks(job)],
    ['Submitted', `${when(job.submittedAtMs)} by ${job.submittedBy}`],
  ];
  if (job.after.length > 0) lines.push(['After', job.after.join(', ')]);
  if (job.scheduleId !== undefined) lines.push(['Schedule', job.scheduleId]);
  if (job.state === 'pending' && job.pendingReason !== undefined) {
    const expected = job.pendingReason.expectedStartMs === undefined ? '' : ` (expected to start ${when(job.pendingReason.expectedStartMs)})`;
    lines.push(['Waiting', `${job.pendingReason.message}${expected}`]);
  }
  if (job.startedAtMs !== undefined) lines.push(['Started', when(job.startedAtMs)]);
  if (job.endedAtMs !== undefined) lines.push(['Ended', `${when(job.endedAtMs)}${job.startedAtMs === undefined ? '' : ` after ${formatDuration(job.endedAtMs - job.startedAtMs)}`}`]);
  else if (job.startedAtMs !== undefined) lines.push(['Running', formatDuration(nowMs - job.startedAtMs)]);
  const how = endedHow(job);
  if (how !== '') lines.push(['Outcome', how]);
  if (job.message !== undefined) lines.push(['Message', job.message]);
  if (job.usage !== undefined) {
    const gpu = job.usage.peakGpuPercent === undefined ? '' : `, GPU peak ${Math.round(job.usage.peakGpuPercent)}%`;
    lines.push(['Usage', `${job.usage.cpuSeconds.toFixed(1)} CPU-seconds, memory peak ${formatSize(job.usage.peakMemoryBytes)}${gpu}`]);
  }
  lines.push(['Logs', job.logDir]);
  for (const [index, host] of (job.placement ?? []).entries()) {
    const gpus = host.gpus.length === 0 ? 'no GPU' : `GPU${host.gpus.length > 1 ? 's' : ''} ${host.gpus.join(',')}`;
    lines.push([index === 0 ? 'Placement' : '', `${host.name} (rank ${host.rank}): ${gpus}, ${host.cpus} CPU${host.cpus === 1 ? '' : 's'}, ${formatSize(host.memoryBytes)}`]);
  }
  const width = Math.max(...lines.map(([key]) => key.length));
  const timeline = job.timeline.map((entry) => `  ${when(entry.atMs)}  ${entry.state.padEnd(9)}${entry.message === undefined ? '' : `  ${entry.message}`}`.trimEnd());
  return [...lines.map(([key, value]) => `${key.padEnd(width)}  ${value}`), '', 'Timeline (UTC):', ...timeline].join('\n');
}

/** The schedules table. */
export function scheduleTable(schedules: readonly JobSchedule[]): string {
  if (schedules.length === 0) return '(no schedules)';
  const rows = schedules.map((s) => [
    s.scheduleId,
    s.cron,
    s.spec.name,
    s.spec.project,
    s.enabled ? (s.nextRunMs === null ? '-' : when(s.nextRunMs)) : 'disabled',
    s.lastJobId ?? '-',
  ]);
  return formatTable(['ID', 'CRON (UTC)', 'NAME', 'PROJECT', 'NEXT RUN (UTC)', 'LAST JOB'], rows);
}

/** How a job ended, in a few words: "exit 3", "node lost", "stopped". */
export function endedHow(job: Job): string {
  if (job.endReason === undefined) return '';
  if (job.endReason === 'exited') return job.exitCode === null || job.exitCode === undefined ? `signal ${job.signal ?? '?'}` : `exit ${job.exitCode}`;
  const words = job.endReason.replace(/-/g, ' ');
  return job.signal ? `${words} (${job.signal})` : words;
}

/** The GPUs asked for, in the shapes' words: "4", "4 spread", "8×4" (per host × hosts). */
export function gpuShape(gpus: GpuRequest | undefined): string {
  if (gpus === undefined) return '-';
  const shape = gpus.perHost !== undefined ? `${gpus.perHost}×${gpus.hosts ?? 1}` : `${gpus.count ?? 0}${gpus.spread ? ' spread' : ''}`;
  return gpus.model === undefined ? shape : `${shape} ${gpus.model}`;
}

function gpusAndHosts(job: Job): string {
  const shape = gpuShape(job.spec.resources?.gpus);
  const placement = job.placement ?? [];
  if (placement.length === 0) return shape;
  return `${shape} @${placement.length === 1 ? placement[0]!.name : `${placement.length} hosts`}`;
}

/** Pending: how long it has waited; running: how long it runs; ended: how long it ran. */
function timeOf(job: Job, nowMs: number): string {
  if (job.startedAtMs === undefined) return job.endedAtMs === undefined ? `${formatDuration(nowMs - job.submittedAtMs)} ago` : '-';
  return formatDuration((job.endedAtMs ?? nowMs) - job.startedAtMs);
}

function asks(job: Job): string {
  const r = job.spec.resources;
  const cpus = r?.cpus ?? jobDefaults.cpus;
  const parts = [`${cpus} CPU${cpus === 1 ? '' : 's'} and ${formatSize(r?.memoryBytes ?? jobDefaults.memoryBytes)} per host`];
  if (r?.gpus !== undefined) parts.push(`GPUs ${gpuShape(r.gpus)}`);
  const labels = job.spec.constraints?.labels ?? [];
  if (labels.length > 0) parts.push(`labels ${labels.join(',')}`);
  if (job.spec.timeLimitMs !== undefined) parts.push(`time limit ${formatDuration(job.spec.timeLimitMs)}`);
  if (job.spec.priority) parts.push(`priority ${job.spec.priority}`);
  return parts.join('; ');
}

function shorten(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** An argument shown so it could be typed again: quoted when a shell would read it otherwise. */
function quoted(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function when(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
