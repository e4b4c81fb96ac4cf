import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterSummary, Layout } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { createAppStore } from '../store/app-state.ts';
import { fakeHops, flush } from '../testing/fake-hops.ts';
import { host, sample, status } from '../testing/hosts.ts';
import { manualTimers } from '../testing/manual-timers.ts';
import { createSession } from './session.ts';

const summary = (name: string, active: boolean): ClusterSummary => ({
  name,
  kind: 'ssh',
  active,
  createdAtMs: 1,
  connection: { state: 'connected', detail: '', sinceMs: 1 },
});

const savedLayout: Layout = { activeView: 'jobs', sidebarWidth: 300, sidebarVisible: true, panelVisible: true, panelHeight: 200 };

function setup() {
  const hops = fakeHops();
  hops.answer('cluster.status', () => status());
  hops.answer('cluster.hosts', () => ({ hosts: [host('h1')] }));
  hops.answer('cluster.metrics', () => ({ samples: [sample(1_000), sample(3_000)] }));
  hops.answer('layout.get', () => savedLayout);
  hops.answer('layout.save', (layout) => layout);
  hops.answer('settings.get', () => ({ theme: 'dark' }));
  hops.answer('settings.update', (patch) => ({ theme: 'system', ...(patch as object) }));
  hops.answer('app.info', () => ({ version: '0.1.0', mode: 'web', workspaceDir: '/tmp/w', platform: 'linux' }));
  hops.answer('recent.add', () => ({ items: [] }));
  hops.answer('cluster.list', () => ({ clusters: [summary('lab', true), summary('rack', false)] }));
  hops.answer('cluster.provisioned', () => ({ hosts: [] }));
  const store = createAppStore();
  const timers = manualTimers();
  const session = createSession({ hops: hops.api, store, timers, layoutSaveDelayMs: 400, now: () => 1_000_000 });
  return { hops, store, timers, session };
}

describe('session', () => {
  it('loads status, hosts, layout, settings and metrics, then is ready', async () => {
    const { store, session, hops } = setup();
    assert.equal(store.getState().loadPhase, 'loading');
    await session.load();
    await flush();
    const s = store.getState();
    assert.equal(s.loadPhase, 'ready');
    assert.equal(s.status?.name, 'lab');
    assert.deepEqual(s.hosts.map((h) => h.hostId), ['h1']);
    assert.equal(s.layout.activeView, 'jobs');
    assert.equal(s.settings.theme, 'dark');
    assert.equal(s.appInfo?.mode, 'web');
    assert.equal(s.metrics.h1?.samples.length, 2);
    assert.deepEqual(hops.calls.find((c) => c.method === 'cluster.metrics')?.params, { hostId: 'h1', sinceMs: 400_000 });
  });

  it('ends in error with the message and hint when the cluster cannot be loaded', async () => {
    const { store, session, hops } = setup();
    hops.answer('cluster.hosts', () => {
      throw new HopsError('AGENT_UNREACHABLE', 'The local agent did not answer.');
    });
    await session.load();
    const s = store.getState();
    assert.equal(s.loadPhase, 'error');
    assert.equal(s.loadProblem?.code, 'AGENT_UNREACHABLE');
    assert.equal(s.loadProblem?.message, 'The local agent did not answer.');
    assert.match(s.loadProblem?.hint ?? '', /agent is running/);
    assert.equal(s.notices.at(-1)?.level, 'error');
  });

  it('retries a failed load in full', async () => {
    const { store, session, hops } = setup();
    let fail = true;
    hops.answer('cluster.status', () => {
      if (fail) throw new Error('not yet');
      return status();
    });
    await session.load();
    assert.equal(store.getState().loadPhase, 'error');
    fail = false;
    await session.load();
    assert.equal(store.getState().loadPhase, 'ready');
  });

  it('saves the layout once after changes settle, never before it was restored', async () => {
    const { store, session, hops, timers } = setup();
    store.getState().setSidebarWidth(200);
    assert.equal(timers.pending, 0);
    await session.load();
    store.getState().setSidebarWidth(310);
    store.getState().setSidebarWidth(320);
    store.getState().togglePanel();
    timers.advance(399);
    assert.equal(hops.calls.filter((c) => c.method === 'layout.save').length, 0);
    timers.advance(1);
    const saves = hops.calls.filter((c) => c.method === 'layout.save');
    assert.equal(saves.length, 1);
    assert.deepEqual(saves[0]?.params, { ...savedLayout, sidebarWidth: 320, panelVisible: false });
  });

  it('applies live metrics, host changes and connection changes of its own cluster only', async () => {
    const { store, session, hops } = setup();
    await session.load();
    await flush();
    hops.emit('host.metrics', { cluster: 'lab', hostId: 'h1', sample: sample(5_000) });
    hops.emit('host.metrics', { cluster: 'other', hostId: 'h1', sample: sample(7_000) });
    assert.equal(store.getState().metrics.h1?.samples.at(-1)?.atMs, 5_000);

    hops.emit('cluster.hostsChanged', { cluster: 'lab', hosts: [host('h1', { state: 'unreachable' }), host('h2')] });
    assert.deepEqual(store.getState().hosts.map((h) => h.hostId), ['h1', 'h2']);
    const messages = store.getState().notices.map((n) => n.message);
    assert.ok(messages.includes('Host h1 is unreachable.'));
    assert.ok(messages.includes('Host h2 joined the cluster.'));
    await flush();
    assert.equal(store.getState().metrics.h2?.samples.length, 2);

    hops.emit('connection.changed', { cluster: 'lab', connection: { state: 'offline', detail: 'agent stopped', sinceMs: 9 } });
    assert.equal(store.getState().clusterConnection?.state, 'offline');
    assert.equal(store.getState().notices.at(-1)?.message, 'Cluster lab: offline');
  });

  it('reloads the cluster when its connection comes back', async () => {
    const { session, hops } = setup();
    await session.load();
    hops.emit('connection.changed', { cluster: 'lab', connection: { state: 'reconnecting', detail: '', sinceMs: 1 } });
    const before = hops.calls.filter((c) => c.method === 'cluster.hosts').length;
    hops.emit('connection.changed', { cluster: 'lab', connection: { state: 'connected', detail: '', sinceMs: 2 } });
    await flush();
    assert.equal(hops.calls.filter((c) => c.method === 'cluster.hosts').length, before + 1);
  });

  it('logs a lost and regained link to the core and reloads after it', async () => {
    const { store, session, hops } = setup();
    session.linkChanged('open');
    await session.load();
    session.linkChanged('reconnecting');
    assert.equal(store.getState().transport, 'reconnecting');
    assert.equal(store.getState().notices.at(-1)?.level, 'warning');
    const before = hops.calls.filter((c) => c.method === 'cluster.status').length;
    session.linkChanged('open');
    await flush();
    assert.equal(store.getState().notices.at(-1)?.message, 'Reconnected to the Hopsdesk core');
    assert.equal(hops.calls.filter((c) => c.method === 'cluster.status').length, before + 1);
  });

  it('changes the theme at once and takes it back if saving fails', async () => {
    const { store, session, hops } = setup();
    await session.setTheme('light');
    assert.equal(store.getState().settings.theme, 'light');
    hops.answer('settings.update', () => {
      throw new Error('disk full');
    });
    await session.setTheme('dark');
    assert.equal(store.getState().settings.theme, 'light');
    assert.match(store.getState().notices.at(-1)?.message ?? '', /Could not change the theme: disk full/);
  });

  it('remembers opened hosts as recent items', async () => {
    const { session, hops } = setup();
    await session.load();
    session.rememberHost('h1');
    assert.deepEqual(hops.calls.at(-1), { method: 'recent.add', params: { kind: 'host', ref: 'h1', title: 'h1' } });
  });

  it('stops listening when disposed', async () => {
    const { session, hops } = setup();
    assert.equal(hops.listenerCount(), 7);
    session.dispose();
    assert.equal(hops.listenerCount(), 0);
  });
});

describe('session and clusters', () => {
  it('lists the clusters and follows their connections', async () => {
    const { store, session, hops } = setup();
    await session.load();
    assert.deepEqual(store.getState().clusters.map((c) => [c.name, c.active]), [
      ['lab', true],
      ['rack', false],
    ]);
    hops.emit('connection.changed', { cluster: 'rack', connection: { state: 'offline', detail: 'no route', sinceMs: 5 } });
    assert.equal(store.getState().clusters.find((c) => c.name === 'rack')?.connection.state, 'offline');
    // Another cluster's news does not touch the one on screen.
    assert.equal(store.getState().clusterConnection?.state, 'connected');
  });

  it('switches the whole window to another cluster', async () => {
    const { store, session, hops } = setup();
    await session.load();
    await flush();
    hops.answer('cluster.use', () => summary('rack', true));
    hops.answer('cluster.status', () => status({ name: 'rack', kind: 'ssh' }));
    hops.answer('cluster.hosts', () => ({ hosts: [host('r1'), host('r2')] }));
    hops.answer('cluster.list', () => ({ clusters: [summary('lab', false), summary('rack', true)] }));
    await session.useCluster('rack');
    await flush();
    const s = store.getState();
    assert.equal(s.status?.name, 'rack');
    assert.deepEqual(s.hosts.map((h) => h.hostId), ['r1', 'r2']);
    assert.equal(s.metrics.h1, undefined);
    assert.equal(s.clusters.find((c) => c.active)?.name, 'rack');
    assert.deepEqual(hops.calls.find((c) => c.method === 'cluster.status' && (c.params as { cluster?: string }).cluster === 'rack')?.params, { cluster: 'rack' });
    assert.ok(hops.calls.some((c) => c.method === 'cluster.provisioned' && (c.params as { cluster?: string }).cluster === 'rack'));
  });

  it('stays on the cluster it shows when switching fails', async () => {
    const { store, session, hops } = setup();
    await session.load();
    hops.answer('cluster.use', () => {
      throw new HopsError('CLUSTER_NOT_FOUND', 'No cluster named "gone" in this workspace.');
    });
    await session.useCluster('gone');
    assert.equal(store.getState().status?.name, 'lab');
    assert.equal(store.getState().switchingTo, null);
    assert.match(store.getState().notices.at(-1)?.message ?? '', /Could not switch to cluster gone/);
  });

  it('folds provisioning progress, logs a failure once and re-reads what was installed', async () => {
    const { store, session, hops, timers } = setup();
    await session.load();
    const before = hops.calls.filter((c) => c.method === 'cluster.provisioned').length;
    const base = { cluster: 'lab', target: 'ubuntu@gpu-1', detail: '' };
    hops.emit('provision.progress', { ...base, phase: 'uploading', bytesDone: 5, bytesTotal: 10, atMs: 1 });
    assert.equal(Object.values(store.getState().provisioning)[0]?.bytesDone, 5);
    const error = { code: 'SSH_UNREACHABLE', message: 'gpu-1 did not answer', hint: 'Check the address.' };
    hops.emit('provision.progress', { ...base, phase: 'failed', error, atMs: 2 });
    hops.emit('provision.progress', { ...base, phase: 'failed', error, atMs: 3 });
    assert.equal(store.getState().notices.filter((n) => n.message.includes('gpu-1 did not answer')).length, 1);
    timers.advance(300);
    assert.equal(hops.calls.filter((c) => c.method === 'cluster.provisioned').length, before + 1);
  });

  it('routes terminal output to its terminal and marks a shell that exited', async () => {
    const { store, session, hops } = setup();
    await session.load();
    hops.answer('terminal.open', () => ({ terminalId: 'T1', title: 'ubuntu@h1' }));
    await session.terminals.open('h1');
    assert.deepEqual(hops.calls.find((c) => c.method === 'terminal.open')?.params, { cluster: 'lab', hostId: 'h1', cols: 100, rows: 30 });
    const seen: string[] = [];
    session.terminals.attach('T1', { write: (data) => seen.push(data) });
    hops.emit('terminal.output', { terminalId: 'T1', data: '$ ' });
    hops.emit('terminal.output', { terminalId: 'T9', data: 'not mine' });
    hops.emit('terminal.exit', { terminalId: 'T1', code: 0 });
    assert.equal(seen.join(''), '$ \r\n[exited with code 0]\r\n');
    assert.deepEqual([store.getState().terminals[0]?.state, store.getState().terminals[0]?.exitCode], ['exited', 0]);
  });

  it('removes the tab and says why when a terminal cannot open', async () => {
    const { store, session, hops } = setup();
    await session.load();
    hops.answer('terminal.open', () => {
      throw new HopsError('HOST_NOT_FOUND', 'No host h1.');
    });
    await session.terminals.open('h1');
    assert.equal(store.getState().terminals.length, 0);
    assert.match(store.getState().notices.at(-1)?.message ?? '', /Could not open a terminal on h1: No host h1/);
  });
});

describe('session and a dropped link', () => {
  it('does not save a layout that only came back from the core', async () => {
    const { store, session, hops, timers } = setup();
    await session.load();
    await session.load();
    store.getState().setSidebarWidth(savedLayout.sidebarWidth);
    timers.advance(1_000);
    assert.equal(hops.calls.filter((c) => c.method === 'layout.save').length, 0);
  });

  it('keeps quiet about calls cut off by the drop and saves the layout after reconnecting', async () => {
    const { store, session, hops, timers } = setup();
    session.linkChanged('open');
    await session.load();
    hops.answer('layout.save', () => {
      throw new Error('closed before layout.save answered');
    });
    store.getState().setSidebarWidth(400);
    session.linkChanged('reconnecting');
    timers.advance(400);
    await flush();
    assert.equal(store.getState().notices.filter((n) => n.level === 'error').length, 0);
    hops.answer('layout.save', (layout) => layout);
    session.linkChanged('open');
    await flush();
    const saves = hops.calls.filter((c) => c.method === 'layout.save');
    assert.equal((saves.at(-1)?.params as Layout).sidebarWidth, 400);
    assert.equal(saves.length, 2);
  });
});
