/**
 * Jobs: what a researcher asks to run (the job specification, from the UI form, CLI flags or
 * a YAML file), the states a job goes through, and why a pending job waits.
 *
 * GPUs are asked for in one of three shapes (docs/scheduler.md):
 * - `{count: 4}` — "4 GPUs on any host": all 4 on one host, whichever has them. With
 *   `spread: true` they may be split over several hosts (the fewest that hold them), for
 *   programs that launch one process per host themselves.
 * - `{perHost: 10, hosts: 1}` — "10 GPUs on 1 host".
 * - `{perHost: 8, hosts: 4}` plus `constraints.labels: ['infiniband']` — "32 GPUs on 4
 *   hosts with Infiniband": a gang, started on all its hosts at once or not at all.
 * CPUs and memory are per host: a gang gets them on each of its hosts.
 *
 * Shared by the agent API (head routes), the desktop API and the CLI.
 */
import { Type, type Static } from '@sinclair/typebox';
import { fsIsWithin, fsPathProblem, parseFsPath, utf8Length } from './fs.ts';
import { HopsError } from './errors.ts';
import { ProjectName } from './projects.ts';

/** Bounds of a job specification. */
export const jobLimits = {
  maxNameLength: 128,
  /** The program: a path in the project or a program on the host's PATH. */
  maxCommandBytes: 4096,
  maxArgs: 4096,
  /** Command and arguments together, in UTF-8 bytes (Linux allows 128 KiB per argument). */
  maxArgvBytes: 128 * 1024,
  maxEnvVars: 1024,
  /** Every `NAME=value` of the environment together, in UTF-8 bytes. */
  maxEnvBytes: 64 * 1024,
  maxEnvNameLength: 256,
  maxDatasets: 64,
  maxCpus: 1024,
  maxMemoryBytes: 64 * 1024 ** 4,
  maxGpus: 1024,
  maxGpusPerHost: 64,
  maxHosts: 256,
  maxLabels: 32,
  maxLabelLength: 128,
  maxModelLength: 128,
  minPriority: -100,
  maxPriority: 100,
  minTimeLimitMs: 1000,
  maxTimeLimitMs: 90 * 24 * 3600 * 1000,
  maxRetries: 10,
} as const;

/** What a specification leaves out means this. */
export const jobDefaults = {
  cpus: 1,
  memoryBytes: 1024 ** 3,
  priority: 0,
  retries: 0,
} as const;

/**
 * Variables the scheduler sets for a job (its GPUs, and torchrun's rendezvous for gangs); a
 * job may not set them itself, or it could reach GPUs it was not given.
 */
export const schedulerEnvNames = ['CUDA_VISIBLE_DEVICES', 'MASTER_ADDR', 'MASTER_PORT', 'WORLD_SIZE', 'RANK', 'LOCAL_RANK', 'NODE_RANK'] as const;

/** Starts with a letter or digit; letters, digits, `.`, `_`, `-` — safe in a path, a log line and a shell. */
export const JobName = Type.String({ minLength: 1, maxLength: jobLimits.maxNameLength, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });
export const EnvName = Type.String({ minLength: 1, maxLength: jobLimits.maxEnvNameLength, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' });
/** Text handed to a process: any characters but NUL, which cannot cross `execve`. */
const ProcessText = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength, pattern: '^[^\\u0000]*$' });
/** A host label or GPU model as written: printable, no control characters. */
const Word = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });

export const GpuRequest = Type.Object(
  {
    /** GPUs in all; `perHost × hosts` when both are given. */
    count: Type.Optional(Type.Integer({ minimum: 0, maximum: jobLimits.maxGpus })),
    /** Only GPUs whose model contains this, case-insensitively ("A100", "RTX 4090"). */
    model: Type.Optional(Word(jobLimits.maxModelLength)),
    /** GPUs on each host of a gang; 0 makes a CPU-only gang. */
    perHost: Type.Optional(Type.Integer({ minimum: 0, maximum: jobLimits.maxGpusPerHost })),
    /** Hosts of a gang (with `perHost`; 1 when left out). */
    hosts: Type.Optional(Type.Integer({ minimum: 1, maximum: jobLimits.maxHosts })),
    /** With `count` alone: the GPUs may be split over several hosts. */
    spread: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type GpuRequest = Static<typeof GpuRequest>;

export const JobResources = Type.Object(
  {
    /** CPUs on each host of the job. */
    cpus: Type.Optional(Type.Integer({ minimum: 1, maximum: jobLimits.maxCpus })),
    /** Memory on each host of the job. */
    memoryBytes: Type.Optional(Type.Integer({ minimum: 1, maximum: jobLimits.maxMemoryBytes })),
    gpus: Type.Optional(GpuRequest),
  },
  { additionalProperties: false },
);
export type JobResources = Static<typeof JobResources>;

export const JobSpec = Type.Object(
  {
    name: JobName,
    project: ProjectName,
    /** Run as argv, never through a shell: `command` is argv[0]. */
    command: ProcessText(jobLimits.maxCommandBytes, 1),
    args: Type.Optional(Type.Array(ProcessText(jobLimits.maxArgvBytes), { maxItems: jobLimits.maxArgs })),
    env: Type.Optional(
      Type.Record(EnvName, ProcessText(jobLimits.maxEnvBytes), { maxProperties: jobLimits.maxEnvVars, additionalProperties: false }),
    ),
    /** Dataset paths staged in, read-only, before the job starts. */
    datasets: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 8192 }), { maxItems: jobLimits.maxDatasets })),
    /** Where the job's output is written back when it ends. */
    output: Type.Optional(Type.String({ minLength: 1, maxLength: 8192 })),
    resources: Type.Optional(JobResources),
    constraints: Type.Optional(
      Type.Object(
        { labels: Type.Optional(Type.Array(Word(jobLimits.maxLabelLength), { maxItems: jobLimits.maxLabels })) },
        { additionalProperties: false },
      ),
    ),
    /** Orders jobs within a project; higher first. */
    priority: Type.Optional(Type.Integer({ minimum: jobLimits.minPriority, maximum: jobLimits.maxPriority })),
    /** Stopped when it runs this long; also the scheduler's estimate for backfill. */
    timeLimitMs: Type.Optional(Type.Integer({ minimum: jobLimits.minTimeLimitMs, maximum: jobLimits.maxTimeLimitMs })),
    /** Times a failed run is started again. */
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: jobLimits.maxRetries })),
  },
  { additionalProperties: false },
);
export type JobSpec = Static<typeof JobSpec>;

/**
 * `pending` → `starting` (placed; datasets staging) → `running` → `succeeded` | `failed`;
 * `stopping` while a stop is delivered, then `stopped`. A failed run with retries left
 * goes back to `pending`.
 */
export const JobState = Type.Union([
  Type.Literal('pending'),
  Type.Literal('starting'),
  Type.Literal('running'),
  Type.Literal('stopping'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('stopped'),
]);
export type JobState = Static<typeof JobState>;

/**
 * Why a pending job waits, in words (`message`) and as a kind a program can sort by:
 * - `never-fits`: the cluster as it is can never run it (it would be refused at submit);
 * - `no-eligible-host`: no healthy host has what it needs at all (label, GPU model), e.g.
 *   because the one that has is unreachable;
 * - `resources`: eligible hosts exist but not enough is free now;
 * - `behind`: it would fit, but what is free is kept for `blockedBy`, which comes first.
 * `expectedStartMs` is when its reserved start falls, where time limits allow an estimate.
 */
export const PendingReason = Type.Object({
  kind: Type.Union([Type.Literal('never-fits'), Type.Literal('no-eligible-host'), Type.Literal('resources'), Type.Literal('behind')]),
  message: Type.String(),
  blockedBy: Type.Optional(Type.String()),
  expectedStartMs: Type.Optional(Type.Number()),
});
export type PendingReason = Static<typeof PendingReason>;

/** A rule of the specification that its schema cannot say, broken: where, and why. */
export interface JobSpecProblem {
  field: string;
  message: string;
}

function datasetPathProblem(path: string, field: string): JobSpecProblem | undefined {
  const problem = fsPathProblem(path);
  if (problem !== undefined) return { field, message: problem.message };
  const level = parseFsPath(path).level;
  if (level !== 'dataset' && level !== 'inside') {
    return { field, message: `${JSON.stringify(path)} is not a dataset: give /Projects/<project>/<dataset> or a path inside one.` };
  }
  return undefined;
}

/**
 * The first rule a schema-valid specification breaks that JSON Schema cannot express
 * (sizes of argv and environment together, names the scheduler owns, the GPU shape, the
 * dataset paths), or undefined when it is sound.
 */
export function jobSpecProblem(spec: JobSpec): JobSpecProblem | undefined {
  const argvBytes = [spec.command, ...(spec.args ?? [])].reduce((sum, arg) => sum + utf8Length(arg) + 1, 0);
  if (argvBytes > jobLimits.maxArgvBytes) {
    return { field: '/args', message: `The command and its arguments take ${argvBytes} bytes; at most ${jobLimits.maxArgvBytes} are allowed.` };
  }
  const env = Object.entries(spec.env ?? {});
  const envBytes = env.reduce((sum, [name, value]) => sum + utf8Length(name) + utf8Length(value) + 2, 0);
  if (envBytes > jobLimits.maxEnvBytes) {
    return { field: '/env', message: `The environment takes ${envBytes} bytes; at most ${jobLimits.maxEnvBytes} are allowed.` };
  }
  const owned = env.find(([name]) => (schedulerEnvNames as readonly string[]).includes(name));
  if (owned !== undefined) {
    return { field: `/env/${owned[0]}`, message: `${owned[0]} is set by the scheduler for the GPUs and hosts it gives the job; remove it from the environment.` };
  }
  const gpus = spec.resources?.gpus;
  if (gpus !== undefined) {
    const field = '/resources/gpus';
    if (gpus.hosts !== undefined && gpus.perHost === undefined) {
      return { field: `${field}/hosts`, message: 'A number of hosts needs GPUs per host with it (e.g. perHost 8 on hosts 4).' };
    }
    if (gpus.perHost !== undefined) {
      const total = gpus.perHost * (gpus.hosts ?? 1);
      if (gpus.count !== undefined && gpus.count !== total) {
        return { field: `${field}/count`, message: `count ${gpus.count} differs from perHost × hosts = ${total}; give one or make them agree.` };
      }
      if (total > jobLimits.maxGpus) return { field, message: `The job asks ${total} GPUs; at most ${jobLimits.maxGpus} are allowed.` };
      if (gpus.spread === true) return { field: `${field}/spread`, message: 'spread is for a count alone; perHost and hosts already say where the GPUs go.' };
    } else if (gpus.count === undefined) {
      return { field, message: 'Give a GPU count, or GPUs per host and a number of hosts.' };
    }
  }
  for (const [index, path] of (spec.datasets ?? []).entries()) {
    const problem = datasetPathProblem(path, `/datasets/${index}`);
    if (problem !== undefined) return problem;
  }
  if (spec.output !== undefined) {
    const problem = datasetPathProblem(spec.output, '/output');
    if (problem !== undefined) return problem;
    const overlap = (spec.datasets ?? []).find((path) => fsIsWithin(spec.output!, path) || fsIsWithin(path, spec.output!));
    if (overlap !== undefined) {
      return { field: '/output', message: `The output ${JSON.stringify(spec.output)} overlaps the staged-in dataset ${JSON.stringify(overlap)}, which is read-only.` };
    }
  }
  return undefined;
}

/** Throws a 400 `VALIDATION` naming the field when `jobSpecProblem` finds one. */
export function checkJobSpec(spec: JobSpec): JobSpec {
  const problem = jobSpecProblem(spec);
  if (problem !== undefined) throw new HopsError('VALIDATION', problem.message, { field: problem.field });
  return spec;
}
