/**
 * The window's conversation with the desktop core: the first load, live events, reloads
 * after a reconnect, settings and the saved layout. The only place that calls `hops` apart
 * from direct user actions, so the store stays free of I/O.
 */
import type { HopsApi, Layout, Theme } from '../../protocol/desktop-api.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import type { AppStore } from '../store/app-state.ts';
import { selectActiveClusterName } from '../store/clusters-slice.ts';
import { isPhaseFinal, progressKey } from '../store/provision-progress.ts';
import { globalTimers, type LinkState, type Timers } from '../transport/web-client.ts';
import { createClusterJoin, type ClusterJoin } from './cluster-join.ts';
import { createClusterSetup, type ClusterSetup } from './cluster-setup.ts';
import { carrierFor, type FileCarrier } from './datasets-carriers.ts';
import { createDatasetActions, type DatasetActions } from './datasets.ts';
import { createUploads, type Uploads } from './datasets-uploads.ts';
import { createHostActions, type HostActions } from './host-actions.ts';
import { describeHostChanges } from './host-changes.ts';
import { describeConnection, problemOf } from './problems.ts';
import { createProjectActions, type ProjectActions } from './projects.ts';
import { createTerminals, type Terminals } from './terminals.ts';

/** Seed charts with twice their window so a late-opened card starts full. */
const SEED_WINDOW_MS = 10 * 60 * 1000;

export interface SessionOptions {
  hops: HopsApi;
  store: AppStore;
  /** Quiet time after the last layout change before it is saved (dragging a sash fires often). */
  layoutSaveDelayMs?: number;
  timers?: Timers;
  now?: () => number;
  /** How file content moves; chosen from the window (Electron or a browser) by default. */
  carrier?: FileCarrier;
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
  /** Makes `name` the active cluster and shows it: hosts, metrics and installs are read afresh. */
  useCluster(name: string): Promise<void>;
  /** The new-cluster wizard's calls. */
  readonly setup: ClusterSetup;
  /** Upgrade and remove hosts of the active cluster. */
  readonly hostActions: HostActions;
  /** Shells on hosts, as bottom panel tabs. */
  readonly terminals: Terminals;
  /** Projects of the active cluster: members, roles, invites, audit log. */
  readonly projects: ProjectActions;
  /** Joining a cluster with an invite code. */
  readonly join: ClusterJoin;
  /** The dataset explorer: tree, folders, changes, downloads, search. */
  readonly datasets: DatasetActions;
  /** Uploads into the cluster filesystem, as rows of the transfers drawer. */
  readonly uploads: Uploads;
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
  const isShown = (cluster: string) => selectActiveClusterName(state()) === cluster;

  const readClusters = async () => {
    try {
      const { clusters } = await hops.cluster.list({});
      if (!disposed) state().clustersLoaded(clusters);
    } catch (err) {
      warn('Could not list the clusters', err);
    }
  };

  /** What the desktop installed on the shown cluster's hosts; a local cluster has none. */
  const readProvisioned = async (cluster: string) => {
    try {
      const { hosts } = await hops.cluster.provisioned({ cluster });
      if (!disposed && isShown(cluster)) state().provisionedLoaded(hosts);
    } catch (err) {
      warn(`Could not read what was installed on the hosts of ${cluster}`, err);
    }
  };

  /** Installs finish host by host; one re-read after a burst of them is enough. */
  let provisionedTimer: unknown = null;
  const readProvisionedSoon = (cluster: string) => {
    if (provisionedTimer !== null) timers.clearTimeout(provisionedTimer);
    provisionedTimer = timers.setTimeout(() => {
      provisionedTimer = null;
      void readProvisioned(cluster);
    }, 300);
  };

  const seedMetrics = async (hosts: readonly ClusterHost[]) => {
    await Promise.all(
      hosts.map(async (host) => {
        const last = state().metrics[host.hostId]?.samples.at(-1);
        try {
          const { samples } = await hops.cluster.metrics({ hostId: host.hostId, sinceMs: last?.atMs ?? Math.max(0, now() - SEED_WINDOW_MS) });
          if (!disposed) state().metricsSeeded(host.hostId, samples);
        } catch (err) {
          warn(`Could not read recent metrics of ${host.hostId}`, err);
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
      void readClusters();
      // Members and roles may have changed meanwhile too.
      if (state().projectsCluster === status.name && state().projectsPhase !== 'loading') void projects.load();
      void readProvisioned(status.name);
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
      state().clusterListConnectionChanged(cluster, connection);
      const shown = selectActiveClusterName(state());
      if (shown !== null && shown !== cluster) return;
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
    hops.on('provision.progress', (event) => {
      const before = state().provisioning[progressKey(event.cluster, event.target)];
      state().provisionProgressed(event);
      if (event.phase === 'failed' && before?.phase !== 'failed') {
        state().notify('error', `${event.target}: ${event.error?.message ?? event.detail}`, event.error?.hint);
      }
      if (isPhaseFinal(event.phase) && isShown(event.cluster)) readProvisionedSoon(event.cluster);
    }),
    hops.on('terminal.output', ({ terminalId, data }) => terminals.registry.output(terminalId, data)),
    hops.on('terminal.exit', ({ terminalId, code }) => {
      terminals.registry.exit(terminalId, code);
      state().terminalExited(terminalId, code);
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
    const preferences = Promise.all([readSavedLayout(), readSettings(), state().appInfo === null ? readAppInfo() : undefined, readClusters()]);
    try {
      const [status, { hosts }] = await Promise.all([hops.cluster.status({}), hops.cluster.hosts({})]);
      await preferences;
      if (disposed) return;
      state().clusterLoaded(status, hosts);
      void seedMetrics(hosts);
      void readProvisioned(status.name);
    } catch (err) {
      await preferences;
      const problem = problemOf(err);
      state().loadFailed(problem);
      state().notify('error', `Could not load the cluster: ${problem.message}`, problem.hint);
    }
  }

  /** After `cluster.use`: the same reads as the first load, without the window's preferences. */
  async function loadCluster(name: string): Promise<void> {
    try {
      const [status, { hosts }] = await Promise.all([hops.cluster.status({ cluster: name }), hops.cluster.hosts({ cluster: name })]);
      if (disposed || selectActiveClusterName(state()) !== name) return;
      state().clusterLoaded(status, hosts);
      void seedMetrics(hosts);
      void readProvisioned(name);
    } catch (err) {
      const problem = problemOf(err);
      state().loadFailed(problem);
      state().notify('error', `Could not load cluster ${name}: ${problem.message}`, problem.hint);
    }
  }

  async function useCluster(name: string): Promise<void> {
    state().switchStarted(name);
    try {
      await hops.cluster.use({ name });
    } catch (err) {
      state().switchFailed();
      warn(`Could not switch to cluster ${name}`, err);
      return;
    }
    if (disposed) return;
    state().switchDone(name);
    state().notify('info', `Switched to cluster ${name}.`);
    await Promise.all([loadCluster(name), readClusters()]);
  }

  const terminals = createTerminals({ hops, store });
  const setup = createClusterSetup({ hops, store, useCluster, refreshClusters: readClusters });
  const hostActions = createHostActions({ hops, store, reload: () => reload() });
  const projects = createProjectActions({ hops, store });
  const join = createClusterJoin({ hops, store, useCluster, refreshClusters: readClusters });
  const carrier = options.carrier ?? carrierFor(hops);
  const datasets = createDatasetActions({ hops, store, carrier });
  const uploads = createUploads({ hops, store, carrier, changedIn: (folder) => datasets.changedIn(folder) });

  let link: LinkState | null = null;

  return {
    load,
    reload,
    useCluster,
    setup,
    hostActions,
    terminals,
    projects,
    join,
    datasets,
    uploads,
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
      hops.recent.add({ kind: 'host', ref: host.hostId, title: host.hostId }).catch((err: unknown) => warn('Could not remember the host', err));
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
      projects.dispose();
      datasets.dispose();
      uploads.dispose();
      for (const unsubscribe of unsubscribeEvents) unsubscribe();
      if (saveTimer !== null) timers.clearTimeout(saveTimer);
      if (provisionedTimer !== null) timers.clearTimeout(provisionedTimer);
    },
  };
}
