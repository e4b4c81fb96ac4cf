/**
 * `hopsdesk-agent supervise` as real processes (run from the sources, so that this test
 * does not race main.test.ts rebuilding the bundle): the agent child is restarted when
 * killed, stopped with the supervisor, never outlives it, and a refused configuration
 * is not retried.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentRoutes, type Hello, type RunFile } from '../protocol/agent-api.ts';
import { tempDir, testTokens, waitFor } from './testing/helpers.ts';

const mainScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');
const exists = (file: string) => access(file).then(() => true, () => false);

interface Process {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Whether `pid` is a live process (a zombie, which init has yet to reap, is not). */
async function isRunning(pid: number): Promise<boolean> {
  try {
    const status = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S …": the state follows the last parenthesis.
    return status.slice(status.lastIndexOf(')') + 2, status.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('the supervisor', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let configFile: string;
  let dataDir: string;
  let runFile: string;
  let pidFile: string;
  const processes: ChildProcess[] = [];
  const agentPids = new Set<number>();
  let supervisor: Process;

  const config = (overrides: Record<string, unknown> = {}) =>
    JSON.stringify({
      hostId: 'supervised',
      dataDir: 'data',
      roles: ['head', 'worker'],
      tokenFile: 'tokens.json',
      nvidiaSmi: 'nvidia-smi-not-installed',
      metricsIntervalMs: 200,
      heartbeatIntervalMs: 200,
      logFile: 'agent.log',
      ...overrides,
    });

  function supervise(): Process {
    const child = spawn(process.execPath, [mainScript, 'supervise', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    processes.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit').then(([code]) => code as number | null);
    return { child, output: () => output, exited };
  }

  /** The run file of a live agent other than `not`, once it answers hello with its token. */
  async function agentUp(not?: number): Promise<RunFile> {
    const run = await waitFor(
      'an agent answering',
      async () => {
        if (!(await exists(runFile))) return false;
        const published = JSON.parse(await readFile(runFile, 'utf8')) as RunFile;
        if (published.pid === not) return false;
        const response = await fetch(`http://127.0.0.1:${published.port}${agentRoutes.hello}`, { headers: { authorization: `Bearer ${testTokens.client}` } });
        return response.status === 200 && ((await response.json()) as Hello).pid === published.pid && published;
      },
      20_000,
    );
    agentPids.add(run.pid);
    return run;
  }

  before(async () => {
    ({ dir, remove } = await tempDir());
    configFile = path.join(dir, 'agent.json');
    dataDir = path.join(dir, 'data');
    runFile = path.join(dataDir, 'run.json');
    pidFile = path.join(dataDir, 'supervisor.pid');
    await writeFile(path.join(dir, 'tokens.json'), JSON.stringify(testTokens), { mode: 0o600 });
    await writeFile(configFile, config());
  });
  after(async () => {
    for (const child of processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const pid of agentPids) if (await isRunning(pid)) process.kill(pid, 'SIGKILL');
    await remove();
  });

  test('runs the agent as its child and writes its own pid to supervisor.pid (0600)', async () => {
    supervisor = supervise();
    const run = await agentUp();
    assert.notEqual(run.pid, supervisor.child.pid);
    assert.equal((await readFile(pidFile, 'utf8')).trim(), String(supervisor.child.pid));
    assert.equal((await stat(pidFile)).mode & 0o777, 0o600);
  });

  test('a second supervisor for the same data dir exits 1, naming the first', async () => {
    const second = supervise();
    assert.equal(await second.exited, 1);
    assert.match(second.output(), new RegExp(`already supervised by the supervisor with pid ${supervisor.child.pid}`));
    assert.equal((await readFile(pidFile, 'utf8')).trim(), String(supervisor.child.pid), 'the first keeps its pid file');
  });

  test('an agent killed with SIGKILL is replaced by a new one, and the restart is logged', async () => {
    const first = JSON.parse(await readFile(runFile, 'utf8')) as RunFile;
    process.kill(first.pid, 'SIGKILL');
    const next = await agentUp(first.pid);
    assert.notEqual(next.pid, first.pid);
    assert.equal(await isRunning(first.pid), false);
    const log = await readFile(path.join(dir, 'agent.log'), 'utf8');
    const restart = log
      .split('\n')
      .filter((line) => line.includes('"msg":"agent exited; restarting it"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .at(-1);
    assert.equal(restart?.['pid'], first.pid);
    assert.equal(restart?.['signal'], 'SIGKILL');
    assert.equal(restart?.['code'], null);
    assert.equal(typeof restart?.['restartInMs'], 'number');
  });

  test('SIGTERM stops the agent and the supervisor: exit 0, no process left, no run or pid file', async () => {
    supervisor.child.kill('SIGTERM');
    assert.equal(await supervisor.exited, 0);
    for (const pid of agentPids) assert.equal(await isRunning(pid), false, `agent ${pid} is gone`);
    assert.equal(await exists(runFile), false);
    assert.equal(await exists(pidFile), false);
    assert.equal(await exists(path.join(dataDir, 'agent.lock')), false);
    assert.match(supervisor.output(), /"msg":"agent stopped","pid":\d+,"code":0/);
    assert.ok(!supervisor.output().includes(testTokens.client) && !supervisor.output().includes(testTokens.cluster));
  });

  test('SIGTERM to both processes at once (as a stop script may send) still stops the agent cleanly', async () => {
    const both = supervise();
    const run = await agentUp();
    // The supervisor first: it marks itself stopping at once, long before the agent is done
    // stopping, so it does not take the agent's exit for a crash.
    both.child.kill('SIGTERM');
    process.kill(run.pid, 'SIGTERM');
    assert.equal(await both.exited, 0);
    assert.match(both.output(), new RegExp(`"msg":"agent stopped","pid":${run.pid},"code":0`));
    assert.equal(await exists(runFile), false);
    assert.equal(await exists(path.join(dataDir, 'agent.lock')), false);
    assert.equal(await exists(pidFile), false);
  });

  test('the agent stops by itself when its supervisor is killed outright', async () => {
    const killed = supervise();
    const run = await agentUp();
    killed.child.kill('SIGKILL');
    await killed.exited;
    await waitFor('the orphaned agent to stop', async () => !(await isRunning(run.pid)) && !(await exists(runFile)));
    assert.equal(await exists(path.join(dataDir, 'agent.lock')), false);
    // The supervisor could not clean up its pid file; the next one takes it over.
    assert.equal(await exists(pidFile), true);
  });

  test('an agent refusing its configuration is not restarted: the supervisor exits 2 with the reason', async () => {
    const broken = supervise();
    const run = await agentUp();
    await writeFile(configFile, config({ listen: { port: 'eighty' } }));
    process.kill(run.pid, 'SIGKILL');
    assert.equal(await broken.exited, 2);
    assert.match(broken.output(), /"msg":"the agent refused its configuration; not restarting it".*listen\.port/);
    assert.equal(await exists(pidFile), false);
    // A supervisor started on a bad configuration says so at once.
    const refused = supervise();
    assert.equal(await refused.exited, 2);
    assert.match(refused.output(), /listen\.port/);
  });
});
