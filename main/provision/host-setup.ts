/**
 * One host's part of provisioning: log in, run the doctor, put the agent build there,
 * write its configuration, keys and certificate, and (later) start it. Each step reports
 * progress; each failure says which host and what to do.
 */
import { randomUUID } from 'node:crypto';
import type { DoctorReport, HostSpec, ProvisionPhase, ProvisionProgress, SshAccess } from '../../protocol/cluster-setup.ts';
import { HopsError, toWireError } from '../../protocol/errors.ts';
import type { HostRole } from '../../protocol/host.ts';
import type { ClusterCa } from '../security/cluster-ca.ts';
import { adminUserName } from '../cluster/admin-user.ts';
import { dial, type DialDeps, type SshLink } from '../ssh/dial.ts';
import { probeHost } from './doctor.ts';
import { agentBundle, archOf, type AgentBundle, type BundleSources } from './bundle.ts';
import { activateScript, installBundle, pruneScript } from './install.ts';
import { remotePaths } from './remote-layout.ts';
import { RemoteShell, shellQuote, writeFilesScript } from './remote-shell.ts';
import { readRunFile, type ServiceKind } from './service.ts';

export interface ProvisionContext {
  cluster: string;
  clusterId: string;
  dial: DialDeps;
  bundles: BundleSources;
  emit: (progress: ProvisionProgress) => void;
}

/** What a host's agent is told about its cluster. */
export interface ClusterPlan {
  clusterId: string;
  ca: ClusterCa;
  clientToken: string;
  clusterToken: string;
  clusterPort: number;
  /** The head's client API port on its loopback (workers take any free port). */
  clientPort: number;
  headHostId: string;
  /** Unknown until the head is chosen; workers need it, the head does not. */
  headAddress: string | undefined;
}

/** A host logged in to, examined and with the agent build unpacked: ready to configure. */
export interface PreparedHost {
  spec: HostSpec;
  hostId: string;
  roles: HostRole[];
  link: SshLink;
  shell: RemoteShell;
  home: string;
  bundle: AgentBundle;
  service: ServiceKind;
}

/** Reports one host's progress; returned to the steps so they don't repeat its identity. */
export function reporter(ctx: ProvisionContext, target: string, hostId?: string) {
  return (phase: ProvisionPhase, detail: string, extra: Partial<ProvisionProgress> = {}) =>
    ctx.emit({ cluster: ctx.cluster, target, ...(hostId === undefined ? {} : { hostId }), phase, detail, atMs: Date.now(), ...extra });
}

/** Logs in, checks, uploads and unpacks; on failure reports it and rejects. */
export async function prepareHost(
  ctx: ProvisionContext,
  spec: HostSpec,
  hostId: string,
  roles: HostRole[],
  access: SshAccess,
): Promise<PreparedHost> {
  const report = reporter(ctx, spec.target, hostId);
  let link: SshLink | undefined;
  try {
    report('connecting', `logging in to ${spec.target}`);
    link = await dial(spec.target, access, ctx.dial);
    const shell = new RemoteShell(link.client, spec.target);

    report('checking', 'checking the host');
    const { report: doctor, probe } = await probeHost(link.client, spec.target);
    report('checking', doctor.ready ? 'host is ready' : 'host is not ready', { doctor });
    if (!doctor.ready) throw notReady(spec.target, doctor);
    await refuseOtherCluster(shell, probe.cluster_id ?? '', ctx.clusterId);
    const uname = probe.arch ?? '';
    const arch = archOf(uname);
    if (arch === undefined) {
      throw new HopsError('PROVISION_FAILED', `${spec.target} is ${uname || 'of an unknown architecture'}; agents run on x86_64 and aarch64 hosts.`, {
        hint: 'Use a Linux host on x86_64 or aarch64.',
      });
    }
    const home = probe.home || (await shell.run('reading the home directory', 'cd && pwd')).trim();
    const bundle = await agentBundle(ctx.bundles, arch);
    const megabytes = (bundle.bytes / 1e6).toFixed(0);
    report('uploading', `uploading agent ${bundle.version} (${megabytes} MB)`, { bytesDone: 0, bytesTotal: bundle.bytes });
    let lastReport = 0;
    const { uploaded } = await installBundle(shell, bundle, ({ bytesDone, bytesTotal }) => {
      // A row per host updates a few times a second, not per 256 KiB chunk.
      if (Date.now() - lastReport < 150 && bytesDone < bytesTotal) return;
      lastReport = Date.now();
      report('uploading', `uploading agent ${bundle.version} (${megabytes} MB)`, { bytesDone, bytesTotal });
    });
    report('installing', uploaded ? `agent ${bundle.version} unpacked` : `agent ${bundle.version} already there, not sent again`, {
      bytesDone: bundle.bytes,
      bytesTotal: bundle.bytes,
    });
    return { spec, hostId, roles, link, shell, home, bundle, service: probe.systemd_manager === 'yes' ? 'systemd' : 'supervisor' };
  } catch (err) {
    link?.close();
    report('failed', toWireError(err).message, { error: toWireError(err) });
    throw err;
  }
}

/** Writes the agent's config, tokens and certificate, and makes the new build current. */
export async function configureHost(host: PreparedHost, plan: ClusterPlan): Promise<void> {
  const { shell } = host;
  const isHead = host.roles.includes('head');
  if (!isHead && plan.headAddress === undefined) throw new Error('A worker needs the head address.');
  // Loaded when first needed: the X.509 library is large and most starts never provision.
  const { issueAgentCertificate } = await import('../security/cluster-ca.ts');
  const credentials = await issueAgentCertificate(plan.ca, host.hostId);
  const config = {
    hostId: host.hostId,
    // Relative to etc/, where the config lives.
    dataDir: '../data',
    listen: { host: '127.0.0.1', port: isHead ? plan.clientPort : 0 },
    roles: host.roles,
    tokenFile: 'tokens.json',
    labels: host.spec.labels ?? [],
    logFile: '../log/agent.log',
    cluster: {
      listen: { host: '0.0.0.0', port: plan.clusterPort },
      tls: { caFile: 'tls/ca.crt', certFile: 'tls/agent.crt', keyFile: 'tls/agent.key' },
    },
    // The head's admin is whoever formed the cluster, by their login name here.
    ...(isHead ? { adminUser: adminUserName() } : {}),
    ...(isHead ? {} : { head: { url: `https://${urlHost(plan.headAddress!)}:${plan.clusterPort}`, hostId: plan.headHostId } }),
  };
  // One round trip for every file, the link switch and the pruning.
  await shell.run(
    'writing the configuration',
    [
      'cd',
      writeFilesScript([
        [remotePaths.tokens, JSON.stringify({ client: plan.clientToken, cluster: plan.clusterToken })],
        [remotePaths.caCert, credentials.caPem],
        [remotePaths.agentCert, credentials.certPem],
        [remotePaths.agentKey, credentials.keyPem],
        [remotePaths.config, JSON.stringify(config, null, 2) + '\n'],
        [`${remotePaths.root}/etc/cluster-id`, plan.clusterId + '\n'],
      ]),
      activateScript(host.bundle.version),
      pruneScript(),
    ].join(' && '),
  );
}

/**
 * Checks from a worker that the head's cluster port answers, with the runtime just
 * installed there (no nc or bash /dev/tcp needed on the host).
 */
export async function checkClusterPort(host: PreparedHost, headAddress: string, port: number): Promise<void> {
  const node = `${remotePaths.agentDir(host.bundle.version)}/node`;
  const script =
    `const s=require('net').connect(${port},${JSON.stringify(headAddress)});` +
    `s.on('connect',()=>{s.destroy();process.exit(0)});s.on('error',e=>{console.error(e.code||e.message);process.exit(1)});` +
    `setTimeout(()=>{console.error('timed out');process.exit(1)},4000)`;
  const result = await host.shell.exec(`cd && ${shellQuote(node)} -e ${shellQuote(script)}`);
  if (result.code !== 0) {
    throw new HopsError(
      'CLUSTER_PORT_BLOCKED',
      `${host.spec.target} cannot reach the head at ${headAddress}:${port} (${result.stderr.trim() || `exit ${String(result.code)}`}).`,
    );
  }
}

/** A new cluster id; written to each host so one cluster never takes over another's host. */
export function newClusterId(): string {
  return randomUUID();
}

/** A host id from the target: the host part up to its first dot, unless it is an address. */
export function hostIdFor(target: string, taken: ReadonlySet<string>): string {
  const host = target.slice(target.indexOf('@') + 1).replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const isAddress = /^[0-9.]+$/.test(host) || host.includes(':');
  const base = (isAddress ? host.replaceAll(':', '-') : host.split('.')[0]!).replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 100) || 'host';
  let id = base;
  for (let n = 2; taken.has(id); n += 1) id = `${base}-${n}`;
  return id;
}

function notReady(target: string, doctor: DoctorReport): HopsError {
  const failed = doctor.checks.filter((c) => c.status === 'fail');
  const lines = failed.map((c) => `${c.title}: ${c.detail}`).join('; ');
  const fixes = failed.map((c) => c.fix).filter((f) => f !== undefined).join(' ');
  return new HopsError('PROVISION_FAILED', `${target} is not ready for the agent: ${lines}.`, {
    hint: fixes || 'Run `hopsdesk host doctor` on it for details.',
  });
}

/** Refuses a host whose ~/.hopsdesk belongs to another cluster (`owner`, from the probe). */
async function refuseOtherCluster(shell: RemoteShell, owner: string, clusterId: string): Promise<void> {
  if (owner === '' || owner === clusterId) return;
  const run = await readRunFile(shell);
  throw new HopsError('PROVISION_FAILED', `${shell.where} already belongs to another Hopsdesk cluster${run ? ' whose agent is running' : ''}.`, {
    hint: 'Uninstall that cluster first (hopsdesk cluster uninstall NAME), or remove ~/.hopsdesk on the host if it is no longer used.',
  });
}

function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
