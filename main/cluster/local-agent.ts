/**
 * The local cluster's agent: one process on this machine with both roles, its data under
 * the workspace. It is started on demand, reused when another Hopsdesk process (the app or
 * the CLI) already runs it, and stopped only by the process that started it, or by itself
 * once that process is gone, however it ended (its stdin pipe closes). An agent
 * that is running but does not answer (frozen, or busy past the timeout) is waited for,
 * never started a second time: it still holds the data directory's lock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { adminUserName } from './admin-user.ts';
import { Value } from '@sinclair/typebox/value';
import { agentNodeOptions, RunFile, supervisedEnv } from '../../protocol/agent-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { AgentClient, type AgentEndpoint } from './agent-client.ts';

export interface LocalAgentOptions {
  /** Directory holding the agent's data, config, tokens, run file and log. */
  dir: string;
  nodePath: string;
  bundlePath: string;
  log: (line: string) => void;
}

interface Tokens {
  client: string;
  cluster: string;
}

const startTimeoutMs = 20_000;
const stopTimeoutMs = 5_000;

export class LocalAgent {
  private readonly options: LocalAgentOptions;
  private child: ChildProcess | undefined;
  private starting: Promise<AgentEndpoint> | undefined;
  private closed = false;

  constructor(options: LocalAgentOptions) {
    this.options = options;
  }

  get logFile(): string {
    return path.join(this.options.dir, 'agent.log');
  }

  private get runFile(): string {
    return path.join(this.options.dir, 'run.json');
  }

  /** Whether this process started the agent (and so must stop it). */
  get owned(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Returns the endpoint of a healthy agent: the one already running for this data
   * directory, or a new one started now.
   */
  async connectOrStart(): Promise<AgentEndpoint> {
    if (this.closed) throw new HopsError('AGENT_UNREACHABLE', 'Hopsdesk is shutting down.');
    // One start at a time: concurrent callers share it.
    this.starting ??= (async () => {
      const tokens = await this.ensureConfig();
      const running = await this.findRunning(tokens);
      if (running) return running;
      if (this.closed) throw new HopsError('AGENT_UNREACHABLE', 'Hopsdesk is shutting down.');
      return this.start(tokens);
    })().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /**
   * Stops the agent if this process started it, and waits for it to exit. A start still in
   * progress is let finish first, so quitting during start-up leaves no agent behind.
   */
  async stop(): Promise<void> {
    this.closed = true;
    await this.starting?.catch(() => undefined);
    const child = this.child;
    if (!child || !this.owned) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  private async ensureConfig(): Promise<Tokens> {
    const { dir } = this.options;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tokenFile = path.join(dir, 'tokens.json');
    let tokens: Tokens;
    try {
      tokens = JSON.parse(await readFile(tokenFile, 'utf8')) as Tokens;
    } catch {
      tokens = { client: randomBytes(32).toString('base64url'), cluster: randomBytes(32).toString('base64url') };
      await writeAtomically(tokenFile, JSON.stringify(tokens));
    }
    const config = {
      hostId: `local-${os.hostname()}`,
      dataDir: path.join(dir, 'data'),
      roles: ['head', 'worker'],
      listen: { host: '127.0.0.1', port: 0 },
      tokenFile,
      runFile: this.runFile,
      adminUser: adminUserName(),
    };
    await writeAtomically(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
    return tokens;
  }

  /**
   * The endpoint of the agent the run file names, when it answers; undefined when none
   * runs. One that runs but does not answer is `AGENT_NOT_RESPONDING`: a second agent
   * would be refused by its lock anyway, so the caller retries until it answers or ends.
   */
  private async findRunning(tokens: Tokens): Promise<AgentEndpoint | undefined> {
    const run = await this.readRunFile();
    if (!run || !(await this.isAgentProcess(run.pid))) return undefined;
    const endpoint = { baseUrl: `http://${run.host}:${run.port}`, token: tokens.client };
    try {
      await new AgentClient(endpoint).hello();
      return endpoint;
    } catch (err) {
      if (!(await this.isAgentProcess(run.pid))) return undefined;
      throw new HopsError(
        'AGENT_NOT_RESPONDING',
        `The local agent (pid ${run.pid}) is running but does not answer (${err instanceof Error ? err.message : String(err)}); waiting for it rather than starting a second one. Its log is ${this.logFile}.`,
      );
    }
  }

  /**
   * Whether `pid` is alive and, where /proc tells, an agent run with this directory's
   * configuration: a pid from a run file left by a crash may belong to another program now.
   */
  private async isAgentProcess(pid: number): Promise<boolean> {
    if (!isAlive(pid)) return false;
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
    return commandLine === undefined || commandLine.split('\0').includes(path.join(this.options.dir, 'config.json'));
  }

  private async start(tokens: Tokens): Promise<AgentEndpoint> {
    const { nodePath, bundlePath, dir, log } = this.options;
    const logHandle = await open(this.logFile, 'a', 0o600);
    const child = spawn(
      nodePath,
      ['--disable-warning=ExperimentalWarning', ...agentNodeOptions, bundlePath, '--config', path.join(dir, 'config.json')],
      {
        // stdin is a pipe the agent watches, as under its supervisor on a cluster host: when
        // this process ends, even killed or crashed, the pipe closes and the agent stops.
        stdio: ['pipe', logHandle.fd, logHandle.fd],
        // The compile cache spares the agent re-parsing its bundle at every start.
        env: { ...process.env, NODE_COMPILE_CACHE: path.join(dir, 'compile-cache'), [supervisedEnv]: '1' },
      },
    );
    // The pipe is never written to; one the agent closed must not crash this process.
    child.stdin?.on('error', () => undefined);
    await logHandle.close();
    this.child = child;
    log(`starting the local agent (pid ${child.pid}); log: ${this.logFile}`);
    const exitedEarly = new Promise<never>((_, reject) => {
      child.once('error', (err) => reject(this.startFailed(`could not run ${nodePath}: ${err.message}`)));
      child.once('exit', (code, signal) =>
        reject(this.startFailed(`the agent exited during start-up (${signal ?? `code ${code}`})`)),
      );
    });
    exitedEarly.catch(() => undefined);
    const ready = this.waitForRunFile(child.pid ?? -1, tokens);
    try {
      return await Promise.race([ready, exitedEarly]);
    } catch (err) {
      child.kill('SIGKILL');
      this.child = undefined;
      throw err instanceof HopsError ? err : this.startFailed(String(err));
    }
  }

  /** Polls for the run file naming our child; bounded by `startTimeoutMs`. */
  private async waitForRunFile(pid: number, tokens: Tokens): Promise<AgentEndpoint> {
    const deadline = Date.now() + startTimeoutMs;
    while (Date.now() < deadline) {
      const run = await this.readRunFile();
      if (run?.pid === pid) return { baseUrl: `http://${run.host}:${run.port}`, token: tokens.client };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw this.startFailed(`the agent did not report ready within ${startTimeoutMs / 1000} s`);
  }

  private async readRunFile(): Promise<RunFile | undefined> {
    try {
      const run: unknown = JSON.parse(await readFile(this.runFile, 'utf8'));
      // A run file of another shape (an older agent, a stray edit) names no agent we can use.
      return Value.Check(RunFile, run) ? run : undefined;
    } catch {
      return undefined;
    }
  }

  private startFailed(reason: string): HopsError {
    return new HopsError('AGENT_START_FAILED', `The local agent could not start: ${reason}. Its log is ${this.logFile}.`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, content, { mode: 0o600 });
  await rename(temp, file);
}
