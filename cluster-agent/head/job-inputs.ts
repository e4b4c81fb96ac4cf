/**
 * What a job reads from the project's filesystem, checked at submit and described to its
 * workers at start:
 * - the datasets of `spec.datasets`, staged read-only as `inputs/<name>`;
 * - project files named in the command or arguments (`python3 /Projects/demo/code/train.py`),
 *   staged the same way and replaced in argv by `inputs/<name>`, the path the job sees.
 * Every path is checked with the submitting user's rights (data.read; data.write for the
 * output) at submit and again when the job starts, since a share may have ended between.
 */
import path from 'node:path';
import { HopsError } from '../../protocol/errors.ts';
import { parseFsPath } from '../../protocol/fs.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import type { StageFile, StageInput } from '../../protocol/jobs-api.ts';
import type { JobSpec } from '../../protocol/jobs.ts';
import type { User } from '../../protocol/projects.ts';
import type { Namespace } from './namespace.ts';

/** Files one job may stage in all; more is refused with the count. */
export const stagingLimits = { maxFiles: 100_000 } as const;

/** A path that names something in the project filesystem, as written in argv. */
function isProjectPath(arg: string): boolean {
  return arg.startsWith('/Projects/') && parseFsPath(arg).level !== 'projects';
}

/**
 * Refuses a submit whose datasets or output the user cannot use: each staged path must
 * exist and be readable, the output's dataset must exist and be writable.
 */
export function checkJobPaths(namespace: Namespace, caller: User, spec: JobSpec): void {
  for (const [index, dataset] of (spec.datasets ?? []).entries()) {
    mustExist(namespace, caller, dataset, `/datasets/${index}`);
  }
  for (const [index, arg] of argvOf(spec).entries()) {
    if (isProjectPath(arg)) mustExist(namespace, caller, arg, index === 0 ? '/command' : `/args/${index - 1}`);
  }
  if (spec.output !== undefined) {
    const parts = parseFsPath(spec.output);
    const dataset = `/Projects/${parts.project ?? ''}/${parts.dataset ?? ''}`;
    mustExist(namespace, caller, dataset, '/output');
    namespace.requireAccess(caller, spec.output, 'data.write', `writing the job's output to ${spec.output}`);
  }
}

function mustExist(namespace: Namespace, caller: User, fsPath: string, field: string): void {
  try {
    namespace.stat(caller, fsPath);
  } catch (err) {
    if (err instanceof HopsError && err.code === 'PATH_NOT_FOUND') {
      throw new HopsError('PATH_NOT_FOUND', `${fsPath} does not exist; the job cannot read it.`, { field, hint: 'Upload it first, or fix the path.' });
    }
    throw err;
  }
}

export function argvOf(spec: JobSpec): string[] {
  return [spec.command, ...(spec.args ?? [])];
}

/** The job's argv as its workers run it, and the inputs to stage for it there. */
export interface JobLaunch {
  argv: string[];
  inputs: StageInput[];
}

/**
 * Describes the job's inputs for a worker on `hostId`: the files and their blocks, with
 * good replicas nearest first (the worker's own, then healthy hosts').
 */
export function describeInputs(namespace: Namespace, caller: User, spec: JobSpec, hosts: ClusterHost[], hostId: string): JobLaunch {
  const names = new Set<string>();
  const inputName = (fsPath: string): string => {
    const base = path.posix.basename(fsPath) || 'input';
    let name = base;
    for (let n = 2; names.has(name); n += 1) name = `${base}-${n}`;
    names.add(name);
    return name;
  };
  const counter = { files: 0 };
  const inputs: StageInput[] = [];
  for (const dataset of spec.datasets ?? []) inputs.push(describe(namespace, caller, dataset, inputName(dataset), hosts, hostId, counter));
  const argv = argvOf(spec).map((arg) => {
    if (!isProjectPath(arg)) return arg;
    const input = describe(namespace, caller, arg, inputName(arg), hosts, hostId, counter);
    inputs.push(input);
    return `inputs/${input.name}`;
  });
  return { argv, inputs };
}

function describe(namespace: Namespace, caller: User, fsPath: string, name: string, hosts: ClusterHost[], hostId: string, counter: { files: number }): StageInput {
  const stat = namespace.stat(caller, fsPath);
  if (stat.type === 'file') return { name, kind: 'file', files: [stageFile(namespace, caller, fsPath, '', hosts, hostId, counter)] };
  const files: StageFile[] = [];
  const walk = (dir: string, prefix: string): void => {
    let cursor: string | undefined;
    do {
      const page = namespace.list(caller, dir, cursor, 1000);
      for (const entry of page.entries) {
        const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
        if (entry.type === 'dir') walk(entry.path, relative);
        else files.push(stageFile(namespace, caller, entry.path, relative, hosts, hostId, counter));
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  };
  walk(fsPath, '');
  return { name, kind: 'dir', files };
}

function stageFile(namespace: Namespace, caller: User, fsPath: string, relative: string, hosts: ClusterHost[], hostId: string, counter: { files: number }): StageFile {
  counter.files += 1;
  if (counter.files > stagingLimits.maxFiles) {
    throw new HopsError('VALIDATION', `The job's inputs hold more than ${stagingLimits.maxFiles} files; stage a folder of fewer, larger files.`, { field: '/datasets' });
  }
  const plan = namespace.readPlan(caller, fsPath);
  const healthy = new Map(hosts.filter((host) => host.state !== 'unreachable').map((host) => [host.hostId, host.address]));
  return {
    path: relative,
    size: plan.stat.size,
    blocks: plan.blocks.map((block) => ({
      blockId: block.id,
      size: block.size,
      sha256: block.sha256 ?? '',
      replicas: block.replicas
        .filter((replica) => replica.state === 'finalized' && healthy.has(replica.hostId))
        .sort((a, b) => Number(b.hostId === hostId) - Number(a.hostId === hostId))
        .map((replica) => ({ hostId: replica.hostId, address: healthy.get(replica.hostId)! })),
    })),
  };
}
