/**
 * The window's conversation with the desktop core: the first load, live events, reloads
 * after a reconnect, settings and the saved layout. The only place that calls `hops` apart
 * from direct user actions, so the store stays free of I/O.
 */
import type { HopsApi, Layout, Theme } from '../../protocol/desktop-api.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import type { AppStore } from '../store/app-state.ts';
import { globalTimers, type LinkState, type Timers } from '../transport/web-client.ts';
import { describeHostChanges } from './host-changes.ts';
import { describeConnection, problemOf } from './problems.ts';

/** Seed charts with twice their window so a late-opened card starts full. */
const SEED_WINDOW_MS = 10 * 60 * 1000;

export interface SessionOptions {
  hops: HopsApi;
  store: AppStore;
  /** Quiet time after the last layout change before it is saved (dragging a sash fires often). */
  layoutSaveDelayMs?: number;
  timers?: Timers;
  now?: () => number;
}

export interface Session {
  /** The first load, or a retry after it failed: drives `loading → ready | error`. */
  load(): Promise<void>;
  /** Re-reads status and hosts without leaving `ready`; failures go to the log. */
  reload(): Promise<void>;
  /** Applies the theme at once and saves it; reverts it if the core refuses. */
  setTheme(theme: Theme): Promise<void>;
  /** Remembers a host the user opened, for recent items. */
  rememberHost(hostId: string): void;
  /** This window's link to the core changed: notifies, and reloads after a reconnect. */
  linkChanged(state: LinkState): void;
  /** Stops listening to events and saving the layout. */
  dispose(): void;
}

/** Wires the store to `hops`: subscribes to the core's events and saves layout changes; call `load()` to start. */
export function createSession(options: SessionOptions): Session {
  const { hops, store } = options;
  const timers = options.timers ?? globalTimers;
  const now = options.now ?? Date.now;
  const layoutSaveDelayMs = options.layoutSaveDelayMs ?? 400;
  const state = store.getState;
  let saveTimer: unknown = null;
  let disposed = false;

  const warn = (message: string, err: unknown) => {
    // A dropped link fails every call in flight; the log already says the link dropped, and
    // the reload after reconnecting repeats what was lost.
    if (state().transport === 'reconnecting') return;
    const problem = problemOf(err);
    state().notify('error', `${message}: ${problem.message}`, problem.hint);
  };

  /** Events name their cluster; only the one on screen matters. */
  const isShown = (cluster: string) => state().status?.name === cluster;

  const seedMetrics = async (hosts: readonly ClusterHost[]) => {
    await Promise.all(
      hosts.map(async (host) => {
        const last = state().metrics[host.hostId]?.samples.at(-1);
        try {
          const { samples } = await hops.cluster.metrics({ hostId: host.hostId, sinceMs: last?.atMs ?? Math.max(0, now() - SEED_WINDOW_MS) });
          if (!disposed) state().metricsSeeded(host.hostId, samples);
        } catch (err) {
          warn(`Could not read recent metrics of ${host.hostname}`, err);
        }
      }),
    );
  };

  /** The layout as the core has it, so restoring or re-setting it does not save it again. */
  let persistedLayout = '';

  const readSavedLayout = async () => {
    try {
      const saved = await hops.layout.get({});
      persistedLayout = JSON.stringify(saved);
      state().restoreLayout(saved);
    } catch (err) {
      // Keep the defaults, and from now on save what the user arranges.
      state().restoreLayout(state().layout);
      warn('Could not read the saved layout', err);
    }
  };

  const readSettings = async () => {
    try {
      state().settingsChanged(await hops.settings.get({}));
    } catch (err) {
      warn('Could not read settings', err);
    }
  };

  const saveLayout = async (layout: Layout) => {
    const text = JSON.stringify(layout);
    if (text === persistedLayout) return;
    try {
      await hops.layout.save(layout);
      persistedLayout = text;
    } catch (err) {
      warn('Could not save the layout', err);
    }
  };

  const unsubscribeLayout = store.subscribe((next, previous) => {
    if (!previous.layoutRestored || next.layout === previous.layout) return;
    if (saveTimer !== null) timers.clearTimeout(saveTimer);
    saveTimer = timers.setTimeout(() => {
      saveTimer = null;
      void saveLayout(state().layout);
    }, layoutSaveDelayMs);
  });

  const reload = async () => {
    // A load in flight already reads everything; a failed one is retried in full.
    if (state().loadPhase === 'loading') return;
    if (state().loadPhase === 'error') return load();
    try {
      const [status, { hosts }] = await Promise.all([hops.cluster.status({}), hops.cluster.hosts({})]);
      if (disposed) return;
      applyHosts(hosts);
      state().statusChanged(status);
      await seedMetrics(hosts);
    } catch (err) {
      warn('Could not reload the cluster', err);
    }
  };

  const applyHosts = (hosts: ClusterHost[]) => {
    for (const change of describeHostChanges(state().hosts, hosts)) state().notify(change.level, change.message);
    state().hostsChanged(hosts);
  };

  const unsubscribeEvents = [
    hops.on('connection.changed', ({ cluster, connection }) => {
      const shown = state().status?.name;
      if (shown !== undefined && shown !== cluster) return;
      const before = state().clusterConnection?.state;
      state().clusterConnectionChanged(connection);
      const { level, message, detail } = describeConnection(cluster, connection);
      state().notify(level, message, detail);
      // Events were missed while the cluster was away; read its state afresh.
      if (connection.state === 'connected' && before !== undefined && before !== 'connected') void reload();
    }),
    hops.on('host.metrics', ({ cluster, hostId, sample }) => {
      if (isShown(cluster)) state().metricsSampled(hostId, sample);
    }),
    hops.on('cluster.hostsChanged', ({ cluster, hosts }) => {
      if (!isShown(cluster)) return;
      const known = new Set(state().hosts.map((h) => h.hostId));
      applyHosts(hosts);
      void seedMetrics(hosts.filter((h) => !known.has(h.hostId)));
    }),
  ];

  const readAppInfo = async () => {
    try {
      state().appInfoLoaded(await hops.app.info({}));
    } catch (err) {
      warn('Could not read the Hopsdesk version', err);
    }
  };

  async function load(): Promise<void> {
    state().loadStarted();
    const preferences = Promise.all([readSavedLayout(), readSettings(), state().appInfo === null ? readAppInfo() : undefined]);
    try {
      const [status, { hosts }] = await Promise.all([hops.cluster.status({}), hops.cluster.hosts({})]);
      await preferences;
      if (disposed) return;
      state().clusterLoaded(status, hosts);
      void seedMetrics(hosts);
    } catch (err) {
      await preferences;
      const problem = problemOf(err);
      state().loadFailed(problem);
      state().notify('error', `Could not load the cluster: ${problem.message}`, problem.hint);
    }
  }

  let link: LinkState | null = null;

  return {
    load,
    reload,
    async setTheme(theme) {
      const previous = state().settings;
      state().settingsChanged({ ...previous, theme });
      try {
        state().settingsChanged(await hops.settings.update({ theme }));
      } catch (err) {
        state().settingsChanged(previous);
        warn('Could not change the theme', err);
      }
    },
    rememberHost(hostId) {
      const host = state().hosts.find((h) => h.hostId === hostId);
      if (host === undefined) return;
      hops.recent.add({ kind: 'host', ref: host.hostId, title: host.hostname }).catch((err: unknown) => warn('Could not remember the host', err));
    },
    linkChanged(next) {
      const previous = link;
      link = next;
      if (next === 'closed') return;
      state().transportChanged(next);
      if (next === 'reconnecting' && previous === 'open') {
        state().notify('warning', 'Lost the connection to the Hopsdesk core', 'Reconnecting by itself; calls made meanwhile wait.');
      }
      if (next === 'open' && previous === 'reconnecting') {
        state().notify('success', 'Reconnected to the Hopsdesk core');
        void reload();
        // A save cut off by the drop is retried; an unchanged layout is not sent again.
        if (state().layoutRestored) void saveLayout(state().layout);
      }
    },
    dispose() {
      disposed = true;
      unsubscribeLayout();
      for (const unsubscribe of unsubscribeEvents) unsubscribe();
      if (saveTimer !== null) timers.clearTimeout(saveTimer);
    },
  };
}
