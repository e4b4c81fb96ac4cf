/**
 * Entry point of the cluster agent: `hopsdesk-agent --config FILE`, or
 * `hopsdesk-agent supervise --config FILE` to run it under its own supervisor
 * (`supervisor.ts`). The only module that starts anything on load; everything it
 * composes lives in `agent.ts`.
 *
 * Exit codes: 0 after a clean stop (SIGTERM/SIGINT), 1 when the agent fails to start or
 * to stop cleanly (e.g. AGENT_ALREADY_RUNNING), 2 for a bad command line or config.
 */
import { AGENT_PROTOCOL_VERSION } from '../protocol/agent-api.ts';
import { HopsError } from '../protocol/errors.ts';
import { startAgent, type AgentHandle } from './agent.ts';
import { loadAgentConfig, type AgentConfig } from './config.ts';
import { createAgentLog, type AgentLog } from './log.ts';
import { supervisedEnv } from '../protocol/agent-api.ts';
import { Supervisor } from './supervisor.ts';
import { agentVersion } from './version.ts';

const usage = `Usage: hopsdesk-agent --config FILE
       hopsdesk-agent supervise --config FILE

Runs a Hopsdesk cluster agent as configured in FILE (JSON). With "supervise", runs it
as a child process and restarts it whenever it exits (for hosts without systemd).

Options:
  --config FILE   the agent configuration
  --version       print the agent and protocol versions
  --help          print this help
`;

type Command =
  | { run: 'help' }
  | { run: 'version' }
  | { run: 'agent' | 'supervise'; configFile: string }
  | { run: 'usage-error'; message: string };

/** Reads the command line. */
function parseArgs(args: readonly string[]): Command {
  let configFile: string | undefined;
  const supervise = args[0] === 'supervise';
  for (let i = supervise ? 1 : 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--help' || arg === '-h') return { run: 'help' };
    if (arg === '--version') return { run: 'version' };
    if (arg === '--config') {
      configFile = args[i + 1];
      i += 1;
      if (configFile === undefined) return { run: 'usage-error', message: '--config needs a file name.' };
    } else if (arg.startsWith('--config=')) {
      configFile = arg.slice('--config='.length);
    } else {
      return { run: 'usage-error', message: `Unknown argument: ${arg}` };
    }
  }
  if (configFile === undefined || configFile === '') return { run: 'usage-error', message: '--config FILE is required.' };
  return { run: supervise ? 'supervise' : 'agent', configFile };
}

/**
 * node:sqlite is experimental on some of the runtimes an agent may run on and warns
 * once on load. Only that warning is dropped; any other goes to the log.
 */
function quietSqliteWarning(log: () => AgentLog): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'ExperimentalWarning' && /sqlite/i.test(warning.message)) return;
    log().warn('runtime warning', { name: warning.name, message: warning.message });
  });
}

function logFailure(log: AgentLog, err: unknown): void {
  if (err instanceof HopsError) {
    log.error(err.message, { code: err.code, hint: err.hint, ...(err.field === undefined ? {} : { field: err.field }) });
  } else {
    log.error('the agent failed', { err });
  }
}

async function main(args: readonly string[]): Promise<number> {
  const command = parseArgs(args);
  if (command.run === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  if (command.run === 'version') {
    process.stdout.write(`hopsdesk-agent ${agentVersion()} (agent protocol ${AGENT_PROTOCOL_VERSION})\n`);
    return 0;
  }
  if (command.run === 'usage-error') {
    process.stderr.write(`${command.message}\n\n${usage}`);
    return 2;
  }

  let log = createAgentLog();
  quietSqliteWarning(() => log);
  process.on('uncaughtException', (err) => {
    log.error('uncaught exception; exiting', { err });
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    log.error('unhandled rejection; exiting', { err: reason });
    process.exit(1);
  });

  let config: AgentConfig;
  try {
    config = await loadAgentConfig(command.configFile);
    log = createAgentLog({ file: config.logFile, secrets: [config.tokens.client, config.tokens.cluster] });
  } catch (err) {
    logFailure(log, err);
    return 2;
  }

  if (command.run === 'supervise') {
    const supervisor = new Supervisor({ config, log });
    // Every signal goes to the supervisor: the first stops the agent, a second kills it.
    process.on('SIGTERM', () => supervisor.stop('SIGTERM'));
    process.on('SIGINT', () => supervisor.stop('SIGINT'));
    const code = await supervisor.run();
    log.info('supervisor exit', { code });
    return code;
  }

  // Shutdown has one path: the first SIGTERM or SIGINT stops the agent gracefully (once
  // it has finished starting, if it is still starting); a second one exits at once. A
  // supervised agent also stops when its parent is gone (its stdin pipe closes): its
  // supervisor, or the desktop that started it as its local agent.
  // The handlers stay installed throughout: with none, a signal arriving between the
  // first one's handler and the next's would take Node's default and kill the agent
  // uncleanly, as two SIGTERMs at once from a stop script can.
  const supervised = process.env[supervisedEnv] === '1';
  let stopping = false;
  const forceExit = (again: NodeJS.Signals): void => {
    // Under a supervisor, escalation is its job (SIGKILL after a grace period); a second
    // SIGTERM is then most likely a stop script signalling both processes.
    if (supervised) {
      log.warn('another signal while stopping; the supervisor decides when to kill', { signal: again });
      return;
    }
    log.warn('second signal while stopping; exiting now', { signal: again });
    process.exit(1);
  };
  const signalled = new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) return forceExit(signal);
      stopping = true;
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    if (supervised) {
      delete process.env[supervisedEnv];
      process.stdin.once('end', () => {
        stopping = true;
        resolve('supervisor gone');
      });
      process.stdin.resume();
    }
  });

  let agent: AgentHandle;
  try {
    agent = await startAgent(config, { log });
  } catch (err) {
    logFailure(log, err);
    return 1;
  }

  const signal = await signalled;
  log.info('stopping', { signal });
  await agent.stop();
  log.info('exit', { state: agent.state });
  return agent.state === 'stopped' ? 0 : 1;
}

const code = await main(process.argv.slice(2));
// Exit explicitly: idle keep-alive sockets of fetch must not hold a stopped agent up.
process.exit(code);
