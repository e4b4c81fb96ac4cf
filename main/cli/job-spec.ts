/**
 * The flags of `hopsdesk job submit` and `job schedule create` turned into a job
 * specification, over a job file's when `-f` is given (a flag beside the file wins). Every
 * mistake is reported under the flag that made it (`--memory`, `--gpus`), or under the file's
 * key and line, before anything reaches the cluster.
 */
import path from 'node:path';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { HopsError } from '../../protocol/errors.ts';
import { EnvName, JobSpec, jobLimits, jobSpecProblem, type GpuRequest } from '../../protocol/jobs.ts';
import { JobId } from '../../protocol/jobs-api.ts';
import { parseDuration, parseSize } from '../../protocol/quantities.ts';
import type { JobFile } from './job-file.ts';

/** The spec's flags as `parseArgs` gives them. */
export interface JobSpecFlags {
  project?: string;
  name?: string;
  gpus?: string;
  spread?: boolean;
  'gpus-per-host'?: string;
  hosts?: string;
  'gpu-model'?: string;
  label?: string[];
  cpus?: string;
  memory?: string;
  dataset?: string[];
  output?: string;
  'time-limit'?: string;
  retries?: string;
  priority?: string;
  env?: string[];
  after?: string[];
}

export interface JobRequest {
  spec: JobSpec;
  /** Jobs that must succeed first. */
  after: string[] | undefined;
}

const checkSpec = TypeCompiler.Compile(JobSpec);
const checkEnvName = TypeCompiler.Compile(EnvName);
const checkJobId = TypeCompiler.Compile(JobId);

/** Where in the specification each flag writes: how a problem found there is reported. */
const flagOf: Array<[pointer: string, flag: string]> = [
  ['/name', '--name'],
  ['/project', '--project'],
  ['/command', 'COMMAND'],
  ['/args', 'COMMAND'],
  ['/env', '--env'],
  ['/datasets', '--dataset'],
  ['/output', '--output'],
  ['/resources/cpus', '--cpus'],
  ['/resources/memoryBytes', '--memory'],
  ['/resources/gpus/perHost', '--gpus-per-host'],
  ['/resources/gpus/hosts', '--hosts'],
  ['/resources/gpus/model', '--gpu-model'],
  ['/resources/gpus/spread', '--spread'],
  ['/resources/gpus', '--gpus'],
  ['/constraints/labels', '--label'],
  ['/priority', '--priority'],
  ['/timeLimitMs', '--time-limit'],
  ['/retries', '--retries'],
];

/**
 * The specification the flags and `command` (the words after `--`) make, over `file`'s.
 * Throws a `VALIDATION` error naming the flag (or the file's key and line) at the first mistake.
 */
export function jobRequest(flags: JobSpecFlags, command: readonly string[], file?: JobFile): JobRequest {
  const spec: Record<string, unknown> = structuredClone(file?.spec ?? {});
  const given = new Set<string>();
  const set = (pointer: string, value: unknown) => {
    given.add(pointer);
    return value;
  };
  if (command.length > 0) {
    spec.command = set('/command', command[0]);
    spec.args = set('/args', command.slice(1));
  }
  if (flags.project !== undefined) spec.project = set('/project', flags.project);
  if (flags.name !== undefined) spec.name = set('/name', flags.name);
  if (flags.output !== undefined) spec.output = set('/output', flags.output);
  if (flags.dataset !== undefined) spec.datasets = set('/datasets', flags.dataset);
  if (flags.priority !== undefined) spec.priority = set('/priority', wholeNumber(flags.priority, '--priority', jobLimits.minPriority, jobLimits.maxPriority));
  if (flags.retries !== undefined) spec.retries = set('/retries', wholeNumber(flags.retries, '--retries', 0, jobLimits.maxRetries));
  if (flags['time-limit'] !== undefined) {
    const ms = parseDuration(flags['time-limit'], '--time-limit');
    if (ms < jobLimits.minTimeLimitMs || ms > jobLimits.maxTimeLimitMs) {
      throw flagError('--time-limit', `--time-limit must be between 1s and 90d, not "${flags['time-limit']}".`);
    }
    spec.timeLimitMs = set('/timeLimitMs', ms);
  }
  if (flags.env !== undefined) spec.env = set('/env', { ...(spec.env as Record<string, string> | undefined), ...environment(flags.env) });
  if (flags.label !== undefined) spec.constraints = set('/constraints/labels', { labels: flags.label });

  const resources: Record<string, unknown> = { ...(spec.resources as Record<string, unknown> | undefined) };
  if (flags.cpus !== undefined) resources.cpus = set('/resources/cpus', wholeNumber(flags.cpus, '--cpus', 1, jobLimits.maxCpus));
  if (flags.memory !== undefined) {
    const bytes = parseSize(flags.memory, '--memory');
    if (bytes < 1 || bytes > jobLimits.maxMemoryBytes) throw flagError('--memory', `--memory must be between 1 byte and 64 TiB, not "${flags.memory}".`);
    resources.memoryBytes = set('/resources/memoryBytes', bytes);
  }
  const gpus = gpuRequest(flags, resources.gpus as GpuRequest | undefined, set);
  if (gpus !== undefined) resources.gpus = gpus;
  if (Object.keys(resources).length > 0) spec.resources = resources;

  if (spec.project === undefined) {
    throw new HopsError('VALIDATION', 'Which project is the job for? Give --project P (or project: in the job file).', {
      field: '--project',
      hint: '`hopsdesk project list` shows the projects you are in.',
    });
  }
  if (spec.command === undefined) {
    throw new HopsError('VALIDATION', 'No command to run: put it after --, e.g. hopsdesk job submit --project P -- python train.py --epochs 10.', {
      field: 'COMMAND',
      hint: 'Everything after -- is the command and its arguments, passed as they are (never through a shell).',
    });
  }
  spec.name ??= defaultName(String(spec.command));

  const after = flags.after ?? file?.after;
  for (const id of after ?? []) {
    if (!checkJobId.Check(id)) throw flagError(flags.after ? '--after' : (file?.where('/after') ?? '--after'), `"${id}" is not a job id; job ids look like j-17.`);
  }
  const problem = schemaProblem(spec) ?? jobSpecProblem(spec as JobSpec);
  if (problem !== undefined) {
    const fromFile = file !== undefined && ![...given].some((pointer) => problem.field.startsWith(pointer));
    const inFile = fromFile ? file.where(problem.field) : undefined;
    const flag = flagFor(problem.field);
    throw new HopsError('VALIDATION', `${inFile ?? flag.words}: ${problem.message}`, {
      field: inFile === undefined ? flag.field : inFile.split(' ')[0]!,
      hint: inFile === undefined ? 'Fix the named flag; `hopsdesk --help` shows the job flags.' : 'Fix the value in the job file, or give it as a flag.',
    });
  }
  return { spec: spec as JobSpec, after };
}

/** The command's base name made into a job name: `python3` for `/usr/bin/python3`, `job` when nothing is left. */
export function defaultName(command: string): string {
  const safe = path.posix
    .basename(command)
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, jobLimits.maxNameLength);
  return safe === '' ? 'job' : safe;
}

/** A GPU shape flag (`--gpus`, `--gpus-per-host`, `--hosts`) replaces the file's shape; `--gpu-model` its model. */
function gpuRequest(flags: JobSpecFlags, fromFile: GpuRequest | undefined, set: (pointer: string, value: unknown) => unknown): GpuRequest | undefined {
  const shaped = flags.gpus !== undefined || flags['gpus-per-host'] !== undefined || flags.hosts !== undefined || flags.spread === true;
  if (!shaped && flags['gpu-model'] === undefined) return fromFile;
  const gpus: GpuRequest = shaped ? (fromFile?.model === undefined ? {} : { model: fromFile.model }) : { ...fromFile };
  if (flags.gpus !== undefined) gpus.count = set('/resources/gpus/count', wholeNumber(flags.gpus, '--gpus', 0, jobLimits.maxGpus)) as number;
  if (flags.spread === true) gpus.spread = set('/resources/gpus/spread', true) as boolean;
  if (flags['gpus-per-host'] !== undefined) {
    gpus.perHost = set('/resources/gpus/perHost', wholeNumber(flags['gpus-per-host'], '--gpus-per-host', 0, jobLimits.maxGpusPerHost)) as number;
  }
  if (flags.hosts !== undefined) gpus.hosts = set('/resources/gpus/hosts', wholeNumber(flags.hosts, '--hosts', 1, jobLimits.maxHosts)) as number;
  if (flags['gpu-model'] !== undefined) gpus.model = set('/resources/gpus/model', flags['gpu-model']) as string;
  if (shaped) set('/resources/gpus', true);
  return gpus;
}

/** `--env NAME=VALUE`, repeatable; the value is everything after the first `=`, kept as it is. */
function environment(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const name = equals < 0 ? pair : pair.slice(0, equals);
    if (equals < 0) throw flagError('--env', `--env takes NAME=VALUE, not "${pair}".`);
    if (!checkEnvName.Check(name)) throw flagError('--env', `--env: "${name}" is not a variable name (letters, digits and _, not starting with a digit).`);
    env[name] = pair.slice(equals + 1);
  }
  return env;
}

function wholeNumber(text: string, flag: string, min: number, max: number): number {
  const value = /^-?\d{1,16}$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw flagError(flag, `${flag} takes a whole number from ${min} to ${max}, not "${text}".`);
  }
  return value;
}

function schemaProblem(spec: Record<string, unknown>): { field: string; message: string } | undefined {
  if (checkSpec.Check(spec)) return undefined;
  const first = checkSpec.Errors(spec).First();
  if (first === undefined) return { field: '/', message: 'The job specification is not valid.' };
  const field = first.path || '/';
  if ((field === '/name' || field === '/project') && /to match/.test(first.message)) {
    const rule = field === '/name' ? 'letters, digits, ".", "_" and "-", starting with a letter or digit' : 'lowercase letters, digits, "_" and "-", starting with a letter';
    return { field, message: `${JSON.stringify(first.value)} is not a ${field === '/name' ? 'job' : 'project'} name: use ${rule}.` };
  }
  const value = typeof first.value === 'string' ? JSON.stringify(first.value.length > 60 ? `${first.value.slice(0, 60)}…` : first.value) : String(first.value);
  return { field, message: `${first.message} (got ${value}).` };
}

/** The flag that wrote a field, and how a message names it (`argument 2 of COMMAND`). */
function flagFor(pointer: string): { field: string; words: string } {
  const flag = flagOf.find(([prefix]) => pointer === prefix || pointer.startsWith(`${prefix}/`))?.[1] ?? pointer;
  if (flag === 'COMMAND' && pointer.startsWith('/args/')) return { field: flag, words: `argument ${Number(pointer.split('/')[2]) + 1} of COMMAND` };
  return { field: flag, words: flag };
}

function flagError(flag: string, message: string): HopsError {
  return new HopsError('VALIDATION', message, { field: flag, hint: 'Fix the named flag; `hopsdesk --help` shows the job flags.' });
}
