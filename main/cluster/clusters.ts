/**
 * The clusters of a workspace and their connections. It creates the embedded default —
 * the cluster `local`, one agent with both roles on this machine — on first start.
 */
import path from 'node:path';
import type { Connection } from '../../protocol/desktop-api.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { CoreConfig } from '../core/options.ts';
import type { SecretStore } from '../security/secret-store.ts';
import type { Workspace } from '../workspace/workspace.ts';
import { ClusterConnection } from './connection.ts';
import { LocalAgent } from './local-agent.ts';
import { readProfile, SshCluster, type SshClusterProfile } from './ssh-cluster.ts';

export const LOCAL_CLUSTER = 'local';

export class Clusters {
  private readonly config: CoreConfig;
  private readonly workspace: Workspace;
  private readonly bus: EventBus;
  private readonly connections = new Map<string, ClusterConnection>();
  private readonly localAgents = new Map<string, LocalAgent>();
  private readonly sshClusters = new Map<string, SshCluster>();
  private readonly secrets: SecretStore;

  constructor(config: CoreConfig, workspace: Workspace, bus: EventBus, secrets: SecretStore) {
    this.config = config;
    this.workspace = workspace;
    this.bus = bus;
    this.secrets = secrets;
  }

  /** Creates `local` when the workspace has no cluster yet, then connects the active one. */
  async start(): Promise<void> {
    if (this.workspace.clusters.list().length === 0) {
      this.workspace.clusters.create({ name: LOCAL_CLUSTER, kind: 'local', config: {} });
      this.workspace.clusters.setActive(LOCAL_CLUSTER);
    }
    await this.connection(this.activeName()).start();
  }

  /** Stops every connection and every agent this process started. */
  async stop(): Promise<void> {
    for (const connection of this.connections.values()) connection.stop();
    for (const cluster of this.sshClusters.values()) cluster.close();
    await Promise.all([...this.localAgents.values()].map((agent) => agent.stop()));
  }

  /** The SSH cluster `name` (its profile, host links and tunnel). */
  ssh(name: string): SshCluster {
    const existing = this.sshClusters.get(name);
    if (existing) return existing;
    const record = this.workspace.clusters.get(name);
    if (!record) throw new HopsError('CLUSTER_NOT_FOUND', `No cluster named "${name}" in this workspace.`);
    if (record.kind !== 'ssh') {
      throw new HopsError('VALIDATION', `Cluster "${name}" runs on this machine; hosts are added to SSH clusters.`, {
        hint: 'Create an SSH cluster first: hopsdesk cluster create NAME --head USER@HOST',
      });
    }
    const cluster = this.openSsh(name, readProfile(name, record.config));
    this.sshClusters.set(name, cluster);
    return cluster;
  }

  /** An SshCluster for a profile that may not be saved yet (while a cluster is formed). */
  openSsh(name: string, profile: SshClusterProfile): SshCluster {
    return new SshCluster(name, profile, {
      knownHosts: this.workspace.knownHosts,
      secrets: this.secrets,
      log: this.config.log,
      ...(this.config.sshConfigFile === undefined ? {} : { sshConfigFile: this.config.sshConfigFile }),
    });
  }

  /** Saves a newly formed cluster, makes it active and connects to it over `cluster`'s links. */
  async adopt(name: string, cluster: SshCluster): Promise<void> {
    this.workspace.clusters.create({ name, kind: 'ssh', config: cluster.profile });
    this.sshClusters.set(name, cluster);
    this.workspace.clusters.setActive(name);
    await this.connection(name).start();
  }

  /** Saves a changed profile (hosts added, removed, upgraded) and refreshes the host list. */
  saveProfile(name: string, profile: SshClusterProfile): void {
    this.workspace.clusters.updateConfig(name, profile);
    this.ssh(name).update(profile);
    this.connections.get(name)?.refreshHosts().catch(() => undefined);
  }

  /** Disconnects and forgets a cluster: its profile, cached hosts and secrets. */
  async forget(name: string): Promise<void> {
    this.connections.get(name)?.stop();
    this.connections.delete(name);
    this.sshClusters.get(name)?.close();
    this.sshClusters.delete(name);
    this.workspace.clusters.remove(name);
    await this.secrets.removeAll(`clusters/${name}`);
  }

  /** The active cluster's name, or the one the caller named after checking it exists. */
  resolveName(name: string | undefined): string {
    const resolved = name ?? this.activeName();
    if (!this.workspace.clusters.get(resolved)) {
      throw new HopsError('CLUSTER_NOT_FOUND', `No cluster named "${resolved}" in this workspace.`);
    }
    return resolved;
  }

  /** The connection of a named (or the active) cluster, after its first connection attempt. */
  async ready(name: string | undefined): Promise<ClusterConnection> {
    const connection = this.connection(this.resolveName(name));
    await connection.start();
    return connection;
  }

  /** The connection of a cluster, created (not yet started) on first use. */
  connection(name: string): ClusterConnection {
    const existing = this.connections.get(name);
    if (existing) return existing;
    const record = this.workspace.clusters.get(name);
    if (!record) throw new HopsError('CLUSTER_NOT_FOUND', `No cluster named "${name}" in this workspace.`);
    const resolveEndpoint =
      record.kind === 'local'
        ? (() => {
            const agent = this.localAgent(name);
            return () => agent.connectOrStart();
          })()
        : () => this.ssh(name).endpoint();
    const connection = new ClusterConnection({
      cluster: name,
      resolveEndpoint,
      onState: (state: Connection) => this.bus.emit('connection.changed', { cluster: name, connection: state }),
      onHosts: (hosts) => {
        this.workspace.hosts.replace(name, hosts);
        this.bus.emit('cluster.hostsChanged', { cluster: name, hosts });
        if (record.kind === 'ssh') this.healUnreachable(name, hosts);
      },
      onMetrics: (hostId, sample) => this.bus.emit('host.metrics', { cluster: name, hostId, sample }),
      onJob: (job) => this.bus.emit('job.changed', { cluster: name, job }),
      log: this.config.log,
    });
    this.connections.set(name, connection);
    return connection;
  }

  /**
   * A long-running desktop (the app, not a one-shot CLI command) starts the agents of
   * unreachable hosts whose agent is gone, so a rebooted host without a service manager
   * comes back with no step from the user.
   */
  private healUnreachable(name: string, hosts: readonly ClusterHost[]): void {
    if (this.config.mode === 'cli') return;
    for (const host of hosts) {
      if (host.state !== 'unreachable') continue;
      this.ssh(name)
        .heal(host.hostId)
        .catch((err: unknown) => this.config.log(`cluster ${name}: cannot check ${host.hostId}: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  /** The connection state of a cluster without creating a connection. */
  connectionOf(name: string): Connection {
    return (
      this.connections.get(name)?.connection ?? { state: 'offline', detail: 'not connected', sinceMs: Date.now() }
    );
  }

  private activeName(): string {
    const active = this.workspace.clusters.active();
    if (!active) throw new HopsError('CLUSTER_NOT_FOUND', 'This workspace has no active cluster.');
    return active;
  }

  private localAgent(name: string): LocalAgent {
    let agent = this.localAgents.get(name);
    if (!agent) {
      agent = new LocalAgent({
        dir: path.join(this.config.workspaceDir, 'clusters', name, 'agent'),
        nodePath: this.config.nodePath,
        bundlePath: this.config.agentBundlePath,
        log: this.config.log,
      });
      this.localAgents.set(name, agent);
    }
    return agent;
  }
}
