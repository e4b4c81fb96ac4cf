import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gpu, host, sample, status } from '../testing/hosts.ts';
import { createAppStore } from './app-state.ts';
import { selectClusterSummary, sortHosts } from './cluster-slice.ts';
import { selectStatusConnection } from './connection-slice.ts';
import { SIDEBAR_WIDTH, selectPanel, selectSidebar } from './layout-slice.ts';
import { selectLatestSample, selectMetrics } from './metrics-slice.ts';
import { NOTICES_CAPACITY, selectUnreadProblem } from './notifications-slice.ts';

describe('layout slice', () => {
  it('clamps the side bar width to what keeps the tree usable', () => {
    const store = createAppStore();
    store.getState().setSidebarWidth(5);
    assert.equal(selectSidebar(store.getState()).width, SIDEBAR_WIDTH.min);
    store.getState().setSidebarWidth(10_000);
    assert.equal(selectSidebar(store.getState()).width, SIDEBAR_WIDTH.max);
  });

  it('collapses the side bar when the open section is clicked again', () => {
    const store = createAppStore();
    store.getState().toggleView('cluster');
    assert.equal(store.getState().layout.sidebarVisible, false);
    store.getState().toggleView('jobs');
    assert.deepEqual([store.getState().layout.activeView, store.getState().layout.sidebarVisible], ['jobs', true]);
  });

  it('reopens a collapsed side bar when a section is shown by shortcut', () => {
    const store = createAppStore();
    store.getState().toggleSidebar();
    store.getState().showView('models');
    assert.equal(store.getState().layout.sidebarVisible, true);
  });

  it('restores a saved layout and marks it restored', () => {
    const store = createAppStore();
    store.getState().restoreLayout({ activeView: 'datasets', sidebarWidth: 333, sidebarVisible: false, panelVisible: true, panelHeight: 250 });
    assert.equal(store.getState().layoutRestored, true);
    assert.deepEqual(selectPanel(store.getState()), { visible: true, height: 250 });
    assert.equal(store.getState().layout.activeView, 'datasets');
  });
});

describe('cluster slice', () => {
  it('becomes ready with sorted hosts and the status connection', () => {
    const store = createAppStore();
    store.getState().clusterLoaded(status(), [host('b'), host('z', { roles: ['head', 'worker'] }), host('a')]);
    assert.equal(store.getState().loadPhase, 'ready');
    assert.deepEqual(
      store.getState().hosts.map((h) => h.hostId),
      ['z', 'a', 'b'],
    );
    assert.equal(store.getState().clusterConnection?.state, 'connected');
  });

  it('sums the summary from the current host list', () => {
    const store = createAppStore();
    const withGpus = host('g');
    withGpus.inventory.cpu = { model: 'AMD EPYC 9654', cores: 16 };
    withGpus.inventory.gpus = [gpu(0)];
    store.getState().clusterLoaded(status(), [host('a'), withGpus, host('u', { state: 'unreachable' })]);
    const summary = selectClusterSummary(store.getState());
    assert.deepEqual(
      [summary.name, summary.hostsTotal, summary.hostsHealthy, summary.gpus, summary.cpuCores],
      ['lab', 3, 2, 1, 32],
    );
  });

  it('forgets the samples of hosts that left', () => {
    const store = createAppStore();
    store.getState().clusterLoaded(status(), [host('a'), host('b')]);
    store.getState().metricsSampled('a', sample(1));
    store.getState().metricsSampled('b', sample(1));
    store.getState().hostsChanged([host('a')]);
    assert.deepEqual(Object.keys(store.getState().metrics), ['a']);
  });

  it('bumps the focus sequence so the same host can be focused twice', () => {
    const store = createAppStore();
    store.getState().focusHost('a');
    store.getState().focusHost('a');
    assert.deepEqual(store.getState().hostFocus, { hostId: 'a', seq: 2 });
  });

  it('orders the head first, then by hostname', () => {
    assert.deepEqual(
      sortHosts([host('b'), host('a'), host('h', { roles: ['head'] })]).map((h) => h.hostId),
      ['h', 'a', 'b'],
    );
  });
});

describe('metrics selectors', () => {
  it('returns one stable empty buffer for hosts without samples', () => {
    const store = createAppStore();
    assert.equal(selectMetrics('x')(store.getState()), selectMetrics('y')(store.getState()));
  });

  it('prefers the newest live sample over the one in the host list', () => {
    const store = createAppStore();
    store.getState().clusterLoaded(status(), [host('a', { latest: sample(1, { cpuPct: 5 }) })]);
    assert.equal(selectLatestSample('a')(store.getState())?.cpuPct, 5);
    store.getState().metricsSampled('a', sample(2, { cpuPct: 77 }));
    assert.equal(selectLatestSample('a')(store.getState())?.cpuPct, 77);
  });
});

describe('status connection', () => {
  it('is starting before anything is known', () => {
    assert.equal(selectStatusConnection(createAppStore().getState()).state, 'starting');
  });

  it('says local for a connected local cluster and connected for SSH', () => {
    const store = createAppStore();
    store.getState().clusterLoaded(status(), []);
    assert.deepEqual(
      [selectStatusConnection(store.getState()).state, selectStatusConnection(store.getState()).label],
      ['local', 'Local'],
    );
    store.getState().statusChanged(status({ kind: 'ssh' }));
    assert.equal(selectStatusConnection(store.getState()).state, 'connected');
  });

  it('puts a dropped link to the core above everything else', () => {
    const store = createAppStore();
    store.getState().clusterLoaded(status(), []);
    store.getState().transportChanged('reconnecting');
    assert.equal(selectStatusConnection(store.getState()).state, 'reconnecting');
  });

  it('warns of an agent on another version, offering the upgrade', () => {
    const store = createAppStore();
    store.getState().clusterLoaded(status(), []);
    store.getState().clusterConnectionChanged({ state: 'version-mismatch', detail: 'agent 0.0.9, desktop 0.1.0', sinceMs: 2 });
    const connection = selectStatusConnection(store.getState());
    assert.deepEqual([connection.state, connection.label, connection.detail], ['version-mismatch', 'Agent version differs', 'agent 0.0.9, desktop 0.1.0']);
  });

  it('follows the cluster connection and the load error', () => {
    const store = createAppStore();
    store.getState().loadFailed({ message: 'agent gone', code: 'AGENT_UNREACHABLE', hint: 'h' });
    assert.deepEqual(
      [selectStatusConnection(store.getState()).state, selectStatusConnection(store.getState()).detail],
      ['error', 'agent gone'],
    );
    store.getState().clusterConnectionChanged({ state: 'offline', detail: 'no route', sinceMs: 1 });
    assert.equal(selectStatusConnection(store.getState()).state, 'offline');
  });
});

describe('notifications slice', () => {
  it('counts unread notices until the panel is seen', () => {
    const store = createAppStore();
    store.getState().notify('info', 'one');
    store.getState().notify('error', 'two');
    assert.equal(store.getState().unreadNotices, 2);
    assert.equal(selectUnreadProblem(store.getState()), true);
    store.getState().markNoticesRead();
    assert.equal(store.getState().unreadNotices, 0);
    assert.equal(selectUnreadProblem(store.getState()), false);
  });

  it('does not count notices added while the panel is open', () => {
    const store = createAppStore();
    store.getState().setPanelVisible(true);
    store.getState().notify('warning', 'seen');
    assert.equal(store.getState().unreadNotices, 0);
  });

  it('keeps only the newest notices', () => {
    const store = createAppStore();
    for (let i = 0; i < NOTICES_CAPACITY + 5; i += 1) store.getState().notify('info', `n${i}`);
    assert.equal(store.getState().notices.length, NOTICES_CAPACITY);
    assert.equal(store.getState().notices[0]?.message, 'n5');
    assert.equal(new Set(store.getState().notices.map((n) => n.id)).size, NOTICES_CAPACITY);
  });

  it('starts fresh from the initial state', () => {
    const store = createAppStore();
    store.getState().notify('info', 'x');
    store.setState(store.getInitialState(), true);
    assert.equal(store.getState().notices.length, 0);
  });
});
