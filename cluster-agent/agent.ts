/**
 * The agent's composition root: every service is built and wired here, in start-up
 * order, and torn down in reverse by `stop()`. Used by `main.ts` and by tests in-process;
 * the desktop runs the bundle as a process of its own.
 *
 * With `cluster` configured the agent has two listeners over one set of services: the
 * plain client API on `listen` (reached by the desktop through an SSH tunnel), and the
 * mutual-TLS cluster listener that other agents dial and this one advertises.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AGENT_PROTOCOL_VERSION, type AgentLifecycleState, type RunFile } from '../protocol/agent-api.ts';
import type { HostInventory, MetricsSample } from '../protocol/host.ts';
import type { ProjectServices } from './api/project-routes.ts';
import type { AgentConfig } from './config.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { ClusterDb } from './head/cluster-db.ts';
import { Cluster } from './head/cluster.ts';
import { Invites } from './head/invites.ts';
import { Projects } from './head/projects.ts';
import { Users } from './head/users.ts';
import { cachedInventory } from './inventory/inventory.ts';
import { Lifecycle } from './lifecycle.ts';
import { createAgentLog, type AgentLog } from './log.ts';
import { MetricsSampler } from './metrics.ts';
import { removeRunFile, writeRunFile } from './run-file.ts';
import { buildAgentServer, type AgentServerDeps } from './server.ts';
import { agentVersion } from './version.ts';
import { HeadLink } from './worker/head-link.ts';

/** A started agent. */
export interface AgentHandle {
  readonly hostId: string;
  /** The address the client API listens on. */
  readonly host: string;
  readonly port: number;
  /** The cluster listener's address, when configured. */
  readonly cluster: { host: string; port: number } | undefined;
  readonly state: AgentLifecycleState;
  /**
   * Stops everything (timers, head link, WebSockets, server, database), removes the run
   * file and releases the data-dir lock. Safe to call more than once.
   */
  stop(): Promise<void>;
}

export interface StartAgentOptions {
  /** Logger to use instead of one built from the config (tests capture lines this way). */
  log?: AgentLog;
}

/** How long a collected inventory is reused before it is collected again. */
const inventoryMaxAgeMs = 5000;

/**
 * Starts an agent for `config`: takes the data-dir lock, starts sampling, opens the
 * cluster database (head), listens, joins the cluster (worker) and writes the run file.
 * Rejects, with everything already started undone, if any step fails.
 */
export async function startAgent(config: AgentConfig, options: StartAgentOptions = {}): Promise<AgentHandle> {
  const log = options.log ?? createAgentLog({ file: config.logFile, secrets: [config.tokens.client, config.tokens.cluster] });
  const lifecycle = new Lifecycle(log);
  const startedAtMs = Date.now();
  const version = agentVersion();
  // Undo steps, pushed as each resource comes up and run in reverse at stop.
  const undo: Array<{ what: string; run: () => Promise<void> | void }> = [];
  let port = 0;
  let clusterListener: { host: string; port: number } | undefined;

  lifecycle.moveTo('starting');
  try {
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    const lock = await acquireDataDirLock(config.dataDir);
    undo.push({ what: 'data-dir lock', run: () => lock.release() });

    const inventory = cachedInventory(config, inventoryMaxAgeMs);
    const sampler = new MetricsSampler(config, log);
    undo.push({ what: 'metrics sampler', run: () => sampler.stop() });
    await sampler.start();

    let cluster: Cluster | undefined;
    let projects: ProjectServices | undefined;
    if (config.roles.includes('head')) {
      const db = ClusterDb.open(path.join(config.dataDir, 'cluster.db'));
      undo.push({ what: 'cluster database', run: () => db.close() });
      // The configured admin holds the client token, so the desktop that formed the cluster signs in as them.
      const users = new Users(db.projects);
      users.ensureAdmin(config.adminUser, config.tokens.client, log);
      projects = { users, projects: new Projects(db.projects), invites: new Invites(db.projects) };
      const registry = new Cluster(db, config, log);
      registry.start();
      undo.push({ what: 'host health watch', run: () => registry.stop() });
      cluster = registry;
    }

    const deps: AgentServerDeps = {
      hostId: config.hostId,
      roles: config.roles,
      tokens: config.tokens,
      adminUser: config.adminUser,
      agentVersion: version,
      startedAtMs,
      state: () => lifecycle.state,
      inventory,
      samples: (sinceMs) => sampler.samples(sinceMs),
      cluster,
      projects,
      log,
    };
    // Without a cluster listener, the one plain listener serves workers too.
    const server = buildAgentServer(deps, { routes: config.cluster === undefined ? 'all' : 'client' });
    undo.push({ what: 'API server', run: () => server.close() });
    await server.listen({ host: config.listen.host, port: config.listen.port });
    port = listeningPort(server);

    if (config.cluster !== undefined) {
      const clusterServer = buildAgentServer(deps, { routes: 'cluster', tls: config.cluster.tls });
      undo.push({ what: 'cluster listener', run: () => clusterServer.close() });
      await clusterServer.listen(config.cluster.listen);
      clusterListener = { host: config.cluster.listen.host, port: listeningPort(clusterServer) };
    }

    if (config.roles.includes('worker')) {
      // The head stores, and will dial, the listener other agents are meant to reach.
      const reachable = clusterListener ?? { host: config.listen.host, port };
      const address = advertisedAddress(reachable.host, reachable.port);
      const leave =
        cluster === undefined
          ? joinOverHttp(config, { address, version, inventory, sampler, log })
          : await joinInProcess(cluster, config, { address, version, inventory, sampler, log });
      undo.push({ what: 'cluster membership', run: leave });
    }

    await mkdir(path.dirname(config.runFile), { recursive: true, mode: 0o700 });
    const run: RunFile = {
      pid: process.pid,
      port,
      host: config.listen.host,
      hostId: config.hostId,
      agentVersion: version,
      protocolVersion: AGENT_PROTOCOL_VERSION,
      startedAtMs,
    };
    if (clusterListener !== undefined) run.cluster = clusterListener;
    await writeRunFile(config.runFile, run);
    undo.push({ what: 'run file', run: () => removeRunFile(config.runFile) });
    lifecycle.moveTo('running');
    log.info('ready', {
      port,
      host: config.listen.host,
      ...(clusterListener === undefined ? {} : { clusterPort: clusterListener.port, clusterHost: clusterListener.host }),
      hostId: config.hostId,
      roles: config.roles,
      pid: process.pid,
      agentVersion: version,
    });
  } catch (err) {
    log.error('start failed', { err });
    await undoAll(undo, log);
    lifecycle.moveTo('failed');
    if (options.log === undefined) log.close();
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    hostId: config.hostId,
    host: config.listen.host,
    port,
    cluster: clusterListener,
    get state() {
      return lifecycle.state;
    },
    stop() {
      stopping ??= (async () => {
        lifecycle.moveTo('stopping');
        const clean = await undoAll(undo, log);
        lifecycle.moveTo(clean ? 'stopped' : 'failed');
        if (options.log === undefined) log.close();
      })();
      return stopping;
    },
  };
}

/** What joining the cluster needs besides the config. */
interface Membership {
  address: string;
  version: string;
  inventory: () => Promise<HostInventory>;
  sampler: MetricsSampler;
  log: AgentLog;
}

/**
 * A head that is also a worker joins its own cluster without an HTTP round-trip, and
 * each of its samples counts as a heartbeat. Like a worker, it registers again when the
 * head forgot it (a heartbeat is refused). Returns the function that leaves.
 */
async function joinInProcess(cluster: Cluster, config: AgentConfig, member: Membership): Promise<() => void> {
  const register = async (): Promise<void> => {
    const inventory = await member.inventory();
    cluster.register({
      hostId: config.hostId,
      hostname: inventory.hostname,
      address: member.address,
      roles: config.roles,
      agentVersion: member.version,
      protocolVersion: AGENT_PROTOCOL_VERSION,
      inventory,
    });
  };
  await register();
  let registering = false;
  const beat = (sample: MetricsSample): void => {
    if (cluster.heartbeat({ hostId: config.hostId, sample }) || registering) return;
    registering = true;
    member.log.warn('head no longer knows this host; registering again', { head: 'in-process' });
    register()
      .catch((err: unknown) => member.log.error('registration failed', { head: 'in-process', err }))
      .finally(() => (registering = false));
  };
  const latest = member.sampler.latest();
  if (latest !== undefined) beat(latest);
  const stopBeating = member.sampler.onSample(beat);
  return () => void stopBeating();
}

/** A worker-only agent joins its head over HTTP. Returns the function that leaves. */
function joinOverHttp(config: AgentConfig, member: Membership): () => Promise<void> {
  const { head, cluster } = config;
  if (head === undefined) throw new Error('A worker-only agent needs head.url.');
  // The config guarantees head.hostId and cluster for an https head.
  const tls =
    head.url.startsWith('https:') && head.hostId !== undefined && cluster !== undefined ? { ...cluster.tls, headHostId: head.hostId } : undefined;
  const link = new HeadLink({
    headUrl: head.url,
    ...(tls === undefined ? {} : { tls }),
    clusterToken: config.tokens.cluster,
    hostId: config.hostId,
    address: member.address,
    roles: config.roles,
    agentVersion: member.version,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    inventory: member.inventory,
    latestSample: () => member.sampler.latest(),
    log: member.log,
  });
  link.start();
  return () => link.stop();
}

/** Runs undo steps newest first; a failing step is logged and the rest still run. */
async function undoAll(undo: Array<{ what: string; run: () => Promise<void> | void }>, log: AgentLog): Promise<boolean> {
  let clean = true;
  for (const step of undo.reverse()) {
    try {
      await step.run();
    } catch (err) {
      clean = false;
      log.error('stop step failed', { step: step.what, err });
    }
  }
  undo.length = 0;
  return clean;
}

function listeningPort(server: FastifyInstance): number {
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('The API server is not listening on a TCP port.');
  return address.port;
}

/**
 * `host:port` at which the head can reach this agent: the listen address, or for a
 * wildcard listen, this host's first external IPv4 address.
 */
function advertisedAddress(listenHost: string, port: number): string {
  let host = listenHost;
  if (host === '0.0.0.0' || host === '::') {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((nic) => nic !== undefined && nic.family === 'IPv4' && !nic.internal);
    host = external?.address ?? os.hostname();
  }
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
