/**
 * The job form's fields as typed (text), turned into a `JobSpec` with the core's own rules:
 * sizes and durations through `parseSize`/`parseDuration`, then the TypeBox schema, then
 * `jobSpecProblem`. Every problem is keyed by the form field it belongs to, so it shows
 * next to that field before anything is sent.
 */
import { Value } from '@sinclair/typebox/value';
import { JobId } from '../../protocol/jobs-api.ts';
import { JobSpec, jobDefaults, jobSpecProblem } from '../../protocol/jobs.ts';
import { formatDuration, parseDuration, parseSize } from '../../protocol/quantities.ts';

export type GpuMode = 'none' | 'count' | 'per-host';

export interface EnvRow {
  name: string;
  value: string;
}

/** The form as the user fills it in. */
export interface JobDraft {
  name: string;
  project: string;
  command: string;
  /** One entry per argument: the program gets them as they are, no shell splits or expands them. */
  args: string[];
  env: EnvRow[];
  datasets: string[];
  output: string;
  cpus: string;
  memory: string;
  gpuMode: GpuMode;
  gpuCount: string;
  gpuPerHost: string;
  gpuHosts: string;
  gpuModel: string;
  spread: boolean;
  /** Host labels, separated by commas or spaces. */
  labels: string;
  priority: string;
  timeLimit: string;
  retries: string;
  /** Job ids, separated by commas or spaces. */
  after: string;
  /** Five cron fields; when given, the form creates a schedule rather than a job. */
  cron: string;
}

/** Form field → its problem, in words. */
export type DraftProblems = Partial<Record<DraftField, string>>;
export type DraftField = keyof JobDraft | `args.${number}` | `env.${number}` | `datasets.${number}`;

export type DraftOutcome =
  | { ok: true; spec: JobSpec; after: string[]; cron: string | null }
  | { ok: false; problems: DraftProblems };

/** A new form: the project given (the one in use), everything else at its default. */
export function draftFrom(prefill: Partial<JobSpec>, after: readonly string[] = [], project = ''): JobDraft {
  const gpus = prefill.resources?.gpus;
  const gpuMode: GpuMode = gpus === undefined ? 'none' : gpus.perHost !== undefined ? 'per-host' : 'count';
  return {
    name: prefill.name ?? '',
    project: prefill.project ?? project,
    command: prefill.command ?? '',
    args: [...(prefill.args ?? [])],
    env: Object.entries(prefill.env ?? {}).map(([name, value]) => ({ name, value })),
    datasets: [...(prefill.datasets ?? [])],
    output: prefill.output ?? '',
    cpus: String(prefill.resources?.cpus ?? jobDefaults.cpus),
    memory: exactSize(prefill.resources?.memoryBytes ?? jobDefaults.memoryBytes),
    gpuMode,
    gpuCount: gpus?.count !== undefined && gpuMode === 'count' ? String(gpus.count) : '1',
    gpuPerHost: gpus?.perHost !== undefined ? String(gpus.perHost) : '1',
    gpuHosts: gpus?.hosts !== undefined ? String(gpus.hosts) : '1',
    gpuModel: gpus?.model ?? '',
    spread: gpus?.spread ?? false,
    labels: (prefill.constraints?.labels ?? []).join(', '),
    priority: String(prefill.priority ?? jobDefaults.priority),
    timeLimit: prefill.timeLimitMs !== undefined ? formatDuration(prefill.timeLimitMs) : '',
    retries: String(prefill.retries ?? jobDefaults.retries),
    after: after.join(', '),
    cron: '',
  };
}

/** A size as the form shows it, in the largest binary unit that holds it exactly ("4G", "1536M"). */
export function exactSize(bytes: number): string {
  for (const [unit, size] of [['T', 1024 ** 4], ['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** Commas or white space separate the items of a list field. */
const listItems = (text: string) => text.split(/[\s,]+/).filter((item) => item !== '');

/** A whole number as typed, or the problem with it. */
function wholeNumber(text: string, what: string): number | string {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) return `${what} must be a whole number.`;
  return Number(trimmed);
}

/** Five fields of digits, `*`, `/`, `,`, `-` or names (`mon`, `jan`): the head reads them in full. */
const cronShape = /^\s*(\S+\s+){4}\S+\s*$/;
const cronField = /^[0-9A-Za-z*/,-]+$/;

function cronProblem(cron: string): string | undefined {
  if (!cronShape.test(cron) || !cron.trim().split(/\s+/).every((field) => cronField.test(field))) {
    return 'A schedule is five cron fields in UTC: minute hour day-of-month month day-of-week, e.g. "0 3 * * *" for 03:00 every day.';
  }
  return undefined;
}

/**
 * A JSON pointer of the specification (`/resources/memoryBytes`, `/args/2`) → the form
 * field that shows it.
 */
export function draftFieldOf(pointer: string): DraftField {
  const parts = pointer.split('/').slice(1);
  const [top, second, third] = parts;
  switch (top) {
    case 'args':
    case 'datasets':
      return second !== undefined && /^\d+$/.test(second) ? (`${top}.${Number(second)}` as DraftField) : top;
    case 'env':
      return 'env';
    case 'resources':
      if (second === 'cpus') return 'cpus';
      if (second === 'memoryBytes') return 'memory';
      if (second === 'gpus') {
        if (third === 'model') return 'gpuModel';
        if (third === 'spread') return 'spread';
        if (third === 'hosts') return 'gpuHosts';
        if (third === 'perHost') return 'gpuPerHost';
        return 'gpuCount';
      }
      return 'cpus';
    case 'constraints':
      return 'labels';
    case 'timeLimitMs':
      return 'timeLimit';
    case 'name':
    case 'project':
    case 'command':
    case 'output':
    case 'priority':
    case 'retries':
      return top;
    default:
      return 'name';
  }
}

/** An env row's index for a problem with variable `name`, so it shows on that row. */
function envRowField(draft: JobDraft, pointer: string): DraftField {
  const name = pointer.split('/')[2];
  const index = draft.env.findIndex((row) => row.name === name);
  return index >= 0 ? `env.${index}` : 'env';
}

/** The schema's words for a rule, made readable for the field that broke it. */
function schemaMessage(field: DraftField, message: string): string {
  if (field === 'name') return 'A name starts with a letter or digit and holds only letters, digits, ".", "_" and "-" (at most 128).';
  if (field === 'project') return 'Choose the project the job runs in.';
  if (field === 'command') return 'Give the program to run: a file in the project or a program on the hosts\' PATH.';
  return `${message[0]?.toUpperCase() ?? ''}${message.slice(1)}.`;
}

/**
 * The specification, run-after ids and schedule the draft describes, or a problem for each
 * field that is wrong. The same rules as the core: a spec that passes here passes there.
 */
export function checkDraft(draft: JobDraft): DraftOutcome {
  const problems: DraftProblems = {};
  const note = (field: DraftField, message: string) => {
    problems[field] ??= message;
  };
  const number = (field: DraftField, text: string, what: string): number | undefined => {
    const value = wholeNumber(text, what);
    if (typeof value === 'string') {
      note(field, value);
      return undefined;
    }
    return value;
  };

  const spec: Record<string, unknown> = { name: draft.name.trim(), project: draft.project, command: draft.command };
  if (draft.args.length > 0) spec.args = draft.args;
  const env: Record<string, string> = {};
  draft.env.forEach((row, index) => {
    const name = row.name.trim();
    if (name === '' && row.value === '') return;
    if (name in env) note(`env.${index}`, `${name} is set twice; keep one row.`);
    else if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) note(`env.${index}`, 'A variable name holds letters, digits and "_" and does not start with a digit.');
    env[name] = row.value;
  });
  if (Object.keys(env).length > 0) spec.env = env;
  const datasets = draft.datasets.map((path) => path.trim());
  datasets.forEach((path, index) => {
    if (path === '') note(`datasets.${index}`, 'Give a dataset path such as /Projects/<project>/<dataset>, or remove the row.');
  });
  if (datasets.length > 0) spec.datasets = datasets;
  if (draft.output.trim() !== '') spec.output = draft.output.trim();

  const resources: Record<string, unknown> = {};
  const cpus = number('cpus', draft.cpus, 'CPUs');
  if (cpus !== undefined) resources.cpus = cpus;
  try {
    resources.memoryBytes = parseSize(draft.memory, '/resources/memoryBytes');
  } catch (err) {
    note('memory', (err as Error).message);
  }
  if (draft.gpuMode !== 'none') {
    const gpus: Record<string, unknown> = {};
    if (draft.gpuMode === 'count') {
      const count = number('gpuCount', draft.gpuCount, 'GPUs');
      if (count !== undefined) gpus.count = count;
      if (draft.spread) gpus.spread = true;
    } else {
      const perHost = number('gpuPerHost', draft.gpuPerHost, 'GPUs per host');
      const hosts = number('gpuHosts', draft.gpuHosts, 'Hosts');
      if (perHost !== undefined) gpus.perHost = perHost;
      if (hosts !== undefined) gpus.hosts = hosts;
    }
    if (draft.gpuModel.trim() !== '') gpus.model = draft.gpuModel.trim();
    resources.gpus = gpus;
  }
  spec.resources = resources;
  const labels = listItems(draft.labels);
  if (labels.length > 0) spec.constraints = { labels };
  const priority = number('priority', draft.priority, 'Priority');
  if (priority !== undefined && priority !== jobDefaults.priority) spec.priority = priority;
  if (draft.timeLimit.trim() !== '') {
    try {
      spec.timeLimitMs = parseDuration(draft.timeLimit, '/timeLimitMs');
    } catch (err) {
      note('timeLimit', (err as Error).message);
    }
  }
  const retries = number('retries', draft.retries, 'Retries');
  if (retries !== undefined && retries !== jobDefaults.retries) spec.retries = retries;

  const after = listItems(draft.after);
  const badId = after.find((id) => !Value.Check(JobId, id));
  if (badId !== undefined) note('after', `${JSON.stringify(badId)} is not a job id; ids look like j-17.`);
  if (after.length > 64) note('after', 'A job can wait for at most 64 others.');
  const cron = draft.cron.trim();
  if (cron !== '') {
    const problem = cronProblem(cron);
    if (problem !== undefined) note('cron', problem);
    if (after.length > 0) note('after', 'A scheduled job cannot wait for other jobs; clear Run after or the schedule.');
  }

  for (const error of Value.Errors(JobSpec, spec)) {
    const field = error.path.startsWith('/env/') ? envRowField(draft, error.path) : draftFieldOf(error.path);
    note(field, schemaMessage(field, error.message));
  }
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  const sound = spec as JobSpec;
  const rule = jobSpecProblem(sound);
  if (rule !== undefined) {
    const field = rule.field.startsWith('/env/') ? envRowField(draft, rule.field) : draftFieldOf(rule.field);
    return { ok: false, problems: { [field]: rule.message } };
  }
  return { ok: true, spec: sound, after, cron: cron === '' ? null : cron };
}
