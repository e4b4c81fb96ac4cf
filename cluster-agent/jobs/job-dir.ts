/**
 * A job's directory on a worker, `<dataDir>/jobs/<jobId>/` (0700, as is all of it):
 *
 *   job.json              the run's record (job-record.ts)
 *   stdout.log stderr.log what the process printed, written by the process itself
 *   work/                 its working directory
 *     inputs/<name>       links to the staged, read-only inputs
 *     output/             where it writes what is copied back when it ends
 */
import { mkdir, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { HopsError } from '../../protocol/errors.ts';
import { jobLimits } from '../../protocol/jobs.ts';

/** A staged input: the name the job sees under `inputs/`, and where the stager put it. */
export interface StagedInput {
  name: string;
  path: string;
}

/** The paths of one job's directory. */
export interface JobPaths {
  dir: string;
  record: string;
  stdout: string;
  stderr: string;
  work: string;
  inputs: string;
  output: string;
}

const jobIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const maxJobIdLength = 128;
const maxInputNameBytes = 255;

/** Throws a 400 `VALIDATION` unless `jobId` is safe as one path component. */
export function checkJobId(jobId: string): void {
  if (typeof jobId !== 'string' || jobId.length > maxJobIdLength || !jobIdPattern.test(jobId)) {
    throw new HopsError('VALIDATION', `${JSON.stringify(String(jobId).slice(0, 64))} is not a job id: up to ${maxJobIdLength} letters, digits, '.', '_' or '-', starting with a letter or digit.`, { field: '/jobId' });
  }
}

/** Where the job `jobId` lives under the worker's `dataDir`. */
export function jobPaths(dataDir: string, jobId: string): JobPaths {
  checkJobId(jobId);
  return pathsOf(path.join(dataDir, 'jobs', jobId));
}

/** The paths of a job directory given as such (for reattaching). */
export function pathsOf(dir: string): JobPaths {
  const work = path.join(dir, 'work');
  return {
    dir,
    record: path.join(dir, 'job.json'),
    stdout: path.join(dir, 'stdout.log'),
    stderr: path.join(dir, 'stderr.log'),
    work,
    inputs: path.join(work, 'inputs'),
    output: path.join(work, 'output'),
  };
}

/** Throws a 400 `VALIDATION` naming the input unless every input has a distinct safe name and an absolute path. */
export function checkInputs(inputs: readonly StagedInput[]): void {
  if (inputs.length > jobLimits.maxDatasets) {
    throw new HopsError('VALIDATION', `The job has ${inputs.length} inputs; at most ${jobLimits.maxDatasets} are allowed.`, { field: '/inputs' });
  }
  const seen = new Set<string>();
  for (const [index, input] of inputs.entries()) {
    const field = `/inputs/${index}`;
    const { name } = input;
    if (name === '' || name === '.' || name === '..' || /[/\0]/.test(name) || Buffer.byteLength(name) > maxInputNameBytes) {
      throw new HopsError('VALIDATION', `${JSON.stringify(name.slice(0, 64))} cannot name an input: one file name, not . or .., without / or NUL.`, { field: `${field}/name` });
    }
    if (seen.has(name)) throw new HopsError('VALIDATION', `Two inputs are named ${JSON.stringify(name)}.`, { field: `${field}/name` });
    seen.add(name);
    if (!path.isAbsolute(input.path) || input.path.includes('\0')) {
      throw new HopsError('VALIDATION', `The staged path of input ${name} must be absolute.`, { field: `${field}/path` });
    }
  }
}

/**
 * Creates the job's directory and working directory with its input links and output
 * folder. A directory already there is refused: a job id runs once on a host, and a
 * second run must not mix its logs and record with the first one's.
 */
export async function createJobDir(paths: JobPaths, inputs: readonly StagedInput[]): Promise<void> {
  await mkdir(path.dirname(paths.dir), { recursive: true, mode: 0o700 });
  try {
    await mkdir(paths.dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new HopsError('VALIDATION', `Job ${path.basename(paths.dir)} already has a directory on this host (${paths.dir}); a job id runs once.`, { field: '/jobId' });
    }
    throw err;
  }
  await mkdir(paths.work, { mode: 0o700 });
  await mkdir(paths.inputs, { mode: 0o700 });
  await mkdir(paths.output, { mode: 0o700 });
  for (const input of inputs) {
    // The stager leaves the input in place; a link costs nothing and copies no bytes.
    await stat(input.path).catch((err: NodeJS.ErrnoException) => {
      throw new HopsError('VALIDATION', `Input ${input.name} was not staged: ${input.path} cannot be read (${err.code ?? err.message}).`, { field: '/inputs', cause: err });
    });
    await symlink(input.path, path.join(paths.inputs, input.name));
  }
}

