/**
 * A job file (`hopsdesk job submit -f job.yaml`): the job specification's fields in YAML,
 * with sizes and durations as people write them (`memory: 64GiB`, `timeLimit: 1h`). Every
 * mistake names the key and its line: a syntax error, an unknown key, a value of the wrong
 * kind. The file may leave out what flags beside it give (the project, the command).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { HopsError } from '../../protocol/errors.ts';
import type { JobSpec } from '../../protocol/jobs.ts';
import { parseDuration, parseSize } from '../../protocol/quantities.ts';

/** A job file is a page of settings; anything this large is not one. */
export const maxJobFileBytes = 1024 * 1024;

/** The keys a job file may hold, nested as in the specification. */
const keys: KeyTree = {
  name: null,
  project: null,
  command: null,
  args: null,
  env: null,
  datasets: null,
  output: null,
  resources: {
    cpus: null,
    memory: null,
    memoryBytes: null,
    gpus: { count: null, perHost: null, hosts: null, model: null, spread: null },
  },
  constraints: { labels: null },
  priority: null,
  timeLimit: null,
  timeLimitMs: null,
  retries: null,
  after: null,
};
interface KeyTree {
  [key: string]: KeyTree | null;
}

/** A specification as far as a file gives it, and where each of its fields was written. */
export interface JobFile {
  spec: Partial<JobSpec>;
  after: string[] | undefined;
  /** Words that point a person at a field (a JSON pointer of the spec): `resources.gpus.count (job.yaml line 7)`. */
  where(pointer: string): string | undefined;
}

export function readJobFile(source: string, fileName: string): JobFile {
  if (Buffer.byteLength(source) > maxJobFileBytes) {
    throw fileError(`${fileName} is larger than ${maxJobFileBytes / 1024} KiB; a job file holds one job's settings.`, fileName);
  }
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const line = syntax.linePos?.[0].line;
    const first = syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw fileError(`${fileName}${line === undefined ? '' : ` line ${line}`}: ${first}.`, fileName);
  }
  const lineOf = (node: Node | null | undefined): number | undefined => (node?.range ? lines.linePos(node.range[0]).line : undefined);
  const at = (path: readonly string[], node?: Node | null) => {
    const line = lineOf(node ?? (doc.getIn(path, true) as Node | undefined));
    return `${path.join('.')} (${fileName}${line === undefined ? '' : ` line ${line}`})`;
  };
  if (doc.contents === null) throw fileError(`${fileName} is empty; write the job's settings in it (name, project, command, …).`, fileName);
  if (!isMap(doc.contents)) throw fileError(`${fileName} must hold a map of settings (name: …, command: …), not a list or a single value.`, fileName);
  refuseUnknownKeys(doc.contents, keys, [], at);

  const raw = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
  const bad = (path: string[], why: string) => new HopsError('VALIDATION', `${at(path)}: ${why}`, { field: path.join('.'), hint: 'Fix the value in the job file, or give it as a flag.' });
  const spec: Record<string, unknown> = {};
  for (const key of ['name', 'project', 'output', 'priority', 'retries'] as const) if (raw[key] !== undefined) spec[key] = raw[key];
  // A command may be written as a whole argv: [python, train.py, --epochs, 10].
  if (Array.isArray(raw.command)) {
    if (raw.args !== undefined) throw bad(['args'], 'give the arguments either in the command list or in args, not both.');
    const [command, ...args] = raw.command.map((part, i) => text(part, ['command', String(i)]));
    if (command !== undefined) spec.command = command;
    spec.args = args;
  } else if (raw.command !== undefined) {
    spec.command = text(raw.command, ['command']);
  }
  if (raw.args !== undefined) spec.args = list(raw.args, ['args']).map((arg, i) => text(arg, ['args', String(i)]));
  if (raw.env !== undefined) {
    if (!isPlainObject(raw.env)) throw bad(['env'], 'write the environment as a map of NAME: value.');
    spec.env = Object.fromEntries(Object.entries(raw.env).map(([name, value]) => [name, text(value, ['env', name])]));
  }
  if (raw.datasets !== undefined) spec.datasets = list(raw.datasets, ['datasets']);
  const resources = raw.resources as Record<string, unknown> | undefined;
  if (resources !== undefined && resources !== null) {
    const out: Record<string, unknown> = {};
    if (resources.cpus !== undefined) out.cpus = resources.cpus;
    if (resources.memory !== undefined && resources.memoryBytes !== undefined) throw bad(['resources', 'memoryBytes'], 'give memory or memoryBytes, not both.');
    if (typeof resources.memory === 'string') out.memoryBytes = parseSize(resources.memory, at(['resources', 'memory']));
    else if (resources.memory !== undefined) out.memoryBytes = resources.memory;
    if (resources.memoryBytes !== undefined) out.memoryBytes = resources.memoryBytes;
    if (resources.gpus !== undefined) out.gpus = resources.gpus;
    spec.resources = out;
  }
  if (raw.constraints !== undefined && raw.constraints !== null) spec.constraints = raw.constraints;
  if (raw.timeLimit !== undefined && raw.timeLimitMs !== undefined) throw bad(['timeLimitMs'], 'give timeLimit or timeLimitMs, not both.');
  if (raw.timeLimit !== undefined) {
    if (typeof raw.timeLimit !== 'string') throw bad(['timeLimit'], 'write a duration with its unit, e.g. 90s, 30m, 2h or 1h30m.');
    spec.timeLimitMs = parseDuration(raw.timeLimit, at(['timeLimit']));
  }
  if (raw.timeLimitMs !== undefined) spec.timeLimitMs = raw.timeLimitMs;
  const after = raw.after === undefined ? undefined : list(raw.after, ['after']).map((id, i) => text(id, ['after', String(i)]));

  return {
    spec: spec as Partial<JobSpec>,
    after,
    where(pointer) {
      const path = pointer.split('/').slice(1);
      if (path.length === 0 || path[0] === '') return undefined;
      // The file writes sizes and durations under their own names.
      if (path[0] === 'resources' && path[1] === 'memoryBytes' && raw.resources && (raw.resources as Record<string, unknown>).memory !== undefined) path[1] = 'memory';
      if (path[0] === 'timeLimitMs' && raw.timeLimit !== undefined) path[0] = 'timeLimit';
      // Args written inside the command list sit one place further on.
      if (path[0] === 'args' && Array.isArray(raw.command) && path[1] !== undefined) path.splice(0, 2, 'command', String(Number(path[1]) + 1));
      // Point at the deepest key the file has.
      for (let depth = path.length; depth > 0; depth -= 1) {
        if (doc.hasIn(path.slice(0, depth))) return at(path.slice(0, depth));
      }
      return undefined;
    },
  };

  function text(value: unknown, path: string[]): string {
    // Numbers and yes/no are written bare in YAML (`--epochs, 10`; `DEBUG: 1`); a process sees text.
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw bad(path, 'expected text, a number or true/false.');
  }
  function list(value: unknown, path: string[]): string[] {
    if (!Array.isArray(value)) throw bad(path, 'expected a list (- item per line, or [a, b]).');
    return value as string[];
  }
}

function refuseUnknownKeys(node: Node, allowed: KeyTree, path: string[], at: (path: string[], node?: Node | null) => string): void {
  if (!isMap(node)) return;
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined || !(key in allowed)) {
      const shown = key ?? 'a key that is not text';
      const known = Object.keys(allowed).join(', ');
      throw new HopsError('VALIDATION', `${at([...path, shown], pair.key as Node)}: unknown key "${shown}"${path.length === 0 ? '' : ` in ${path.join('.')}`}.`, {
        field: [...path, shown].join('.'),
        hint: `Known keys here: ${known}.`,
      });
    }
    const below = allowed[key];
    if (below !== null && below !== undefined && pair.value !== null && !isSeq(pair.value)) refuseUnknownKeys(pair.value as Node, below, [...path, key], at);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fileError(message: string, fileName: string): HopsError {
  return new HopsError('VALIDATION', message, { field: fileName, hint: 'Fix the job file. Its keys: name, project, command, args, env, datasets, output, resources {cpus, memory, gpus {count, perHost, hosts, model, spread}}, constraints {labels}, priority, timeLimit, retries, after.' });
}
