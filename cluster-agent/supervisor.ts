/**
 * `hopsdesk-agent supervise --config FILE`: keeps one agent running on a host without
 * systemd --user (with systemd, the unit runs the agent itself with Restart=always).
 *
 * The agent runs as a child on the same runtime and script. When it exits on its own it
 * is started again after a capped exponential backoff, which starts over once an agent
 * has run for a while; each restart is logged with the exit code or signal. Exit code 2
 * (the agent refused its configuration) is not retried: restarting cannot fix a file.
 * Stopping the supervisor stops the agent (SIGTERM, then SIGKILL after a grace period).
 *
 * One supervisor per data directory: `<dataDir>/supervisor.pid` is its lock (see
 * `data-dir-lock.ts`) and tells others its pid. The agent gets the read end of a pipe on
 * stdin and stops when it closes, so an agent never outlives a supervisor that was
 * killed outright (a new supervisor would otherwise find its data directory taken).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { backoffDelayMs } from '../protocol/backoff.ts';
import { agentNodeOptions, supervisedEnv } from '../protocol/agent-api.ts';
import { HopsError } from '../protocol/errors.ts';
import { loadAgentConfig, type AgentConfig } from './config.ts';
import { acquireSupervisorLock } from './data-dir-lock.ts';
import type { AgentLog } from './log.ts';
import { removeRunFile } from './run-file.ts';


/** The exit code with which the agent refuses its command line or configuration. */
const badConfigExitCode = 2;

export interface SupervisorOptions {
  config: AgentConfig;
  log: AgentLog;
  /** The agent command; by default this runtime and script with `--config <config file>`. */
  command?: readonly string[];
  /** Delay before the first restart; doubles with each restart. */
  firstRestartMs?: number;
  maxRestartMs?: number;
  /** An agent that ran this long counts as having started well: backoff starts over. */
  resetAfterMs?: number;
  /** How long a stopping agent gets before SIGKILL. */
  stopGraceMs?: number;
}

interface ChildExit {
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs and restarts one agent until stopped. */
export class Supervisor {
  private readonly config: AgentConfig;
  private readonly log: AgentLog;
  private readonly command: readonly string[];
  private readonly firstRestartMs: number;
  private readonly maxRestartMs: number;
  private readonly resetAfterMs: number;
  private readonly stopGraceMs: number;
  private child: ChildProcess | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(options: SupervisorOptions) {
    this.config = options.config;
    this.log = options.log;
    this.command = options.command ?? [process.execPath, ...agentNodeOptions, path.resolve(process.argv[1] ?? ''), '--config', options.config.source];
    this.firstRestartMs = options.firstRestartMs ?? 500;
    this.maxRestartMs = options.maxRestartMs ?? 30_000;
    this.resetAfterMs = options.resetAfterMs ?? 30_000;
    this.stopGraceMs = options.stopGraceMs ?? 10_000;
  }

  /**
   * Takes the supervisor lock and keeps the agent running until `stop()`. Resolves with
   * the exit code: 0 once stopped, 1 when another supervisor holds the data directory,
   * 2 when the agent refused its configuration.
   */
  async run(): Promise<number> {
    await mkdir(this.config.dataDir, { recursive: true, mode: 0o700 });
    let lock;
    try {
      lock = await acquireSupervisorLock(this.config.dataDir);
    } catch (err) {
      if (!(err instanceof HopsError)) throw err;
      this.log.error(err.message, { code: err.code, hint: err.hint });
      return 1;
    }
    this.log.info('supervisor started', { pid: process.pid, dataDir: this.config.dataDir });
    try {
      return await this.superviseUntilStopped();
    } finally {
      await lock.release();
    }
  }

  /**
   * Stops the agent and then the supervisor. A second call (a second signal) kills the
   * agent at once.
   */
  stop(reason: string): void {
    const child = this.child;
    const running = child !== undefined && child.exitCode === null && child.signalCode === null;
    if (this.stopping) {
      if (running) {
        this.log.warn('asked again to stop; killing the agent now', { signal: reason, pid: child.pid });
        child.kill('SIGKILL');
      }
      return;
    }
    this.stopping = true;
    this.log.info('supervisor stopping', { signal: reason });
    this.wake?.();
    if (!running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.log.warn('the agent did not stop in time; killing it', { pid: child.pid, graceMs: this.stopGraceMs });
      child.kill('SIGKILL');
    }, this.stopGraceMs);
    child.once('exit', () => clearTimeout(timer));
  }

  private async superviseUntilStopped(): Promise<number> {
    let restarts = 0;
    while (!this.stopping) {
      const startedAtMs = Date.now();
      const exit = await this.runAgent();
      if (this.stopping) {
        this.log.info('agent stopped', { pid: exit.pid, code: exit.code, signal: exit.signal });
        break;
      }
      if (exit.code === badConfigExitCode) {
        this.log.error('the agent refused its configuration; not restarting it', {
          config: this.config.source,
          reason: await this.configProblem(),
          hint: 'Fix the configuration, then start the supervisor again.',
        });
        return badConfigExitCode;
      }
      const ranForMs = Date.now() - startedAtMs;
      if (ranForMs >= this.resetAfterMs) restarts = 0;
      const delayMs = backoffDelayMs(restarts, { firstMs: this.firstRestartMs, maxMs: this.maxRestartMs });
      restarts += 1;
      await this.removeStaleRunFile(exit.pid);
      this.log.warn('agent exited; restarting it', { pid: exit.pid, code: exit.code, signal: exit.signal, ranForMs, restartInMs: delayMs, restarts });
      await this.sleep(delayMs);
    }
    return 0;
  }

  /** Starts one agent and resolves when it has exited (or could not be started). */
  private runAgent(): Promise<ChildExit> {
    const [file = process.execPath, ...args] = this.command;
    const child = spawn(file, args, {
      // stdin is the pipe the agent watches; its logs go where ours go.
      stdio: ['pipe', 'inherit', 'inherit'],
      env: { ...process.env, [supervisedEnv]: '1' },
      // Its own process group: a Ctrl-C in the terminal reaches the supervisor only, which
      // then stops the agent once, instead of both signalling it (a second signal makes
      // the agent exit at once, without cleaning up).
      detached: true,
    });
    this.child = child;
    // The pipe is never written to; a closed one must not crash the supervisor.
    child.stdin?.on('error', () => undefined);
    if (child.pid !== undefined) this.log.info('agent started', { pid: child.pid });
    return new Promise((resolve) => {
      child.once('error', (err) => {
        this.log.error('cannot run the agent', { command: file, err });
        resolve({ pid: child.pid, code: null, signal: null });
      });
      child.once('exit', (code, signal) => resolve({ pid: child.pid, code, signal }));
    });
  }

  /** Why the configuration is refused now, for the log line (the agent logged it too). */
  private async configProblem(): Promise<string> {
    try {
      await loadAgentConfig(this.config.source);
      return 'the configuration loads again now; see the agent log above';
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  /** A killed agent leaves its run file behind; it must not point the desktop at a dead pid. */
  private async removeStaleRunFile(pid: number | undefined): Promise<void> {
    try {
      const run = JSON.parse(await readFile(this.config.runFile, 'utf8')) as { pid?: unknown };
      if (run.pid === pid) await removeRunFile(this.config.runFile);
    } catch {
      // No run file, or not one of ours: nothing to clean.
    }
  }

  /** Waits `ms`, or less if the supervisor is stopped meanwhile. */
  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
