import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { access, readFile, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { AGENT_PROTOCOL_VERSION, agentRoutes, type AgentEvent, type HostsReply, type MetricsReply } from '../protocol/agent-api.ts';
import { HopsError } from '../protocol/errors.ts';
import { projectRoutes, type Project, type User } from '../protocol/projects.ts';
import { installFakeNvidiaSmi } from '../e2e/fixtures/nvidia-smi.ts';
import { startAgent, type AgentHandle } from './agent.ts';
import type { RunFile } from '../protocol/agent-api.ts';
import { memoryLog, tempDir, testConfig, testTokens, waitFor } from './testing/helpers.ts';

const exists = (file: string) => access(file).then(() => true, () => false);

describe('an agent started in-process', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let nvidiaSmi: string;
  let head: AgentHandle;
  const log = memoryLog();
  const base = () => `http://127.0.0.1:${head.port}`;
  const get = async <T>(route: string): Promise<T> => {
    const response = await fetch(base() + route, { headers: { authorization: `Bearer ${testTokens.client}` } });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as T;
  };

  before(async () => {
    ({ dir, remove } = await tempDir());
    nvidiaSmi = await installFakeNvidiaSmi(dir, [
      { name: 'NVIDIA A100-SXM4-80GB', memoryTotalMiB: 81920, utilizationPct: 60 },
      { name: 'NVIDIA A100-SXM4-80GB', memoryTotalMiB: 81920, memoryUsedMiB: 2048, utilizationPct: 20, powerW: null },
    ]);
    head = await startAgent(await testConfig(dir, { hostId: 'head-1', nvidiaSmi, labels: ['infiniband'] }), { log });
  });
  after(async () => {
    await head.stop();
    await remove();
  });

  test('is running, with a 0600 run file saying where', async () => {
    assert.equal(head.state, 'running');
    assert.ok(head.port > 0);
    const runFile = path.join(dir, 'data', 'run.json');
    const run = JSON.parse(await readFile(runFile, 'utf8')) as RunFile;
    assert.deepEqual({ ...run, agentVersion: typeof run.agentVersion, startedAtMs: typeof run.startedAtMs }, {
      pid: process.pid,
      port: head.port,
      host: '127.0.0.1',
      hostId: 'head-1',
      agentVersion: 'string',
      protocolVersion: AGENT_PROTOCOL_VERSION,
      startedAtMs: 'number',
    });
    assert.equal((await stat(runFile)).mode & 0o777, 0o600);
    assert.ok(log.entries().some((e) => e['msg'] === 'ready' && e['port'] === head.port));
  });

  test('lists itself as one healthy host with this machine\'s CPUs, memory and the declared GPUs', async () => {
    // Waited for: on a loaded test machine a sample can come later than unreachableAfterMs
    // (400 ms here), or its nvidia-smi call time out (1 s) and carry no GPUs.
    const hosts = await waitFor('one healthy host with a sample of both GPUs', async () => {
      const reply = await get<HostsReply>(agentRoutes.hosts);
      return reply.hosts[0]?.state === 'healthy' && reply.hosts[0].latest?.gpus.length === 2 && reply.hosts;
    });
    assert.equal(hosts.length, 1);
    const [host] = hosts;
    assert.equal(host?.hostId, 'head-1');
    assert.deepEqual(host?.roles, ['head', 'worker']);
    assert.equal(host?.inventory.cpu.cores, os.cpus().length);
    assert.equal(host?.inventory.memory.totalBytes, os.totalmem());
    assert.deepEqual(host?.inventory.gpus.map((g) => [g.index, g.name, g.memoryTotalMiB]), [
      [0, 'NVIDIA A100-SXM4-80GB', 81920],
      [1, 'NVIDIA A100-SXM4-80GB', 81920],
    ]);
    assert.deepEqual(host?.inventory.labels, ['infiniband']);
  });

  test('streams host.metrics for its own samples on the events WebSocket', async (t) => {
    const socket = new WebSocket(`ws://127.0.0.1:${head.port}${agentRoutes.events}`, {
      headers: { authorization: `Bearer ${testTokens.client}` },
    });
    t.after(() => socket.terminate());
    const events: AgentEvent[] = [];
    socket.on('message', (data) => events.push(JSON.parse(String(data)) as AgentEvent));
    // One with GPUs: on a loaded test machine a sample's nvidia-smi call may time out (1 s).
    const metrics = await waitFor('a host.metrics event', () => events.find((e) => e.type === 'host.metrics' && e.sample.gpus.length > 0));
    assert.equal(metrics.type === 'host.metrics' && metrics.hostId, 'head-1');
    if (metrics.type === 'host.metrics') {
      assert.ok(metrics.sample.cpuPct >= 0 && metrics.sample.cpuPct <= 100);
      assert.deepEqual(metrics.sample.gpus.map((g) => g.memoryUsedMiB), [0, 2048]);
    }
  });

  test('keeps samples for its host and for the cluster, filtered by sinceMs', async () => {
    const own = await waitFor('three samples', async () => {
      const { samples } = await get<MetricsReply>(agentRoutes.metrics);
      return samples.length >= 3 && samples;
    });
    const middle = own[1]?.atMs ?? 0;
    const { samples: later } = await get<MetricsReply>(`${agentRoutes.metrics}?sinceMs=${middle}`);
    assert.ok(later.length >= 1 && later.every((s) => s.atMs > middle));
    // The cluster's copy starts when the host registered, a little after its own sampling.
    await waitFor('three samples kept by the cluster', async () => {
      const { samples: kept } = await get<MetricsReply>(`${agentRoutes.hostMetrics.replace(':hostId', 'head-1')}?sinceMs=0`);
      return kept.length >= 3;
    });
  });

  test('a worker-only agent joins over HTTP and shows up healthy', async (t) => {
    const { dir: workerDir, remove: removeWorker } = await tempDir();
    t.after(removeWorker);
    const config = await testConfig(workerDir, {
      hostId: 'worker-1',
      roles: ['worker'],
      head: { url: `http://127.0.0.1:${head.port}` },
      nvidiaSmi: 'nvidia-smi-not-installed',
    });
    const worker = await startAgent(config, { log: memoryLog() });
    t.after(() => worker.stop());
    const hosts = await waitFor('two healthy hosts', async () => {
      const reply = await get<HostsReply>(agentRoutes.hosts);
      return reply.hosts.length === 2 && reply.hosts.every((h) => h.state === 'healthy' && h.latest !== null) && reply.hosts;
    });
    const joined = hosts.find((h) => h.hostId === 'worker-1');
    assert.equal(joined?.address, `127.0.0.1:${worker.port}`);
    assert.equal(joined?.inventory.gpuNote, 'nvidia-smi-not-installed not found on PATH');
  });

  test('the head drains itself, and registers itself again once forgotten', async () => {
    const send = (method: string, route: string) =>
      fetch(base() + route.replace(':hostId', 'head-1'), { method, headers: { authorization: `Bearer ${testTokens.client}` } });
    assert.equal((await send('POST', agentRoutes.hostDrain)).status, 200);
    // Waited for, not read once: on a loaded machine a late sample shows as unreachable for a moment.
    await waitFor('head-1 draining', async () => (await get<HostsReply>(agentRoutes.hosts)).hosts.find((h) => h.hostId === 'head-1')?.state === 'draining');
    assert.equal((await send('DELETE', agentRoutes.host)).status, 200);
    // Its next sample is a refused heartbeat, so it registers again, as a worker would.
    await waitFor('head-1 back and healthy', async () => (await get<HostsReply>(agentRoutes.hosts)).hosts.find((h) => h.hostId === 'head-1')?.state === 'healthy');
    assert.ok(log.entries().some((e) => e['msg'] === 'head no longer knows this host; registering again'));
  });

  test('the client token signs in as the configured admin, who can create a project', async () => {
    assert.deepEqual({ ...(await get<User>(projectRoutes.me)), createdAtMs: 0 }, { name: 'admin', admin: true, createdAtMs: 0 });
    const response = await fetch(base() + projectRoutes.projects, {
      method: 'POST',
      headers: { authorization: `Bearer ${testTokens.client}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'vision' }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual((await get<{ projects: Project[] }>(projectRoutes.projects)).projects.map((p) => [p.name, p.myRole]), [['vision', 'data-owner']]);
  });

  test('a second agent on the same data dir is refused and the first keeps serving', async () => {
    const config = await testConfig(dir, { hostId: 'head-1', nvidiaSmi });
    await assert.rejects(startAgent(config, { log: memoryLog() }), (err: unknown) => err instanceof HopsError && err.code === 'AGENT_ALREADY_RUNNING');
    await get(agentRoutes.hello);
  });

  test('no log line carries a token', () => {
    const raw = log.lines.join('');
    assert.ok(!raw.includes(testTokens.client) && !raw.includes(testTokens.cluster));
    assert.ok(!raw.includes('[redacted]'), 'nothing even tried to log one');
  });
});

test('stop() closes everything and removes the run file and the lock', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const agent = await startAgent(await testConfig(dir, { nvidiaSmi: 'nvidia-smi-not-installed' }), { log: memoryLog() });
  const socket = new WebSocket(`ws://127.0.0.1:${agent.port}${agentRoutes.events}`, { headers: { authorization: `Bearer ${testTokens.client}` } });
  await once(socket, 'open');
  const closed = once(socket, 'close');
  await agent.stop();
  const [code] = (await closed) as [number];
  assert.equal(code, 1001, 'clients are told the agent is going away');
  assert.equal(agent.state, 'stopped');
  assert.equal(await exists(path.join(dir, 'data', 'run.json')), false);
  assert.equal(await exists(path.join(dir, 'data', 'agent.lock')), false);
  await assert.rejects(fetch(`http://127.0.0.1:${agent.port}${agentRoutes.hello}`));
  await agent.stop();
});

test('a failed start undoes what it did: no run file, no lock', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const blocker = net.createServer().listen(0, '127.0.0.1');
  t.after(() => blocker.close());
  await once(blocker, 'listening');
  const port = (blocker.address() as net.AddressInfo).port;
  const log = memoryLog();
  await assert.rejects(startAgent(await testConfig(dir, { listen: { port }, nvidiaSmi: 'nvidia-smi-not-installed' }), { log }), /EADDRINUSE/);
  assert.deepEqual(log.entries().filter((e) => e['msg'] === 'state').map((e) => e['to']), ['starting', 'failed']);
  assert.equal(await exists(path.join(dir, 'data', 'run.json')), false);
  assert.equal(await exists(path.join(dir, 'data', 'agent.lock')), false);
});
