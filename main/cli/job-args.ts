/**
 * The command line of `hopsdesk job …`: its own flags (`-f` names the job file to submit,
 * or, for `logs`, means follow) and the command to run after `--`, kept word for word.
 */
import { parseArgs } from 'node:util';
import { HopsError } from '../../protocol/errors.ts';
import type { Core } from '../core/core.ts';
import type { GlobalFlags } from './args.ts';

/** Runs `work` with a started core connected to the active cluster; returns its exit code. */
export type WithCore = (flags: GlobalFlags, work: (core: Core) => Promise<number>) => Promise<number>;

const specOptions = {
  project: { type: 'string' },
  name: { type: 'string' },
  gpus: { type: 'string' },
  spread: { type: 'boolean' },
  'gpus-per-host': { type: 'string' },
  hosts: { type: 'string' },
  'gpu-model': { type: 'string' },
  label: { type: 'string', multiple: true },
  cpus: { type: 'string' },
  memory: { type: 'string' },
  dataset: { type: 'string', multiple: true },
  output: { type: 'string' },
  'time-limit': { type: 'string' },
  retries: { type: 'string' },
  priority: { type: 'string' },
  env: { type: 'string', multiple: true },
} as const;

const options = {
  json: { type: 'boolean' },
  workspace: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  cluster: { type: 'string' },
  ...specOptions,
  after: { type: 'string', multiple: true },
  wait: { type: 'boolean' },
  file: { type: 'string' },
  cron: { type: 'string' },
  state: { type: 'string' },
  limit: { type: 'string' },
  stderr: { type: 'boolean' },
  follow: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
} as const;

const globalOptions = ['json', 'workspace', 'verbose', 'cluster'];
const specFlags = Object.keys(specOptions);

/** Each action's flags beyond the global ones, and its operands. */
const actions: Record<string, { flags: readonly string[]; operands: readonly string[]; command?: boolean; usage: string }> = {
  submit: {
    flags: [...specFlags, 'after', 'wait', 'file'],
    operands: [],
    command: true,
    usage: 'hopsdesk job submit [--project P] [flags] [--wait] -- COMMAND [ARG…]   (or -f job.yaml)',
  },
  list: { flags: ['project', 'state', 'limit'], operands: [], usage: 'hopsdesk job list [--project P] [--state S,…] [--limit N]' },
  status: { flags: [], operands: ['JOB-ID'], usage: 'hopsdesk job status JOB-ID' },
  logs: { flags: ['stderr', 'follow'], operands: ['JOB-ID'], usage: 'hopsdesk job logs JOB-ID [--stderr] [-f]' },
  stop: { flags: [], operands: ['JOB-ID'], usage: 'hopsdesk job stop JOB-ID' },
  retry: { flags: [], operands: ['JOB-ID'], usage: 'hopsdesk job retry JOB-ID' },
  'schedule create': {
    flags: [...specFlags, 'file', 'cron'],
    operands: [],
    command: true,
    usage: 'hopsdesk job schedule create --cron "*/5 * * * *" [--project P] [flags] -- COMMAND [ARG…]',
  },
  'schedule list': { flags: ['project'], operands: [], usage: 'hopsdesk job schedule list [--project P]' },
  'schedule remove': { flags: ['yes'], operands: ['SCHEDULE-ID'], usage: 'hopsdesk job schedule remove SCHEDULE-ID [--yes]' },
};

export interface JobCommand {
  action: string;
  flags: GlobalFlags;
  values: Record<string, string | boolean | string[] | undefined>;
  operands: string[];
  /** The words after `--`: the command and its arguments, exactly as given. */
  command: string[];
}

/** Whether argv is a `job` command (its first word, global flags aside). */
export function isJobCommand(argv: readonly string[]): boolean {
  return wordsOf(argv)[0] === 'job';
}

/** Parses a `job` command line; a mistake is a `VALIDATION` error naming the flag or operand. */
export function parseJobCommand(argv: readonly string[]): JobCommand {
  const dash = argv.indexOf('--');
  const before = dash < 0 ? [...argv] : argv.slice(0, dash);
  const command = dash < 0 ? [] : argv.slice(dash + 1);
  const words = wordsOf(before);
  const action = words[1] === 'schedule' ? `schedule ${words[2] ?? ''}`.trim() : (words[1] ?? '');
  const spec = actions[action];
  if (spec === undefined) {
    throw new HopsError('VALIDATION', action === '' ? 'Which job command? submit, list, status, logs, stop, retry or schedule.' : `Unknown command "job ${action}".`, {
      hint: 'Run `hopsdesk --help` for the job commands.',
    });
  }
  // `-f` names the job file for submit and schedule create, and means follow for logs.
  const short = action === 'logs' ? { follow: { ...options.follow, short: 'f' } } : { file: { ...options.file, short: 'f' } };
  let parsed;
  try {
    parsed = parseArgs({ args: before, options: { ...options, ...short }, allowPositionals: true, strict: true });
  } catch (err) {
    const message = (err as Error).message;
    const flag = /Option '(?:-\w, )?(--[\w-]+)/.exec(message)?.[1];
    throw new HopsError('VALIDATION', message, { hint: `Usage: ${spec.usage}`, ...(flag === undefined ? {} : { field: flag }) });
  }
  const { values, positionals } = parsed;
  for (const [flag, value] of Object.entries(values)) {
    if (value !== undefined && !globalOptions.includes(flag) && !spec.flags.includes(flag)) {
      throw new HopsError('VALIDATION', `"job ${action}" does not take --${flag}.`, { field: `--${flag}`, hint: `Usage: ${spec.usage}` });
    }
  }
  const operands = positionals.slice(action.split(' ').length + 1);
  if (operands.length !== spec.operands.length) {
    const extra = spec.command === true && operands.length > 0 ? ' Put the command after --, so its flags stay its own.' : '';
    throw new HopsError('VALIDATION', `"job ${action}" takes ${spec.operands.length === 0 ? 'no operands' : spec.operands.join(' ')}, not "${operands.join(' ')}".${extra}`, {
      field: spec.operands[0] ?? 'COMMAND',
      hint: `Usage: ${spec.usage}`,
    });
  }
  if (command.length > 0 && spec.command !== true) {
    throw new HopsError('VALIDATION', `"job ${action}" takes no command after --.`, { hint: `Usage: ${spec.usage}` });
  }
  const flags: GlobalFlags = { json: values.json ?? false, workspace: values.workspace, verbose: values.verbose ?? false };
  return { action, flags, values, operands, command };
}

/** The words of a command line before `--`, global flags and their values left out. */
function wordsOf(argv: readonly string[]): string[] {
  const dash = argv.indexOf('--');
  const { positionals } = parseArgs({ args: dash < 0 ? [...argv] : argv.slice(0, dash), options, allowPositionals: true, strict: false });
  return positionals;
}
