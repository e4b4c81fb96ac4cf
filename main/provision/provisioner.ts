/**
 * Cluster-wide provisioning: forming a cluster from SSH hosts, adding, removing and
 * upgrading hosts, and uninstalling. Hosts are prepared in parallel; the head starts
 * first, then the workers once they have shown they can reach it; a step is done when
 * the head reports the host healthy.
 */
import { randomBytes } from 'node:crypto';
import type { HostSpec, ProvisionedHost, SshAccess, UninstallReport } from '../../protocol/cluster-setup.ts';
import { HopsError, toWireError } from '../../protocol/errors.ts';
import { AgentClient } from '../cluster/agent-client.ts';
import { saveSecrets, SshCluster, loadSecrets, type ProvisionedHostRecord, type SshClusterProfile } from '../cluster/ssh-cluster.ts';
import type { SecretStore } from '../security/secret-store.ts';
import { resolveHop } from '../ssh/dial.ts';
import { agentBundle, archOf } from './bundle.ts';
import {
  checkClusterPort,
  configureHost,
  hostIdFor,
  newClusterId,
  prepareHost,
  reporter,
  type ClusterPlan,
  type PreparedHost,
  type ProvisionContext,
} from './host-setup.ts';
import { activateVersion, installBundle, pruneVersions } from './install.ts';
import { remotePaths } from './remote-layout.ts';
import { shellQuote, type RemoteShell } from './remote-shell.ts';
import { removeServiceEntries, startService, stopService, waitForAgent } from './service.ts';

export const defaultClusterPort = 7871;
/** The head's client API on its loopback: fixed, so members reaching it over SSH can find it. */
export const defaultClientPort = 7870;
/** How long a started host gets to show up healthy at the head. */
const joinTimeoutMs = 60_000;

export interface CreateClusterRequest {
  name: string;
  head: HostSpec;
  workers: HostSpec[];
  clusterPort: number;
  access: SshAccess;
}

export interface ProvisionerDeps {
  context: (cluster: string, clusterId: string) => ProvisionContext;
  secrets: SecretStore;
  /** An SshCluster for a profile not yet saved (used while forming the cluster). */
  openCluster: (name: string, profile: SshClusterProfile) => SshCluster;
  log: (line: string) => void;
}

/** Forms a new cluster; resolves to its profile, or rejects with everything started stopped. */
export async function createCluster(deps: ProvisionerDeps, request: CreateClusterRequest): Promise<{ profile: SshClusterProfile; cluster: SshCluster }> {
  const specs = [request.head, ...request.workers];
  const targets = specs.map((s) => s.target);
  const duplicate = targets.find((t, i) => targets.indexOf(t) !== i);
  if (duplicate !== undefined) throw new HopsError('VALIDATION', `${duplicate} is listed twice.`, { field: '/workers' });

  const clusterId = newClusterId();
  const ctx = deps.context(request.name, clusterId);
  const taken = new Set<string>();
  const ids = specs.map((spec) => {
    const id = hostIdFor(spec.target, taken);
    taken.add(id);
    return id;
  });
  const plan: ClusterPlan = {
    clusterId,
    // Loaded when first needed: the X.509 library is large and most starts never provision.
    ca: await (await import('../security/cluster-ca.ts')).createClusterCa(request.name),
    clientToken: randomBytes(32).toString('base64url'),
    clusterToken: randomBytes(32).toString('base64url'),
    clusterPort: request.clusterPort,
    clientPort: request.clusterPort === defaultClusterPort ? defaultClientPort : request.clusterPort - 1,
    headHostId: ids[0]!,
    headAddress: (await resolveHop(request.head.target, ctx.dial.sshConfigFile)).host,
  };
  if (isLoopback(plan.headAddress!)) {
    throw new HopsError('VALIDATION', `The head ${request.head.target} is a loopback address, which workers cannot reach.`, {
      field: '/head',
      hint: 'Give the head by an address or name the other hosts can reach.',
    });
  }
  await saveSecrets(deps.secrets, request.name, {
    caCert: plan.ca.certPem,
    caKey: plan.ca.keyPem,
    clientToken: plan.clientToken,
    clusterToken: plan.clusterToken,
  });

  // Every host is logged in to, checked and sent the agent at once.
  const settled = await Promise.allSettled(
    specs.map((spec, i) => prepareHost(ctx, spec, ids[i]!, i === 0 ? ['head', 'worker'] : ['worker'], request.access)),
  );
  const prepared = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failures = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ target: specs[i]!.target, err: s.reason as unknown }] : []));
  const closeAll = () => prepared.forEach((h) => h.link.close());
  if (failures.length > 0) {
    closeAll();
    await deps.secrets.removeAll(`clusters/${request.name}`);
    throw combined('No cluster was formed', failures);
  }

  const [head, ...workers] = prepared as [PreparedHost, ...PreparedHost[]];
  const started: PreparedHost[] = [];
  let cluster: SshCluster | undefined;
  try {
    await Promise.all(prepared.map((host) => configureHost(host, plan)));
    await startHost(ctx, head);
    started.push(head);
    const profile: SshClusterProfile = {
      clusterId,
      headHostId: head.hostId,
      headAddress: plan.headAddress!,
      clusterPort: plan.clusterPort,
      clientPort: plan.clientPort,
      hosts: prepared.map(record),
      ...(request.access.keyFile === undefined ? {} : { keyFile: request.access.keyFile }),
      ...(request.access.jump === undefined ? {} : { jump: request.access.jump }),
    };
    cluster = deps.openCluster(request.name, profile);
    cluster.rememberAccess(request.access);
    await Promise.all(
      workers.map(async (worker) => {
        // The port check and the start overlap; a worker that cannot reach the head is stopped again.
        started.push(worker);
        await both(checkClusterPort(worker, plan.headAddress!, plan.clusterPort), startHost(ctx, worker));
      }),
    );
    await waitHealthy(ctx, cluster, prepared);
    return { profile, cluster };
  } catch (err) {
    // Nothing half-formed keeps running: stop what was started, leave the files for a retry.
    await Promise.all(started.map((h) => stopService(h.shell, h.service).catch(() => undefined)));
    cluster?.close();
    await deps.secrets.removeAll(`clusters/${request.name}`);
    throw err;
  } finally {
    closeAll();
  }
}

/** Adds a worker to a running cluster. */
export async function addHost(
  deps: ProvisionerDeps,
  name: string,
  cluster: SshCluster,
  spec: HostSpec,
  access: SshAccess,
): Promise<SshClusterProfile> {
  const profile = cluster.profile;
  if (profile.hosts.some((h) => h.target === spec.target)) {
    throw new HopsError('VALIDATION', `${spec.target} is already a host of cluster "${name}".`, { field: '/host/target' });
  }
  const { caCert, caKey, clusterToken, clientToken } = await loadSecrets(deps.secrets, name);
  if (caCert === undefined || caKey === undefined || clusterToken === undefined) {
    throw new HopsError('FORBIDDEN', `This workspace does not hold the keys of cluster "${name}": only the desktop that formed it can add hosts.`, {
      hint: 'Ask the cluster admin to add the host.',
    });
  }
  const ctx = deps.context(name, profile.clusterId);
  const hostId = hostIdFor(spec.target, new Set(profile.hosts.map((h) => h.hostId)));
  const plan: ClusterPlan = {
    clusterId: profile.clusterId,
    ca: { certPem: caCert, keyPem: caKey },
    clientToken,
    clusterToken,
    clusterPort: profile.clusterPort,
    clientPort: profile.clientPort ?? 0,
    headHostId: profile.headHostId,
    headAddress: profile.headAddress,
  };
  const merged: SshAccess = {
    ...(profile.keyFile === undefined ? {} : { keyFile: profile.keyFile }),
    ...(profile.jump === undefined ? {} : { jump: profile.jump }),
    ...access,
  };
  const host = await prepareHost(ctx, spec, hostId, ['worker'], merged);
  try {
    await configureHost(host, plan);
    await both(checkClusterPort(host, plan.headAddress!, plan.clusterPort), startHost(ctx, host));
    const next = { ...profile, hosts: [...profile.hosts, record(host)] };
    cluster.update(next);
    await waitHealthy(ctx, cluster, [host]);
    return next;
  } catch (err) {
    await stopService(host.shell, host.service).catch(() => undefined);
    cluster.update(profile);
    reporter(ctx, spec.target, hostId)('failed', toWireError(err).message, { error: toWireError(err) });
    throw err;
  } finally {
    host.link.close();
  }
}

/** Drains a worker, stops its agent, removes its files and forgets it. */
export async function removeHost(
  deps: ProvisionerDeps,
  name: string,
  cluster: SshCluster,
  hostId: string,
): Promise<{ profile: SshClusterProfile; clean: boolean; detail: string }> {
  const profile = cluster.profile;
  const host = cluster.host(hostId);
  if (host.roles.includes('head')) {
    throw new HopsError('VALIDATION', `${hostId} is the head of cluster "${name}"; it cannot be removed on its own.`, {
      hint: `Uninstall the whole cluster instead: hopsdesk cluster uninstall ${name}`,
    });
  }
  const report = reporter(deps.context(name, profile.clusterId), host.target, hostId);
  const head = new AgentClient(await cluster.endpoint());
  report('draining', 'draining the host');
  await head.drainHost(hostId).catch((err: unknown) => {
    if (!(err instanceof HopsError && err.code === 'HOST_NOT_FOUND')) throw err;
  });
  report('removing', 'stopping the agent and removing its files');
  const { clean, detail } = await wipeHost(await cluster.shell(hostId), host);
  await head.forgetHost(hostId).catch(() => undefined);
  const next = { ...profile, hosts: profile.hosts.filter((h) => h.hostId !== hostId) };
  cluster.update(next);
  report('removed', detail);
  return { profile: next, clean, detail };
}

/** Upgrades hosts to the desktop's agent build, workers first and the head last, one at a time. */
export async function upgradeHosts(
  deps: ProvisionerDeps,
  name: string,
  cluster: SshCluster,
  hostId: string | undefined,
): Promise<SshClusterProfile> {
  const profile = cluster.profile;
  const ctx = deps.context(name, profile.clusterId);
  const chosen = hostId === undefined ? profile.hosts : [cluster.host(hostId)];
  const ordered = [...chosen].sort((a, b) => Number(a.roles.includes('head')) - Number(b.roles.includes('head')));
  let current = profile;
  for (const host of ordered) {
    const report = reporter(ctx, host.target, host.hostId);
    try {
      const shell = await cluster.shell(host.hostId);
      const arch = archOf((await shell.run('reading the architecture', 'uname -m')).trim());
      if (arch === undefined) throw new HopsError('PROVISION_FAILED', `${host.target} has an architecture agents do not run on.`);
      const bundle = await agentBundle(ctx.bundles, arch);
      if (bundle.version === host.agentVersion) {
        report('healthy', `already at ${bundle.version}`);
        continue;
      }
      report('uploading', `uploading agent ${bundle.version}`, { bytesDone: 0, bytesTotal: bundle.bytes });
      await installBundle(shell, bundle, (p) => report('uploading', `uploading agent ${bundle.version}`, { ...p }));
      report('installing', `switching to ${bundle.version}`);
      await activateVersion(shell, bundle.version);
      report('starting', `restarting the agent (${host.agentVersion} → ${bundle.version})`);
      await startService(shell, host.service, host.home);
      await waitForAgent(shell, bundle.version);
      const upgraded = { ...host, agentVersion: bundle.version };
      current = { ...current, hosts: current.hosts.map((h) => (h.hostId === host.hostId ? upgraded : h)) };
      cluster.update(current);
      await waitHealthy(ctx, cluster, [{ hostId: host.hostId, spec: { target: host.target } }]);
      await pruneVersions(shell);
    } catch (err) {
      report('failed', toWireError(err).message, { error: toWireError(err) });
      throw err;
    }
  }
  return current;
}

/** Stops and removes everything on every host, and reports per host whether nothing is left. */
export async function uninstallCluster(name: string, cluster: SshCluster): Promise<UninstallReport> {
  const hosts = await Promise.all(
    cluster.profile.hosts.map(async (host) => {
      try {
        const { clean, detail } = await wipeHost(await cluster.shell(host.hostId), host);
        return { hostId: host.hostId, target: host.target, clean, detail };
      } catch (err) {
        return { hostId: host.hostId, target: host.target, clean: false, detail: toWireError(err).message };
      }
    }),
  );
  return { cluster: name, hosts };
}

async function startHost(ctx: ProvisionContext, host: PreparedHost): Promise<void> {
  const report = reporter(ctx, host.spec.target, host.hostId);
  report('starting', host.service === 'systemd' ? 'starting the systemd --user service' : 'starting the agent supervisor');
  await startService(host.shell, host.service, host.home);
  await waitForAgent(host.shell, host.bundle.version);
  report('joining', 'agent running; waiting for the head to see it');
}

/** Waits until the head lists every given host as healthy, reporting each as it gets there. */
async function waitHealthy(ctx: ProvisionContext, cluster: SshCluster, hosts: Array<{ hostId: string; spec: { target: string } }>): Promise<void> {
  const waiting = new Map(hosts.map((h) => [h.hostId, h.spec.target]));
  const deadline = Date.now() + joinTimeoutMs;
  let lastError = '';
  let client: AgentClient | undefined;
  while (waiting.size > 0 && Date.now() < deadline) {
    try {
      // The endpoint is looked up again only after a failure (e.g. the head restarted).
      client ??= new AgentClient(await cluster.endpoint());
      const { hosts: seen } = await client.hosts();
      for (const host of seen) {
        const target = waiting.get(host.hostId);
        if (target !== undefined && host.state === 'healthy') {
          waiting.delete(host.hostId);
          reporter(ctx, target, host.hostId)('healthy', `healthy, agent ${host.agentVersion}`);
        }
      }
    } catch (err) {
      client = undefined;
      lastError = toWireError(err).message;
    }
    if (waiting.size > 0) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (waiting.size > 0) {
    throw new HopsError('PROVISION_FAILED', `The head did not see ${[...waiting.values()].join(', ')} join within ${joinTimeoutMs / 1000} s${lastError ? ` (${lastError})` : ''}.`, {
      hint: `See ~/${remotePaths.log} on those hosts for why their agent cannot register.`,
    });
  }
}

/** Stops the agent, removes the service entries and ~/.hopsdesk, then checks nothing is left. */
async function wipeHost(shell: RemoteShell, host: ProvisionedHostRecord): Promise<{ clean: boolean; detail: string }> {
  await stopService(shell, host.service);
  await removeServiceEntries(shell, host.service);
  await shell.run('removing the agent files', `cd && rm -rf ${shellQuote(remotePaths.root)}`);
  // "[h]opsdesk" matches the agent's command line but not this command's own (nor grep's).
  const leftover = await shell.exec(
    `cd; p=$(ps -u "$(id -u)" -o pid=,args= | grep '[h]opsdesk-agent[.]mjs'); f=$(ls -d ${shellQuote(remotePaths.root)} ${shellQuote(remotePaths.systemdUnit)} 2>/dev/null); printf '%s\\n%s' "$p" "$f"`,
  );
  const found = leftover.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return found.length === 0
    ? { clean: true, detail: 'no process and no file of Hopsdesk left' }
    : { clean: false, detail: `left behind: ${found.join('; ')}` };
}

/** Waits for both steps to end (so nothing is still starting when a failure is cleaned up), then throws the first failure. */
async function both(a: Promise<unknown>, b: Promise<unknown>): Promise<void> {
  const [first, second] = await Promise.allSettled([a, b]);
  if (first.status === 'rejected') throw first.reason;
  if (second.status === 'rejected') throw second.reason;
}

function record(host: PreparedHost): ProvisionedHostRecord {
  return {
    hostId: host.hostId,
    target: host.spec.target,
    roles: host.roles,
    labels: host.spec.labels ?? [],
    agentVersion: host.bundle.version,
    service: host.service,
    home: host.home,
  };
}

export function publicHost(host: ProvisionedHostRecord): ProvisionedHost {
  const { home: _home, ...rest } = host;
  return rest;
}

function combined(what: string, failures: Array<{ target: string; err: unknown }>): HopsError {
  const parts = failures.map(({ target, err }) => `${target}: ${toWireError(err).message}`);
  const hints = [...new Set(failures.map(({ err }) => toWireError(err).hint))];
  return new HopsError(
    failures.length === 1 && failures[0]!.err instanceof HopsError ? failures[0]!.err.code : 'PROVISION_FAILED',
    `${what}: ${parts.join(' | ')}`,
    { hint: hints.join(' ') },
  );
}

function isLoopback(address: string): boolean {
  return address === 'localhost' || address.startsWith('127.') || address === '::1';
}
