/** Command-line parsing: global flags first, then one command with its own flags. */
import { parseArgs } from 'node:util';
import { HopsError } from '../../protocol/errors.ts';

export interface GlobalFlags {
  json: boolean;
  workspace: string | undefined;
  verbose: boolean;
}

export interface ParsedCommand {
  /** e.g. ['cluster', 'status'] */
  path: string[];
  flags: GlobalFlags;
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
}

const shared = {
  json: { type: 'boolean' },
  workspace: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  cluster: { type: 'string' },
  web: { type: 'boolean' },
  port: { type: 'string' },
  'no-open': { type: 'boolean' },
  key: { type: 'string' },
  'trust-new': { type: 'boolean' },
  'accept-host-key': { type: 'string', multiple: true },
  head: { type: 'string' },
  worker: { type: 'string', multiple: true },
  label: { type: 'string', multiple: true },
  jump: { type: 'string' },
  'cluster-port': { type: 'string' },
  'ask-password': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  user: { type: 'string' },
  role: { type: 'string' },
  description: { type: 'string' },
  invite: { type: 'string' },
  'client-port': { type: 'string' },
  parents: { type: 'boolean', short: 'p' },
  overwrite: { type: 'boolean' },
  recursive: { type: 'boolean', short: 'r' },
  with: { type: 'string' },
  'read-only': { type: 'boolean' },
  project: { type: 'string' },
  to: { type: 'string' },
  permanent: { type: 'boolean' },
  limit: { type: 'string' },
  order: { type: 'string' },
  'block-size': { type: 'string' },
  replication: { type: 'string' },
} as const;

/** Parses argv (without node and script); throws a VALIDATION error naming the bad flag. */
export function parseCommand(argv: string[]): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: shared, allowPositionals: true, strict: true });
  } catch (err) {
    throw new HopsError('VALIDATION', (err as Error).message, { hint: 'Run `hopsdesk --help` for usage.' });
  }
  const { values, positionals } = parsed;
  return {
    path: values.version && positionals.length === 0 ? ['version'] : values.help ? ['help'] : positionals,
    flags: { json: values.json ?? false, workspace: values.workspace, verbose: values.verbose ?? false },
    values,
  };
}

/** `--port N`: an integer 0–65535, 0 meaning any free port. */
export function parsePort(value: string | boolean | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || port > 65535) {
    throw new HopsError('VALIDATION', `--port must be an integer from 0 to 65535, not "${String(value)}".`, {
      field: '--port',
      hint: 'Use --port 0 for any free port.',
    });
  }
  return port;
}
