/**
 * The shipped bundle as separate processes: a head, a worker joining it, a worker
 * killed with SIGKILL, a second head refused by the data-dir lock, and a graceful stop.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { agentRoutes, type HostsReply } from '../protocol/agent-api.ts';
import { installFakeNvidiaSmi } from '../e2e/fixtures/nvidia-smi.ts';
import type { RunFile } from '../protocol/agent-api.ts';
import { tempDir, testTokens, waitFor } from './testing/helpers.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, 'dist', 'agent', 'hopsdesk-agent.mjs');
const run = promisify(execFile);
const exists = (file: string) => access(file).then(() => true, () => false);

interface AgentProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

describe('the agent bundle as processes', () => {
  let dir: string;
  let remove: () => Promise<void>;
  const children: ChildProcess[] = [];
  let head: AgentProcess;
  let worker: AgentProcess;
  let headPort = 0;
  const unreachableAfterMs = 600;

  /** Writes a config file for an agent named `name` and returns its path. */
  async function writeConfig(name: string, config: Record<string, unknown>): Promise<string> {
    const file = path.join(dir, `${name}.json`);
    await writeFile(file, JSON.stringify({ hostId: name, dataDir: `${name}-data`, tokenFile: 'tokens.json', ...config }));
    return file;
  }

  function launch(configFile: string): AgentProcess {
    const child = spawn(process.execPath, [bundle, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit').then(([code]) => code as number | null);
    return { child, output: () => output, exited };
  }

  async function hosts(): Promise<HostsReply['hosts']> {
    const response = await fetch(`http://127.0.0.1:${headPort}${agentRoutes.hosts}`, {
      headers: { authorization: `Bearer ${testTokens.client}` },
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as HostsReply).hosts;
  }

  before(async () => {
    ({ dir, remove } = await tempDir());
    // Always rebuild: a stale bundle would test yesterday's code.
    await run(process.execPath, [path.join(root, 'scripts', 'build.ts'), 'agent'], { cwd: root });
    await writeFile(path.join(dir, 'tokens.json'), JSON.stringify(testTokens), { mode: 0o600 });
    await mkdir(path.join(dir, 'bin'));
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(children.map((child) => (child.exitCode === null && child.signalCode === null ? once(child, 'exit') : undefined)));
    await remove();
  });

  test('--version and --help answer; a bad config exits 2 naming the field and the file', async () => {
    const version = await run(process.execPath, [bundle, '--version']);
    assert.match(version.stdout, /^hopsdesk-agent \d+\.\d+\.\d+ \(agent protocol \d+\)\n$/);
    assert.match((await run(process.execPath, [bundle, '--help'])).stdout, /--config FILE/);

    const bad = await writeConfig('bad', { roles: ['head'], listen: { port: 'eighty' } });
    const agent = launch(bad);
    assert.equal(await agent.exited, 2);
    assert.match(agent.output(), /listen\.port/);
    assert.ok(agent.output().includes(bad));
  });

  test('a head starts and publishes its run file', async () => {
    const nvidiaSmi = await installFakeNvidiaSmi(path.join(dir, 'bin'), [{ name: 'NVIDIA RTX A6000', memoryTotalMiB: 49140, utilizationPct: 30 }]);
    const config = await writeConfig('head', {
      roles: ['head', 'worker'],
      nvidiaSmi,
      heartbeatIntervalMs: 200,
      metricsIntervalMs: 200,
      unreachableAfterMs,
      logFile: 'head.log',
    });
    head = launch(config);
    const runFile = path.join(dir, 'head-data', 'run.json');
    const published = await waitFor('the head run file', async () => (await exists(runFile)) && (JSON.parse(await readFile(runFile, 'utf8')) as RunFile));
    assert.equal(published.pid, head.child.pid);
    headPort = published.port;
    assert.match(head.output(), /"msg":"ready","port":\d+/);
  });

  test('a worker process joins: two healthy hosts', async () => {
    const config = await writeConfig('worker', { roles: ['worker'], head: { url: `http://127.0.0.1:${headPort}` }, nvidiaSmi: 'nvidia-smi-not-installed' });
    worker = launch(config);
    const both = await waitFor('two healthy hosts', async () => {
      const list = await hosts();
      return list.length === 2 && list.every((h) => h.state === 'healthy') && list;
    });
    assert.deepEqual(both.map((h) => h.hostId).sort(), ['head', 'worker']);
    assert.deepEqual(both.find((h) => h.hostId === 'head')?.inventory.gpus.map((g) => g.name), ['NVIDIA RTX A6000']);
  });

  test('a worker killed with SIGKILL turns unreachable after unreachableAfterMs', async () => {
    const killedAt = Date.now();
    worker.child.kill('SIGKILL');
    await worker.exited;
    await waitFor('the worker to be unreachable', async () => (await hosts()).find((h) => h.hostId === 'worker')?.state === 'unreachable');
    // The last heartbeat may have landed up to one interval before the kill.
    assert.ok(Date.now() - killedAt >= unreachableAfterMs - 200, `after ${Date.now() - killedAt} ms`);
    assert.equal((await hosts()).find((h) => h.hostId === 'head')?.state, 'healthy');
  });

  test('a second head on the same data dir exits non-zero with AGENT_ALREADY_RUNNING', async () => {
    const second = launch(path.join(dir, 'head.json'));
    assert.equal(await second.exited, 1);
    assert.match(second.output(), /AGENT_ALREADY_RUNNING/);
    assert.match(second.output(), new RegExp(`pid ${head.child.pid}`));
    assert.equal((await hosts()).length, 2, 'the running head is untouched');
  });

  test('SIGTERM stops the head: exit 0, run file removed, lock released, no token logged', async () => {
    head.child.kill('SIGTERM');
    assert.equal(await head.exited, 0);
    assert.equal(await exists(path.join(dir, 'head-data', 'run.json')), false);
    assert.equal(await exists(path.join(dir, 'head-data', 'agent.lock')), false);
    const logFile = await readFile(path.join(dir, 'head.log'), 'utf8');
    assert.match(logFile, /"msg":"state","from":"stopping","to":"stopped"/);
    for (const text of [logFile, head.output()]) {
      assert.ok(!text.includes(testTokens.client) && !text.includes(testTokens.cluster));
    }
  });
});
