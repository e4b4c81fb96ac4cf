/**
 * The desktop API's cluster-setup methods over the provisioner: it turns requests into
 * provisioning runs, saves what they produced in the workspace, and publishes progress.
 */
import type { ParamsOf, ResultOf } from '../../protocol/desktop-api.ts';
import type { ProvisionProgress, SshAccess } from '../../protocol/cluster-setup.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { Clusters } from '../cluster/clusters.ts';
import type { CoreConfig } from '../core/options.ts';
import type { SecretStore } from '../security/secret-store.ts';
import { scanKey } from '../ssh/dial.ts';
import type { Workspace } from '../workspace/workspace.ts';
import { AgentClient } from '../cluster/agent-client.ts';
import { saveSecrets, type SshClusterProfile } from '../cluster/ssh-cluster.ts';
import { resolveHop } from '../ssh/dial.ts';
import {
  addHost,
  createCluster,
  defaultClientPort,
  defaultClusterPort,
  publicHost,
  removeHost,
  uninstallCluster,
  upgradeHosts,
  type ProvisionerDeps,
} from './provisioner.ts';

export class ClusterAdmin {
  private readonly deps: ProvisionerDeps;
  private readonly clusters: Clusters;
  private readonly workspace: Workspace;
  private readonly config: CoreConfig;
  private readonly secrets: SecretStore;
  /** One provisioning run per cluster at a time: two would fight over the same hosts. */
  private readonly busy = new Set<string>();

  constructor(config: CoreConfig, workspace: Workspace, clusters: Clusters, secrets: SecretStore, emit: (p: ProvisionProgress) => void) {
    this.config = config;
    this.secrets = secrets;
    this.workspace = workspace;
    this.clusters = clusters;
    this.deps = {
      secrets,
      log: config.log,
      openCluster: (name, profile) => clusters.openSsh(name, profile),
      context: (cluster, clusterId) => ({
        cluster,
        clusterId,
        emit,
        dial: {
          knownHosts: workspace.knownHosts,
          ...(config.sshConfigFile === undefined ? {} : { sshConfigFile: config.sshConfigFile }),
        },
        bundles: {
          agentFile: config.agentBundlePath,
          nodePath: config.nodePath,
          appRoot: config.appRoot,
          cacheDir: config.bundleCacheDir,
        },
      }),
    };
  }

  async create(params: ParamsOf<'cluster.create'>): Promise<ResultOf<'cluster.create'>> {
    const { name, head, workers, clusterPort, ...access } = params;
    if (this.workspace.clusters.get(name)) {
      throw new HopsError('VALIDATION', `A cluster named "${name}" already exists.`, { field: '/name', hint: 'Pick another name.' });
    }
    return this.exclusive(name, async () => {
      const { profile, cluster } = await createCluster(this.deps, {
        name,
        head,
        workers: workers ?? [],
        clusterPort: clusterPort ?? defaultClusterPort,
        access,
      });
      await this.clusters.adopt(name, cluster);
      const warning = this.secrets.warning;
      return { cluster: this.summary(name), hosts: profile.hosts.map(publicHost), ...(warning === undefined ? {} : { secretsWarning: warning }) };
    });
  }

  use(name: string): ResultOf<'cluster.use'> {
    this.clusters.resolveName(name);
    this.workspace.clusters.setActive(name);
    void this.clusters.connection(name).start();
    return this.summary(name);
  }

  async uninstall(params: ParamsOf<'cluster.uninstall'>): Promise<ResultOf<'cluster.uninstall'>> {
    const { name, ...access } = params;
    const cluster = this.sshCluster(name, access);
    return this.exclusive(name, async () => {
      // The connection goes first, so it does not restart the head while it is removed.
      this.clusters.connection(name).stop();
      const report = await uninstallCluster(name, cluster);
      if (report.hosts.every((h) => h.clean)) await this.clusters.forget(name);
      return report;
    });
  }

  provisioned(cluster: string | undefined): ResultOf<'cluster.provisioned'> {
    const name = this.clusters.resolveName(cluster);
    if (this.workspace.clusters.get(name)?.kind !== 'ssh') return { hosts: [] };
    return { hosts: this.clusters.ssh(name).profile.hosts.map(publicHost) };
  }

  scanKey(params: ParamsOf<'host.scanKey'>): Promise<ResultOf<'host.scanKey'>> {
    const { target, jump } = params;
    return scanKey(target, jump === undefined ? {} : { jump }, {
      knownHosts: this.workspace.knownHosts,
      ...(this.config.sshConfigFile === undefined ? {} : { sshConfigFile: this.config.sshConfigFile }),
    });
  }

  async addHost(params: ParamsOf<'host.add'>): Promise<ResultOf<'host.add'>> {
    const { cluster: given, host, ...access } = params;
    const name = this.clusters.resolveName(given);
    const cluster = this.sshCluster(name, access);
    return this.exclusive(name, async () => {
      const profile = await addHost(this.deps, name, cluster, host, access);
      this.clusters.saveProfile(name, profile);
      return publicHost(profile.hosts.at(-1)!);
    });
  }

  async removeHost(params: ParamsOf<'host.remove'>): Promise<ResultOf<'host.remove'>> {
    const { cluster: given, hostId, ...access } = params;
    const name = this.clusters.resolveName(given);
    const cluster = this.sshCluster(name, access);
    return this.exclusive(name, async () => {
      const { profile, clean, detail } = await removeHost(this.deps, name, cluster, hostId);
      this.clusters.saveProfile(name, profile);
      return { hostId, clean, detail };
    });
  }

  async upgrade(params: ParamsOf<'host.upgrade'>): Promise<ResultOf<'host.upgrade'>> {
    const { cluster: given, hostId, ...access } = params;
    const name = this.clusters.resolveName(given);
    const cluster = this.sshCluster(name, access);
    return this.exclusive(name, async () => {
      try {
        const profile = await upgradeHosts(this.deps, name, cluster, hostId);
        return { hosts: profile.hosts.map(publicHost) };
      } finally {
        // Saved even after a failure part-way: the hosts already upgraded stay recorded so.
        this.clusters.saveProfile(name, cluster.profile);
      }
    });
  }

  /**
   * Joins a cluster with an invite: over the member's own SSH login on the head, redeems the
   * code for a user token of their own, and saves the cluster as one this workspace uses but
   * does not manage.
   */
  async join(params: ParamsOf<'cluster.join'>): Promise<ResultOf<'cluster.join'>> {
    const { name, head, clientPort, code, user, ...access } = params;
    if (this.workspace.clusters.get(name)) {
      throw new HopsError('VALIDATION', `A cluster named "${name}" already exists.`, { field: '/name', hint: 'Pick another name.' });
    }
    const hop = await resolveHop(head, this.config.sshConfigFile);
    const profile: SshClusterProfile = {
      // Members never provision, so the id that guards hosts against a second cluster is not needed.
      clusterId: 'joined-by-invite',
      headHostId: '',
      headAddress: hop.host,
      clusterPort: defaultClusterPort,
      clientPort: clientPort ?? defaultClientPort,
      hosts: [],
      ...(access.keyFile === undefined ? {} : { keyFile: access.keyFile }),
      ...(access.jump === undefined ? {} : { jump: access.jump }),
      member: { user, headTarget: head },
    };
    const cluster = this.clusters.openSsh(name, profile);
    cluster.rememberAccess(access);
    try {
      // Redeemed with the invite code itself: there is no user token yet.
      await saveSecrets(this.secrets, name, { clientToken: '' });
      const redeemed = await new AgentClient(await cluster.endpoint()).redeemInvite(code, user);
      await saveSecrets(this.secrets, name, { clientToken: redeemed.token });
      await this.clusters.adopt(name, cluster);
      return { cluster: this.summary(name), user: redeemed.user, project: redeemed.project };
    } catch (err) {
      cluster.close();
      if (!this.workspace.clusters.get(name)) await this.secrets.removeAll(`clusters/${name}`);
      throw err;
    }
  }

  /** Where a member's desktop reaches the head: its address and loopback client port. */
  inviteAddress(name: string): { headAddress: string; clientPort: number } {
    const record = this.workspace.clusters.get(name);
    if (record?.kind !== 'ssh') {
      throw new HopsError('VALIDATION', `Cluster "${name}" runs on this machine only; invites are for SSH clusters.`, {
        hint: 'Form an SSH cluster (hopsdesk cluster create) to work with others.',
      });
    }
    const { headAddress, clientPort } = this.clusters.ssh(name).profile;
    return { headAddress, clientPort: clientPort ?? defaultClientPort };
  }

  private sshCluster(name: string, access: SshAccess) {
    const cluster = this.clusters.ssh(name);
    if (cluster.profile.member !== undefined) {
      throw new HopsError('FORBIDDEN', `You joined cluster "${name}" as a member (${cluster.profile.member.user}); only the desktop that formed it manages its hosts.`, {
        hint: 'Ask the cluster admin.',
      });
    }
    cluster.rememberAccess(access);
    return cluster;
  }

  private summary(name: string): ResultOf<'cluster.use'> {
    const record = this.workspace.clusters.get(name)!;
    return {
      name,
      kind: record.kind,
      active: this.workspace.clusters.active() === name,
      createdAtMs: record.createdAtMs,
      connection: this.clusters.connectionOf(name),
    };
  }

  private async exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
    if (this.busy.has(name)) {
      throw new HopsError('VALIDATION', `Cluster "${name}" is being changed by another operation.`, { hint: 'Wait for it to finish.' });
    }
    this.busy.add(name);
    try {
      return await work();
    } finally {
      this.busy.delete(name);
    }
  }
}
