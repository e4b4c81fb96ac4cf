/**
 * The `hopsdesk` command: the desktop core in-process, `--json` on every command, errors on
 * stderr with a non-zero exit code (1 for failures, 2 for usage).
 */
import { HopsError, toWireError } from '../../protocol/errors.ts';
import { productVersion } from '../../protocol/version.ts';
import { parseCommand, parsePort, type ParsedCommand } from './args.ts';
import { clusterHosts, clusterStatus, type CommandOutput } from './cluster-commands.ts';
import { formatError } from './format.ts';

const usage = `Usage: hopsdesk [--workspace DIR] [--json] <command>

Commands:
  open [--web] [--port N] [--no-open]   Open the app (Electron, or web mode on 127.0.0.1)
  cluster status [--cluster NAME]       Connection and capacity of a cluster
  cluster hosts [--cluster NAME]        Hosts with CPU, memory and GPUs
  host doctor USER@HOST[:PORT] [--key FILE] [--trust-new | --accept-host-key SHA256:…]
                                        Check over SSH whether a host can run the agent
  --version                             Print the version

Global flags:
  --workspace DIR   Workspace directory (default: $HOPSDESK_HOME, else the user data dir)
  --json            Machine-readable output, one JSON document on stdout
  -v, --verbose     Log what happens to stderr`;

/** Flags each command accepts beyond the global ones. */
const commandFlags: Record<string, readonly string[]> = {
  open: ['web', 'port', 'no-open'],
  'cluster status': ['cluster'],
  'cluster hosts': ['cluster'],
  'host doctor': ['key', 'trust-new', 'accept-host-key'],
  version: [],
  help: [],
};
const globalFlags = ['json', 'workspace', 'verbose', 'help', 'version'];

/** Runs one command; returns the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  let json = argv.includes('--json');
  let operand: string | undefined;
  try {
    const command = parseCommand(argv);
    json = command.flags.json;
    // Two-word commands ("cluster status", "host doctor") may take one operand after them.
    const words = ['cluster', 'host'].includes(command.path[0] ?? '') ? 2 : 1;
    const name = command.path.slice(0, words).join(' ');
    operand = command.path[words];
    if (command.path.length > words + (name === 'host doctor' ? 1 : 0)) {
      throw new HopsError('VALIDATION', `Unexpected "${command.path.slice(words).join(' ')}" after "${name}".`, {
        hint: 'Run `hopsdesk --help` for usage.',
      });
    }
    checkFlags(name, command);
    return await run(name, command, operand);
  } catch (err) {
    const error = toWireError(err);
    process.stderr.write(json ? JSON.stringify({ error }) + '\n' : formatError(error) + '\n');
    return error.code === 'VALIDATION' || error.code === 'UNKNOWN_METHOD' ? 2 : 1;
  }
}

async function run(name: string, command: ParsedCommand, operand: string | undefined): Promise<number> {
  const { flags, values } = command;
  const log = flags.verbose ? (line: string) => process.stderr.write(line + '\n') : () => undefined;
  switch (name) {
    case 'help':
      process.stdout.write(usage + '\n');
      return 0;
    case 'version':
      process.stdout.write(flags.json ? JSON.stringify({ version: productVersion }) + '\n' : `hopsdesk ${productVersion}\n`);
      return 0;
    case 'open': {
      // Loaded on demand so `--version` and `--help` answer without starting the core.
      const { openApp } = await import('./open-command.ts');
      return openApp({
        web: values.web === true,
        port: parsePort(values.port, 0),
        openBrowser: values['no-open'] !== true,
        json: flags.json,
        workspace: flags.workspace,
        // The app logs to stderr by default so a user sees agent trouble in the terminal.
        log: (line) => process.stderr.write(line + '\n'),
      });
    }
    case 'cluster status':
    case 'cluster hosts': {
      const { createCore } = await import('../core/create-core.ts');
      const core = await createCore({ mode: 'cli', workspaceDir: flags.workspace, log });
      try {
        await core.start();
        const cluster = typeof values.cluster === 'string' ? values.cluster : undefined;
        const output = name === 'cluster status' ? await clusterStatus(core, cluster) : await clusterHosts(core, cluster);
        print(output, flags.json);
        return 0;
      } finally {
        await core.stop();
      }
    }
    case 'host doctor': {
      const { doctorParams, hostDoctor } = await import('./host-commands.ts');
      const params = doctorParams(operand, values);
      const { createCore } = await import('../core/create-core.ts');
      const core = await createCore({ mode: 'cli', workspaceDir: flags.workspace, startLocalCluster: false, log });
      try {
        const output = await hostDoctor(core, params);
        print(output, flags.json);
        return output.ready ? 0 : 1;
      } finally {
        await core.stop();
      }
    }
    default:
      throw new HopsError('VALIDATION', name ? `Unknown command "${name}".` : 'No command given.', {
        hint: 'Run `hopsdesk --help` for the list of commands.',
      });
  }
}

function checkFlags(name: string, command: ParsedCommand): void {
  const allowed = commandFlags[name];
  if (!allowed) return;
  for (const [flag, value] of Object.entries(command.values)) {
    if (value === undefined || globalFlags.includes(flag) || allowed.includes(flag)) continue;
    throw new HopsError('VALIDATION', `"${name}" does not take --${flag}.`, {
      field: `--${flag}`,
      hint: 'Run `hopsdesk --help` for usage.',
    });
  }
}

function print(output: CommandOutput, json: boolean): void {
  process.stdout.write((json ? JSON.stringify(output.json) : output.text) + '\n');
}
