/**
 * The desktop API's methods, implemented over the workspace and the cluster connections.
 * Transports never reach past this table.
 */
import type { AppInfo, ClusterStatus, DesktopHandlers } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import type { Clusters } from '../cluster/clusters.ts';
import { datasetHandlers } from '../cluster/datasets.ts';
import { Transfers } from '../cluster/transfers.ts';
import { fsckHandlers } from '../cluster/fsck.ts';
import { JobFollows } from '../cluster/job-follows.ts';
import { jobHandlers } from '../cluster/jobs.ts';
import { offlineHandlers } from '../offline/offline-handlers.ts';
import type { OfflineCopies } from '../offline/offline-copies.ts';
import { previewHandlers } from '../previews/preview-handler.ts';
import type { PreviewTools } from '../previews/preview-file.ts';
import { projectHandlers } from '../cluster/projects.ts';
import type { StreamTransfers } from '../cluster/stream-transfers.ts';
import type { Terminals } from '../cluster/terminals.ts';
import { textFileHandlers } from '../cluster/text-files-handlers.ts';
import type { LocalShells } from '../terminal/local-shells.ts';
import type { ClusterAdmin } from '../provision/cluster-admin.ts';
import { doctorHost } from '../provision/doctor.ts';
import type { Workspace } from '../workspace/workspace.ts';
import type { EventBus } from './event-bus.ts';

export interface HandlerServices {
  info: AppInfo;
  workspace: Workspace;
  clusters: Clusters;
  admin: ClusterAdmin;
  terminals: Terminals;
  /** Shells on this machine, for the desktop app only. */
  localShells: LocalShells;
  sshConfigFile: string | undefined;
  bus: EventBus;
  previews: PreviewTools;
  offline: OfflineCopies;
  /** Web mode's streamed transfers, which `transfer.cancel` stops too. */
  streams?: Pick<StreamTransfers, 'cancel'>;
}

export function createHandlers(services: HandlerServices): DesktopHandlers {
  const { info, workspace, clusters, admin, terminals, sshConfigFile, bus } = services;
  // Uploads and downloads of local files, by id, so that any front end can cancel one.
  const transfers = new Transfers((event) => bus.emit('transfer.progress', event));
  // Job logs being followed; each ends when its cluster disconnects, so stopping the clusters ends them all.
  const follows = new JobFollows(bus);
  /** Live hosts when connected; the workspace's cached copy otherwise (offline view). */
  const hostsOf = async (name: string): Promise<ClusterHost[]> => {
    const connection = await clusters.ready(name);
    if (connection.connection.state === 'connected') {
      try {
        return await connection.refreshHosts();
      } catch {
        // Fall through to the cached view; the connection reports its own state change.
      }
    }
    return workspace.hosts.list(name);
  };

  return {
    'app.info': async () => info,

    'cluster.list': async () => {
      const active = workspace.clusters.active();
      return {
        clusters: workspace.clusters.list().map((c) => ({
          name: c.name,
          kind: c.kind,
          active: c.name === active,
          createdAtMs: c.createdAtMs,
          connection: clusters.connectionOf(c.name),
        })),
      };
    },

    'cluster.status': async ({ cluster }) => {
      const name = clusters.resolveName(cluster);
      const record = workspace.clusters.get(name)!;
      const hosts = await hostsOf(name);
      const connection = await clusters.ready(name);
      const status: ClusterStatus = {
        name,
        kind: record.kind,
        connection: connection.connection,
        agentVersion: connection.version,
        hosts: { total: hosts.length, healthy: hosts.filter((h) => h.state === 'healthy').length },
        cpuCores: sum(hosts, (h) => h.inventory.cpu.cores),
        memoryTotalBytes: sum(hosts, (h) => h.inventory.memory.totalBytes),
        gpus: { total: sum(hosts, (h) => h.inventory.gpus.length) },
      };
      return status;
    },

    'cluster.hosts': async ({ cluster }) => ({ hosts: await hostsOf(clusters.resolveName(cluster)) }),

    'cluster.metrics': async ({ cluster, hostId, sinceMs }) => {
      const client = (await clusters.ready(cluster)).client();
      return client.hostMetrics(hostId, sinceMs);
    },

    'cluster.create': (params) => admin.create(params),
    'cluster.use': async ({ name }) => admin.use(name),
    'cluster.join': (params) => admin.join(params),
    'cluster.uninstall': (params) => admin.uninstall(params),
    'cluster.provisioned': async ({ cluster }) => admin.provisioned(cluster),

    'host.doctor': (params) => doctorHost(workspace.knownHosts, params, sshConfigFile),
    'host.scanKey': (params) => admin.scanKey(params),
    'host.add': (params) => admin.addHost(params),
    'host.remove': (params) => admin.removeHost(params),
    'host.upgrade': (params) => admin.upgrade(params),

    ...projectHandlers(clusters, admin),
    ...datasetHandlers(clusters, transfers),
    'transfer.cancel': async ({ transferId }) => {
      if (services.streams?.cancel(transferId) !== true) transfers.cancel(transferId);
      return {};
    },
    ...fsckHandlers(clusters),
    ...previewHandlers(clusters, services.offline, services.previews),
    ...offlineHandlers(services.offline),
    ...textFileHandlers(clusters, workspace, services.previews.scratch),
    ...jobHandlers(clusters, follows),

    'terminal.open': async ({ cluster, hostId, cols, rows }) => {
      const name = clusters.resolveName(cluster);
      if (workspace.clusters.get(name)?.kind !== 'ssh') {
        throw new HopsError('VALIDATION', `Terminals open on the hosts of SSH clusters; "${name}" runs on this machine.`, {
          hint: 'Use a terminal of your own for this machine.',
        });
      }
      const ssh = clusters.ssh(name);
      const host = ssh.host(hostId);
      return terminals.start(ssh.link(hostId), `${hostId} (${host.target})`, { cols, rows });
    },
    'terminal.openLocal': async ({ cols, rows }) => services.localShells.start({ cols, rows }),
    'terminal.write': async ({ terminalId, data }) => {
      if (services.localShells.has(terminalId)) services.localShells.write(terminalId, data);
      else terminals.write(terminalId, data);
      return {};
    },
    'terminal.resize': async ({ terminalId, cols, rows }) => {
      if (services.localShells.has(terminalId)) services.localShells.resize(terminalId, cols, rows);
      else terminals.resize(terminalId, cols, rows);
      return {};
    },
    'terminal.close': async ({ terminalId }) => {
      if (services.localShells.has(terminalId)) services.localShells.close(terminalId);
      else terminals.close(terminalId);
      return {};
    },

    'settings.get': async () => workspace.settings.get(),
    'settings.update': async (patch) => workspace.settings.update(patch),
    'layout.get': async () => workspace.layout.get(),
    'layout.save': async (layout) => workspace.layout.save(layout),
    'recent.list': async () => ({ items: workspace.recent.list() }),
    'recent.add': async (item) => {
      workspace.recent.add(item);
      return { items: workspace.recent.list() };
    },
  };
}

function sum<T>(items: T[], pick: (item: T) => number): number {
  return items.reduce((total, item) => total + pick(item), 0);
}
