/**
 * The `hopsdesk` command: the desktop core in-process, `--json` on every command, errors on
 * stderr with a non-zero exit code (1 for failures, 2 for usage).
 */
import { HopsError, toWireError } from '../../protocol/errors.ts';
import { productVersion } from '../../protocol/version.ts';
import { parseCommand, parsePort, type ParsedCommand } from './args.ts';
import { isJobCommand } from './job-args.ts';
import { clusterHosts, clusterStatus, type CommandOutput } from './cluster-commands.ts';
import { formatError } from './format.ts';

const usage = `Usage: hopsdesk [--workspace DIR] [--json] <command>

Commands:
  open [--web] [--port N] [--no-open]   Open the app (Electron, or web mode on 127.0.0.1)
  cluster status [--cluster NAME]       Connection and capacity of a cluster
  cluster hosts [--cluster NAME]        Hosts with CPU, memory, GPUs and labels
  cluster create NAME --head USER@HOST[:PORT] [--worker USER@HOST[:PORT]]… [--label HOST=LABEL]…
                 [--cluster-port N] [SSH flags]
                                        Install agents on SSH hosts and form a cluster
  cluster list                          Clusters in this workspace (* = active)
  cluster use NAME                      Make a cluster the active one
  cluster uninstall NAME [--yes] [SSH flags]
                                        Stop and remove everything installed on its hosts
  cluster join NAME --head USER@HOST --invite CODE --user NAME [--client-port N] [SSH flags]
                                        Join a cluster you were invited to
  project list                          Projects you are in, with your role
  project create NAME [--description TEXT]
                                        Create a project; you become its Data Owner
  project members PROJECT               Members and their roles
  project add-member PROJECT --user USER --role data-owner|data-scientist
  project remove-member PROJECT --user USER
  project invite [PROJECT --role ROLE]  A one-time code for a new member (cluster-only without PROJECT)
  project audit PROJECT                 Who did what in a project (Data Owners)
  project quota PROJECT SIZE|none       Set a project's byte quota, e.g. 500GiB, or lift it (cluster admin)
  dataset ls PATH                       A directory of the cluster filesystem (/Projects/<project>/<dataset>/…)
  dataset stat PATH                     A file or directory
  dataset mkdir PATH [--parents]        Create a dataset, or a directory in one
  dataset put LOCAL… PATH [--overwrite] [--block-size SIZE] [--replication N]
                                        Upload files (progress on a terminal; resumes after a dropped link)
  dataset get PATH LOCAL [--overwrite]  Download a file (progress on a terminal; resumes after a dropped link)
  dataset rm PATH [--recursive] [--permanent] [--yes]
                                        Remove a file, or a directory with --recursive, into the
                                        project's trash (for good with --permanent)
  dataset mv FROM TO                    Rename or move within a project
  dataset share PATH --with PROJECT [--read-only]
                                        Share a dataset with another project (Data Owners)
  dataset unshare PATH --with PROJECT   End a share (a Data Owner of either project)
  dataset shares --project P            Datasets shared with a project, and its own shared
  dataset accept PATH --project P       Accept a dataset shared with your project
  dataset trash --project P             What was removed, restorable until purged
  dataset restore ID [--to PATH]        Put a trash entry back (or at PATH)
  dataset find PATH QUERY [--limit N] [--order newest|path]
                                        Find files by name under a project or dataset
  fs fsck [PATH]                        Filesystem health: under-replicated, missing and corrupt blocks
                                        (exit 1 when a block is missing or corrupt)
  host doctor USER@HOST[:PORT] [SSH flags]
                                        Check over SSH whether a host can run the agent
  host add USER@HOST[:PORT] [--label LABEL]… [--cluster NAME] [SSH flags]
                                        Install the agent on a host and join it
  host remove HOST-ID [--yes] [--cluster NAME] [SSH flags]
                                        Drain a host, stop its agent, remove its files
  host upgrade [HOST-ID] [--cluster NAME] [SSH flags]
                                        Upgrade agents to this version, one host at a time
  job submit [--project P] [--name N] [--gpus N [--spread]] [--gpus-per-host N --hosts M] [--gpu-model MODEL]
             [--label L]… [--cpus N] [--memory SIZE] [--dataset PATH]… [--output PATH] [--time-limit DURATION]
             [--retries N] [--priority N] [--env NAME=VALUE]… [--after JOB-ID]… [--wait] -- COMMAND [ARG…]
                                        Queue a job (prints its id); --wait follows its logs and exits with its
                                        exit code. -f job.yaml takes the same settings from a file (flags win)
  job list [--project P] [--state S,…] [--limit N]
                                        Jobs newest first: state, GPUs and hosts, time, why pending ones wait
  job status JOB-ID                     A job's request, placement, pending reason, outcome and timeline
  job logs JOB-ID [--stderr] [-f]       Its stdout (or stderr); -f follows to the end (Ctrl-C leaves it running)
  job stop JOB-ID                       Take it out of the queue, or stop it (SIGTERM, then SIGKILL)
  job retry JOB-ID                      Queue an ended job again as its next run
  job schedule create --cron "*/15 * * * *" [job submit flags] -- COMMAND [ARG…]
                                        Submit the job on a crontab schedule (UTC)
  job schedule list [--project P]       Schedules of your projects
  job schedule remove ID [--yes]        Delete a schedule (the jobs it submitted stay)
  --version                             Print the version

SSH flags:
  --key FILE                 Private key (else ssh-agent, else ~/.ssh/id_ed25519, id_ecdsa, id_rsa);
                             a passphrase is asked for on a terminal
  --jump USER@HOST[:PORT]    Reach the hosts through this bastion (ProxyJump)
  --ask-password             Log in with a password, typed once (read from stdin off a terminal)
  --trust-new                Trust host keys not seen before (check them first!)
  --accept-host-key SHA256:… Trust a new host key with exactly this fingerprint (repeatable)
  Hosts may be ~/.ssh/config aliases (HostName, User, Port, IdentityFile, ProxyJump).

Global flags:
  --workspace DIR   Workspace directory (default: $HOPSDESK_HOME, else the user data dir)
  --json            Machine-readable output, one JSON document on stdout
  -v, --verbose     Log what happens to stderr`;

const sshFlags = ['key', 'jump', 'ask-password', 'trust-new', 'accept-host-key'];

/** Commands that take one operand after their two words. */
const withOperand = new Set([
  'host doctor',
  'host add',
  'host remove',
  'host upgrade',
  'cluster create',
  'cluster use',
  'cluster uninstall',
  'cluster join',
  'project create',
  'project members',
  'project add-member',
  'project remove-member',
  'project invite',
  'project audit',
]);

/** Flags each command accepts beyond the global ones. */
const commandFlags: Record<string, readonly string[]> = {
  open: ['web', 'port', 'no-open'],
  'cluster status': ['cluster'],
  'cluster hosts': ['cluster'],
  'cluster create': ['head', 'worker', 'label', 'cluster-port', ...sshFlags],
  'cluster list': [],
  'cluster use': [],
  'cluster uninstall': ['yes', ...sshFlags],
  'cluster join': ['head', 'invite', 'user', 'client-port', ...sshFlags],
  'project list': ['cluster'],
  'project create': ['cluster', 'description'],
  'project members': ['cluster'],
  'project add-member': ['cluster', 'user', 'role'],
  'project remove-member': ['cluster', 'user'],
  'project invite': ['cluster', 'role'],
  'project audit': ['cluster'],
  'project quota': ['cluster'],
  'dataset ls': ['cluster'],
  'dataset stat': ['cluster'],
  'dataset mkdir': ['cluster', 'parents'],
  'dataset put': ['cluster', 'overwrite', 'block-size', 'replication'],
  'dataset get': ['cluster', 'overwrite'],
  'dataset rm': ['cluster', 'recursive', 'yes', 'permanent'],
  'dataset mv': ['cluster'],
  'dataset share': ['cluster', 'with', 'read-only'],
  'dataset unshare': ['cluster', 'with'],
  'dataset shares': ['cluster', 'project'],
  'dataset accept': ['cluster', 'project'],
  'dataset trash': ['cluster', 'project'],
  'dataset restore': ['cluster', 'to', 'project'],
  'dataset find': ['cluster', 'limit', 'order'],
  'fs fsck': ['cluster'],
  'host doctor': sshFlags,
  'host add': ['cluster', 'label', ...sshFlags],
  'host remove': ['cluster', 'yes', ...sshFlags],
  'host upgrade': ['cluster', ...sshFlags],
  version: [],
  help: [],
};
const globalFlags = ['json', 'workspace', 'verbose', 'help', 'version'];

/** Runs one command; returns the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  let json = argv.includes('--json');
  let operand: string | undefined;
  try {
    // Job commands parse their own line: the command to run follows `--`, and `-f` is a job file or, for logs, follow.
    if (isJobCommand(argv)) {
      json = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length).includes('--json');
      const { runJobCommand } = await import('./job-commands.ts');
      return await runJobCommand(argv, (flags, work) =>
        withCore(flags, flags.verbose ? (line) => process.stderr.write(line + '\n') : () => undefined, { connect: true }, work),
      );
    }
    const command = parseCommand(argv);
    json = command.flags.json;
    // Two-word commands ("cluster status", "host doctor") may take one operand after them.
    const words = ['cluster', 'host', 'project', 'dataset', 'fs'].includes(command.path[0] ?? '') ? 2 : 1;
    const name = command.path.slice(0, words).join(' ');
    operand = command.path[words];
    // Dataset commands take their operands as a list (put takes many files).
    if (!name.startsWith('dataset ') && name !== 'fs fsck' && name !== 'project quota' && command.path.length > words + (withOperand.has(name) ? 1 : 0)) {
      throw new HopsError('VALIDATION', `Unexpected "${command.path.slice(words).join(' ')}" after "${name}".`, {
        hint: 'Run `hopsdesk --help` for usage.',
      });
    }
    checkFlags(name, command);
    return await run(name, command, operand, command.path.slice(words));
  } catch (err) {
    const error = toWireError(err);
    process.stderr.write(json ? JSON.stringify({ error }) + '\n' : formatError(error) + '\n');
    // A transfer cancelled with Ctrl-C exits as an interrupted command does.
    if (error.code === 'TRANSFER_CANCELLED') return 130;
    return error.code === 'VALIDATION' || error.code === 'UNKNOWN_METHOD' ? 2 : 1;
  }
}

async function run(name: string, command: ParsedCommand, operand: string | undefined, operands: string[]): Promise<number> {
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
        port: parsePort(typeof values.port === 'string' ? values.port : undefined, 0),
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
      const params = await doctorParams(operand, values);
      return withCore(flags, log, async (core) => {
        const output = await hostDoctor(core, params);
        print(output, flags.json);
        return output.ready ? 0 : 1;
      });
    }
    case 'cluster join':
    case 'project list':
    case 'project create':
    case 'project members':
    case 'project add-member':
    case 'project remove-member':
    case 'project invite':
    case 'project audit': {
      const { clusterJoin, projectCommand } = await import('./project-commands.ts');
      // Project commands work on the active cluster, the local one included (started if need be).
      return withCore(flags, log, { connect: name !== 'cluster join' }, async (core) => {
        const output = name === 'cluster join' ? await clusterJoin(core, operand, values) : await projectCommand(core, name.slice('project '.length), operand, values);
        print(output, flags.json);
        return 0;
      });
    }
    case 'project quota': {
      const { projectQuota } = await import('./project-commands.ts');
      return withCore(flags, log, { connect: true }, async (core) => {
        print(await projectQuota(core, operands, values), flags.json);
        return 0;
      });
    }
    case 'dataset ls':
    case 'dataset stat':
    case 'dataset mkdir':
    case 'dataset put':
    case 'dataset get':
    case 'dataset rm':
    case 'dataset mv':
    case 'dataset share':
    case 'dataset unshare':
    case 'dataset shares':
    case 'dataset accept':
    case 'dataset trash':
    case 'dataset restore':
    case 'dataset find': {
      const { datasetCommand } = await import('./dataset-commands.ts');
      const { watchTransfers } = await import('./transfer-progress.ts');
      return withCore(flags, log, { connect: true }, async (core) => {
        // Progress on a terminal (rewritten in place on stderr); dropped links and resumes anywhere; Ctrl-C cancels.
        // With --json, stderr carries the error document alone: the notices of an
        // interrupted and resumed transfer are for people, and the result says how it ended.
        const watch = watchTransfers(core, { tty: process.stderr.isTTY === true && !flags.json, write: flags.json ? () => undefined : (text) => process.stderr.write(text) });
        try {
          const output = await datasetCommand(core, name.slice('dataset '.length), operands, values);
          print(output, flags.json);
          return 0;
        } finally {
          watch.stop();
        }
      });
    }
    case 'fs fsck': {
      const { fsCommand } = await import('./fs-commands.ts');
      return withCore(flags, log, { connect: true }, async (core) => {
        const output = await fsCommand(core, 'fsck', operands, values);
        print(output, flags.json);
        return output.exitCode;
      });
    }
    case 'cluster create':
    case 'cluster list':
    case 'cluster use':
    case 'cluster uninstall':
    case 'host add':
    case 'host remove':
    case 'host upgrade': {
      const setup = await import('./setup-commands.ts');
      const { progressPrinter } = await import('./progress.ts');
      return withCore(flags, log, async (core) => {
        // Progress goes to stderr, so stdout stays one result (and one JSON document with --json).
        const printProgress = progressPrinter((line) => process.stderr.write(line + '\n'));
        const unsubscribe = flags.json ? () => undefined : core.subscribe((event, payload) => {
          if (event === 'provision.progress') printProgress(payload as Parameters<typeof printProgress>[0]);
        });
        try {
          const output =
            name === 'cluster create' ? await setup.clusterCreate(core, operand, values)
            : name === 'cluster list' ? await setup.clusterList(core)
            : name === 'cluster use' ? await setup.clusterUse(core, operand)
            : name === 'cluster uninstall' ? await setup.clusterUninstall(core, operand, values)
            : name === 'host add' ? await setup.hostAdd(core, operand, values)
            : name === 'host remove' ? await setup.hostRemove(core, operand, values)
            : await setup.hostUpgrade(core, operand, values);
          print(output, flags.json);
          return 'clean' in output && output.clean === false ? 1 : 0;
        } finally {
          unsubscribe();
        }
      });
    }
    default:
      throw new HopsError('VALIDATION', name ? `Unknown command "${name}".` : 'No command given.', {
        hint: 'Run `hopsdesk --help` for the list of commands.',
      });
  }
}

/**
 * Runs `work` with a core and stops it after. With `connect`, the active cluster (creating
 * the local one in a new workspace) is connected first; otherwise nothing is started.
 */
async function withCore(
  flags: ParsedCommand['flags'],
  log: (line: string) => void,
  ...rest: [work: Work] | [options: { connect: boolean }, work: Work]
): Promise<number> {
  const [options, work] = rest.length === 1 ? [{ connect: false }, rest[0]] : rest;
  const { createCore } = await import('../core/create-core.ts');
  const core = await createCore({ mode: 'cli', workspaceDir: flags.workspace, startLocalCluster: options.connect, log });
  try {
    await core.start();
    return await work(core);
  } finally {
    await core.stop();
  }
}

type Work = (core: import('../core/core.ts').Core) => Promise<number>;

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
