/**
 * The desktop core against a real local agent process: first start creates the cluster
 * `local`, the host shows this machine, and stop() ends the agent it started.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { ClusterStatus } from '../../protocol/desktop-api.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import { ensureAgentBundle } from '../testing/agent-bundle.ts';
import type { Core } from './core.ts';
import { createCore } from './create-core.ts';

let workspace: string;
let core: Core;

before(async () => {
  await ensureAgentBundle();
  workspace = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-core-'));
  core = await createCore({ mode: 'cli', workspaceDir: workspace, log: () => undefined });
  await core.start();
});
after(async () => {
  await core?.stop();
  await rm(workspace, { recursive: true, force: true });
});

test('first start creates the active cluster "local" and connects to its agent', async () => {
  const { clusters } = (await core.dispatch('cluster.list', {})) as { clusters: Array<{ name: string; active: boolean }> };
  assert.deepEqual(clusters.map((c) => [c.name, c.active]), [['local', true]]);
  const status = (await core.dispatch('cluster.status', {})) as ClusterStatus;
  assert.equal(status.connection.state, 'connected');
  assert.deepEqual(status.hosts, { total: 1, healthy: 1 });
  assert.equal(status.cpuCores, os.cpus().length);
  assert.equal(status.memoryTotalBytes, os.totalmem());
});

test('the local host carries this machine’s inventory and metrics', async () => {
  const { hosts } = (await core.dispatch('cluster.hosts', {})) as { hosts: ClusterHost[] };
  assert.equal(hosts.length, 1);
  const host = hosts[0]!;
  assert.deepEqual(host.roles.toSorted(), ['head', 'worker']);
  assert.equal(host.inventory.cpu.cores, os.cpus().length);
  assert.equal(host.inventory.kernel, os.release());
  assert.ok(host.inventory.disks.length > 0, 'at least the data directory’s disk is listed');
});

test('live metrics arrive as events and the head keeps them', async () => {
  const event = await new Promise<{ cluster: string; hostId: string }>((resolve) => {
    const off = core.subscribe((name, payload) => {
      if (name === 'host.metrics') {
        off();
        resolve(payload as { cluster: string; hostId: string });
      }
    });
  });
  assert.equal(event.cluster, 'local');
  const { samples } = (await core.dispatch('cluster.metrics', { hostId: event.hostId })) as {
    samples: Array<{ cpuPct: number; memTotalBytes: number }>;
  };
  assert.ok(samples.length >= 1);
  for (const sample of samples) {
    assert.ok(sample.cpuPct >= 0 && sample.cpuPct <= 100);
    assert.equal(sample.memTotalBytes, os.totalmem());
  }
});

test('an unknown cluster is a clear error', async () => {
  await assert.rejects(core.dispatch('cluster.status', { cluster: 'nope' }), { code: 'CLUSTER_NOT_FOUND' });
});

test('settings, layout and recent items persist in the workspace', async () => {
  assert.deepEqual(await core.dispatch('settings.update', { theme: 'dark' }), { theme: 'dark' });
  const layout = { activeView: 'jobs', sidebarWidth: 300, sidebarVisible: false, panelVisible: true, panelHeight: 200 };
  assert.deepEqual(await core.dispatch('layout.save', layout), layout);
  await core.dispatch('recent.add', { kind: 'host', ref: 'local', title: 'local host' });

  const again = await createCore({ mode: 'cli', workspaceDir: workspace, startLocalCluster: false, log: () => undefined });
  try {
    assert.deepEqual(await again.dispatch('settings.get', {}), { theme: 'dark' });
    assert.deepEqual(await again.dispatch('layout.get', {}), layout);
    const { items } = (await again.dispatch('recent.list', {})) as { items: Array<{ ref: string }> };
    assert.equal(items[0]?.ref, 'local');
  } finally {
    await again.stop();
  }
});

test('stop() ends the agent this core started', async () => {
  const run = JSON.parse(await readFile(path.join(workspace, 'clusters', 'local', 'agent', 'run.json'), 'utf8')) as {
    pid: number;
  };
  await core.stop();
  assert.throws(() => process.kill(run.pid, 0), { code: 'ESRCH' });
});
