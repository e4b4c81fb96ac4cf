/**
 * A cluster of SSH hosts as the desktop keeps it: the profile saved in the workspace
 * (which hosts, how to log in, where the head is — never a secret), the secrets kept
 * apart (CA key, tokens), and one long-lived SSH link per host. The head's client API is
 * reached through a local forward over the head's link; file content, where the desktop
 * holds the cluster CA, also directly (`direct-content.ts`).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { HopsError } from '../../protocol/errors.ts';
import { ProvisionedHost, type SshAccess } from '../../protocol/cluster-setup.ts';
import type { AgentEndpoint } from './agent-client.ts';
import type { DirectContent } from './direct-content.ts';
import type { SecretStore } from '../security/secret-store.ts';
import { desktopCertificate } from '../security/desktop-certificate.ts';
import { HostLink, LocalForward } from '../ssh/host-link.ts';
import type { DialDeps } from '../ssh/dial.ts';
import { RemoteShell } from '../provision/remote-shell.ts';
import { readLiveRunFile, startService } from '../provision/service.ts';

/** What the workspace stores for an SSH cluster (validated when read back). */
export const SshClusterProfile = Type.Object({
  clusterId: Type.String({ minLength: 8 }),
  headHostId: Type.String(),
  /** The head's address on the cluster network, as workers dial it. */
  headAddress: Type.String(),
  clusterPort: Type.Integer({ minimum: 1, maximum: 65535 }),
  hosts: Type.Array(Type.Composite([ProvisionedHost, Type.Object({ home: Type.String() })])),
  keyFile: Type.Optional(Type.String()),
  jump: Type.Optional(Type.String()),
  /** The head's client API port on its loopback; fixed so that members can find it too. */
  clientPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  /**
   * Set when this workspace joined the cluster with an invite: it reaches the head through
   * the member's own SSH login and manages no host.
   */
  member: Type.Optional(Type.Object({ user: Type.String(), headTarget: Type.String() })),
});
export type SshClusterProfile = Static<typeof SshClusterProfile>;
export type ProvisionedHostRecord = SshClusterProfile['hosts'][number];

/**
 * The secrets of a cluster, stored with the secret store under `clusters/<name>/`: the
 * user's token, and for the admin who formed it the CA and the agents' cluster token.
 */
export interface ClusterSecrets {
  clientToken: string;
  caCert?: string;
  caKey?: string;
  clusterToken?: string;
}

export function readProfile(name: string, config: unknown): SshClusterProfile {
  if (!Value.Check(SshClusterProfile, config)) {
    const first = Value.Errors(SshClusterProfile, config).First();
    throw new HopsError('WORKSPACE_INVALID', `The saved settings of cluster "${name}" are damaged (${first?.path ?? ''}: ${first?.message ?? 'invalid'}).`, {
      hint: `Remove the cluster from this workspace and add its hosts again, or restore the workspace from a backup.`,
    });
  }
  return config;
}

export async function loadSecrets(secrets: SecretStore, name: string): Promise<ClusterSecrets> {
  const text = await secrets.get(`clusters/${name}/cluster`);
  if (text === undefined) {
    throw new HopsError('WORKSPACE_INVALID', `The keys of cluster "${name}" are missing from this workspace.`, {
      hint: 'They are needed to reach the cluster: restore the workspace, or uninstall the cluster from the hosts by hand (rm -r ~/.hopsdesk).',
    });
  }
  return JSON.parse(text) as ClusterSecrets;
}

export function saveSecrets(secrets: SecretStore, name: string, value: ClusterSecrets): Promise<void> {
  return secrets.set(`clusters/${name}/cluster`, JSON.stringify(value));
}

const healEveryMs = 60_000;

export interface SshClusterDeps extends DialDeps {
  secrets: SecretStore;
  log: (line: string) => void;
}

export class SshCluster {
  readonly name: string;
  private profileValue: SshClusterProfile;
  private readonly deps: SshClusterDeps;
  private readonly links = new Map<string, HostLink>();
  private forward: LocalForward | undefined;
  /** When each host was last healed, so a host that stays down is not hammered. */
  private readonly healedAtMs = new Map<string, number>();
  /** Typed once (password, passphrase): kept in memory for this run only. */
  private sessionAccess: SshAccess = {};
  private direct: Promise<DirectContent | undefined> | undefined;

  constructor(name: string, profile: SshClusterProfile, deps: SshClusterDeps) {
    this.name = name;
    this.profileValue = profile;
    this.deps = deps;
  }

  get profile(): SshClusterProfile {
    return this.profileValue;
  }

  /** Replaces the profile after hosts were added, removed or upgraded. */
  update(profile: SshClusterProfile): void {
    this.profileValue = profile;
    this.direct = undefined;
    for (const [hostId, link] of this.links) {
      if (!hostId.startsWith('\0') && !profile.hosts.some((h) => h.hostId === hostId)) {
        link.close();
        this.links.delete(hostId);
      }
    }
  }

  /**
   * Remembers, for this run only, what the user typed or confirmed with a call (a password,
   * a passphrase, host keys to trust), so the links opened for it can use them.
   */
  rememberAccess(access: SshAccess): void {
    const { password, passphrase, trustNewHostKey, acceptHostKeys } = access;
    const before = JSON.stringify(this.sessionAccess);
    this.sessionAccess = {
      ...this.sessionAccess,
      ...(password === undefined ? {} : { password }),
      ...(passphrase === undefined ? {} : { passphrase }),
      ...(trustNewHostKey === undefined ? {} : { trustNewHostKey }),
      ...(acceptHostKeys === undefined ? {} : { acceptHostKeys }),
    };
    if (JSON.stringify(this.sessionAccess) === before) return;
    // Links already made keep the access they were made with: start them afresh.
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.forward?.close();
    this.forward = undefined;
  }

  host(hostId: string): ProvisionedHostRecord {
    const host = this.profileValue.hosts.find((h) => h.hostId === hostId);
    if (!host) throw new HopsError('HOST_NOT_FOUND', `Cluster "${this.name}" has no host "${hostId}".`);
    return host;
  }

  link(hostId: string): HostLink {
    let link = this.links.get(hostId);
    if (!link) {
      const host = this.host(hostId);
      const { keyFile, jump } = this.profileValue;
      link = new HostLink({
        target: host.target,
        access: { ...(keyFile === undefined ? {} : { keyFile }), ...(jump === undefined ? {} : { jump }), ...this.sessionAccess },
        deps: this.deps,
        log: this.deps.log,
      });
      this.links.set(hostId, link);
    }
    return link;
  }

  async shell(hostId: string): Promise<RemoteShell> {
    const link = this.link(hostId);
    return new RemoteShell(await link.client(), link.target);
  }

  /**
   * How to reach the head's client API now: through the local forward, to the port in
   * the head's run file. A head whose agent is not running (a reboot on a host without
   * systemd or cron) is started again through its service.
   */
  async endpoint(): Promise<AgentEndpoint> {
    const secrets = await loadSecrets(this.deps.secrets, this.name);
    const { member, clientPort } = this.profileValue;
    if (member !== undefined && clientPort !== undefined) {
      // A member cannot read the admin's run file, nor restart the agent: the port is fixed.
      const link = this.memberLink(member.headTarget);
      // Logged in first, so a refused key or login is reported as such, not as a closed socket.
      await link.client();
      this.forward ??= new LocalForward(link);
      this.forward.setRemotePort(clientPort);
      return { baseUrl: `http://127.0.0.1:${await this.forward.listen()}`, token: secrets.clientToken };
    }
    const head = this.host(this.profileValue.headHostId);
    // Made while SSH logs in: the two do not depend on each other.
    const direct = this.directContent(secrets);
    const shell = await this.shell(head.hostId);
    let run = await readLiveRunFile(shell);
    if (run === undefined) {
      this.deps.log(`cluster ${this.name}: the head agent is not running; starting its service`);
      await startService(shell, head.service, head.home);
      const deadline = Date.now() + 20_000;
      do {
        await new Promise((resolve) => setTimeout(resolve, 250));
        run = await readLiveRunFile(shell);
      } while (run === undefined && Date.now() < deadline);
      if (run === undefined) throw new HopsError('AGENT_UNREACHABLE', `The head agent on ${head.target} did not come back.`);
    }
    this.forward ??= new LocalForward(this.link(head.hostId));
    this.forward.setRemotePort(run!.port);
    const port = await this.forward.listen();
    const endpoint: AgentEndpoint = { baseUrl: `http://127.0.0.1:${port}`, token: secrets.clientToken };
    const made = await direct;
    return made === undefined ? endpoint : { ...endpoint, direct: made };
  }

  /**
   * The head's cluster listener for file content, where this desktop holds the cluster CA
   * (it formed the cluster), with this desktop's certificate of that CA (kept with the
   * cluster's secrets: security/desktop-certificate.ts).
   */
  private directContent(secrets: ClusterSecrets): Promise<DirectContent | undefined> {
    const { caCert, caKey } = secrets;
    if (caCert === undefined || caKey === undefined) return Promise.resolve(undefined);
    const { headAddress, clusterPort, headHostId } = this.profileValue;
    this.direct ??= desktopCertificate(this.deps.secrets, this.name, { certPem: caCert, keyPem: caKey })
      .then((own): DirectContent => ({ host: headAddress, port: clusterPort, headHostId, tls: { ca: own.caPem, cert: own.certPem, key: own.keyPem } }))
      .catch((err: Error) => {
        // Content then keeps to the tunnel: slower, and just as correct.
        this.deps.log(`cluster ${this.name}: no desktop certificate for direct file content (${err.message}); content goes through the SSH tunnel`);
        return undefined;
      });
    return this.direct;
  }

  /** The link a member's desktop reaches the head through: their own login there. */
  private memberLink(headTarget: string): HostLink {
    const key = '\0member-head';
    let link = this.links.get(key);
    if (!link) {
      const { keyFile, jump } = this.profileValue;
      link = new HostLink({
        target: headTarget,
        access: { ...(keyFile === undefined ? {} : { keyFile }), ...(jump === undefined ? {} : { jump }), ...this.sessionAccess },
        deps: this.deps,
        log: this.deps.log,
      });
      this.links.set(key, link);
    }
    return link;
  }

  /**
   * Starts the agent of a host the head reports unreachable, when the host answers SSH but
   * its agent is gone — a reboot on a host with neither systemd --user nor cron. At most
   * once a minute per host; resolves to whether it started one.
   */
  async heal(hostId: string, nowMs = Date.now()): Promise<boolean> {
    if (this.profileValue.member !== undefined) return false;
    if (nowMs - (this.healedAtMs.get(hostId) ?? 0) < healEveryMs) return false;
    this.healedAtMs.set(hostId, nowMs);
    const host = this.host(hostId);
    const shell = await this.shell(hostId);
    if ((await readLiveRunFile(shell)) !== undefined) return false;
    this.deps.log(`cluster ${this.name}: the agent on ${hostId} is not running; starting its service`);
    await startService(shell, host.service, host.home);
    return true;
  }

  close(): void {
    this.forward?.close();
    this.forward = undefined;
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }
}
