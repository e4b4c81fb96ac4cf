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
import type { FilesystemServices } from './api/fs-routes.ts';
import type { ProjectServices } from './api/project-routes.ts';
import { applyBlockReportReply, collectBlockReport, reportInProcess } from './blocks/block-reports.ts';
import { BlockStore } from './blocks/block-store.ts';
import { startScrub } from './blocks/scrub.ts';
import { PeerClient } from './blocks/peer-client.ts';
import type { PipelineHost } from './blocks/pipeline.ts';
import { BlockTransport } from './blocks/transport.ts';
import type { AgentConfig } from './config.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { BlockMap } from './head/block-map.ts';
import { ClusterDb } from './head/cluster-db.ts';
import { Cluster } from './head/cluster.ts';
import { FileTransfers } from './head/file-transfers.ts';
import { Invites } from './head/invites.ts';
import { Namespace } from './head/namespace.ts';
import { NamespaceSearch } from './head/namespace-search.ts';
import { Shares } from './head/shares.ts';
import { Trash } from './head/trash.ts';
import { Projects } from './head/projects.ts';
import { Quotas } from './head/quotas.ts';
import { UploadSessions } from './head/upload-sessions.ts';
import { BlockWriter } from './head/upload-sessions-blocks.ts';
import { startDurability } from './head/replication-services.ts';
import { Users } from './head/users.ts';
import { cachedInventory } from './inventory/inventory.ts';
import { Lifecycle } from './lifecycle.ts';
import { createAgentLog, type AgentLog } from './log.ts';
import { MetricsSampler } from './metrics.ts';
import { removeRunFile, writeRunFile } from './run-file.ts';
import { buildAgentServer, type AgentServerDeps } from './server.ts';
import { agentVersion } from './version.ts';
import { HeadLink } from './worker/head-link.ts';
import { JobRunner } from './jobs/job-runner.ts';
import { Stager } from './worker/stager.ts';
import { WorkerJobs } from './worker/worker-jobs.ts';
import { JobService } from './head/jobs.ts';
import { JobSchedules } from './head/job-schedules.ts';
import { JobWorkers } from './head/job-workers.ts';
import { JobWriteback } from './head/job-writeback.ts';
import type { JobServices } from './api/job-routes.ts';

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

/** A finalized replica missing from a block report is forgotten only once this old. */
const missingReplicaGraceMs = 10 * 60_000;

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

    // Blocks move between agents over the cluster listeners, as this agent's certificate.
    const peers = new PeerClient({ tls: config.cluster?.tls, clusterToken: config.tokens.cluster });
    // Who hears of a corrupt replica found here: the head, in-process or over the head link.
    let reportCorrupt: (blockId: string, reason: string) => void = () => undefined;
    let blocks: PipelineHost | undefined;
    if (config.roles.includes('worker')) {
      const store = await BlockStore.open({
        dir: path.join(config.dataDir, 'blocks'),
        hostId: config.hostId,
        reservedBytes: config.filesystem.reservedBytes,
        log,
        onCorrupt: (blockId, reason) => reportCorrupt(blockId, reason),
      });
      blocks = { hostId: config.hostId, store, peers };
    }

    // The address other agents reach this one at, once it listens.
    let advertised: string | undefined;
    // Jobs placed here run in their own process groups under <dataDir>/jobs/, their datasets staged from the nearest replicas.
    let workerJobs: WorkerJobs | undefined;
    if (config.roles.includes('worker')) {
      const local = blocks;
      const stager = new Stager({ dataDir: config.dataDir, maxCacheBytes: config.jobs.stageCacheBytes }, async (replica, blockId, sha256) => {
        if (local !== undefined && replica.hostId === local.hostId) return (await local.store.read(blockId, { sha256 })).stream;
        return peers.getBlock(replica, blockId, { sha256 });
      }, log);
      const runner = new JobRunner({ dataDir: config.dataDir, nvidiaSmi: config.nvidiaSmi });
      workerJobs = new WorkerJobs({ dataDir: config.dataDir, runner, stager, log, networkInterface: () => interfaceOf(advertised) });
      await workerJobs.restore();
      const jobsToClose = workerJobs;
      undo.push({ what: 'job watch', run: () => jobsToClose.close() });
    }

    let cluster: Cluster | undefined;
    let projects: ProjectServices | undefined;
    let filesystem: (FilesystemServices & { blockMap: BlockMap }) | undefined;
    let jobs: JobServices | undefined;
    if (config.roles.includes('head')) {
      const db = ClusterDb.open(path.join(config.dataDir, 'cluster.db'));
      undo.push({ what: 'cluster database', run: () => db.close() });
      // The configured admin holds the client token, so the desktop that formed the cluster signs in as them.
      const users = new Users(db.projects);
      users.ensureAdmin(config.adminUser, config.tokens.client, log);
      const namespace = new Namespace(db.namespace, db.projects);
      // Each project has its directory, /Projects/<name>, for as long as it exists.
      const projectHooks = { created: namespace.projectCreated.bind(namespace), deleting: namespace.projectDeleting.bind(namespace) };
      projects = { users, projects: new Projects(db.projects, Date.now, projectHooks), invites: new Invites(db.projects) };
      const registry = new Cluster(db, config, log);
      registry.start();
      undo.push({ what: 'host health watch', run: () => registry.stop() });
      cluster = registry;

      const transport = new BlockTransport({ local: blocks, peers, hosts: () => registry.hosts() });
      const blockMap = new BlockMap(db.namespace, transport, log, {
        reclaimIntervalMs: config.filesystem.reclaimIntervalMs,
        missingGraceMs: missingReplicaGraceMs,
      });
      blockMap.start();
      undo.push({ what: 'block map', run: () => blockMap.stop() });
      // Safe mode until workers report, then re-replication, repair, fsck and file health.
      const durability = startDurability({ db, registry, transport, blockMap, settings: config.filesystem, log });
      undo.push({ what: 'replication', run: durability.stop });
      // Trash entries past their retention are purged on the reclaim interval; their blocks are then reclaimed.
      const trash = new Trash(db.namespace, db.projects, config.filesystem.trashRetentionMs);
      undo.push({ what: 'trash purge', run: trash.startPurging(config.filesystem.reclaimIntervalMs, () => blockMap.reclaimSoon(), log) });
      const sharing = { shares: new Shares(db.namespace, db.projects), trash, search: new NamespaceSearch(db.namespace, db.projects) };
      // Uploads are sessions kept in cluster.db, resumable after a dropped link or a head restart; unused ones expire.
      const quotas = new Quotas(db.projects, db.uploads);
      const sessions = new UploadSessions({
        namespace,
        store: db.uploads,
        projects: db.projects,
        quotas,
        blocks: new BlockWriter(namespace, transport, db.uploads, config.filesystem.replication),
        blockMap,
        settings: { blockSizeBytes: config.filesystem.blockSizeBytes, ttlMs: config.filesystem.uploadSessionTtlMs },
        log,
      });
      sessions.start();
      undo.push({ what: 'uploads in flight', run: () => sessions.stop() });
      const uploads = { sessions, quotas, projects: projects.projects };
      filesystem = { namespace, transfers: new FileTransfers(namespace, transport, blockMap, sessions, log), blockMap, sharing, uploads };
      filesystem.durability = durability.services;
      reportCorrupt = (blockId, reason) => blockMap.markCorrupt(config.hostId, blockId, reason);

      // The job queue: placed on the registry's hosts, run by their workers, logs and output kept in the filesystem.
      const jobWorkers = new JobWorkers({ local: workerJobs === undefined ? undefined : { hostId: config.hostId, jobs: workerJobs }, peers, hosts: () => registry.hosts() });
      const writeback = new JobWriteback({ namespace, transfers: filesystem.transfers, projects: db.projects, workers: jobWorkers, log });
      const jobService = new JobService(
        { nodeLostAfterMs: config.jobs.nodeLostAfterMs },
        { store: db.jobs, projects: db.projects, namespace, transfers: filesystem.transfers, registry, workers: jobWorkers, writeback, log },
      );
      jobService.start();
      undo.push({ what: 'job queue', run: () => jobService.close() });
      const schedules = new JobSchedules({ store: db.jobs, projects: db.projects, namespace, jobs: jobService, log });
      schedules.start();
      undo.push({ what: 'job schedules', run: () => schedules.stop() });
      jobs = { jobs: jobService, schedules };
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
      blocks,
      filesystem,
      jobs,
      workerJobs,
      log,
    };
    // Without a cluster listener, the one plain listener serves workers too.
    const server = buildAgentServer(deps, { routes: config.cluster === undefined ? 'all' : 'client' });
    undo.push({ what: 'API server', run: () => closeServer(server) });
    await server.listen({ host: config.listen.host, port: config.listen.port });
    port = listeningPort(server);

    if (config.cluster !== undefined) {
      const clusterServer = buildAgentServer(deps, { routes: 'cluster', tls: config.cluster.tls });
      undo.push({ what: 'cluster listener', run: () => closeServer(clusterServer) });
      await clusterServer.listen(config.cluster.listen);
      clusterListener = { host: config.cluster.listen.host, port: listeningPort(clusterServer) };
    }
    // Stopped before the listeners close: block transfers in flight are cut, not waited for.
    undo.push({ what: 'block transfers', run: () => peers.close() });

    if (config.roles.includes('worker')) {
      // The head stores, and will dial, the listener other agents are meant to reach.
      const reachable = clusterListener ?? { host: config.listen.host, port };
      const address = advertisedAddress(reachable.host, reachable.port);
      advertised = address;
      const member = { address, version, inventory, sampler, log, store: blocks?.store, jobs: workerJobs };
      if (cluster === undefined) {
        const link = joinOverHttp(config, member);
        reportCorrupt = (blockId, reason) => link.reportCorrupt(blockId, reason);
        undo.push({ what: 'cluster membership', run: () => link.stop() });
      } else {
        undo.push({ what: 'cluster membership', run: await joinInProcess(cluster, config, member) });
        const localJobs = workerJobs;
        const jobService = jobs?.jobs;
        if (localJobs !== undefined && jobService !== undefined) {
          // The head's own jobs are reported in-process, at every change and with each sample.
          const report = (): void => localJobs.answer(jobService.applyReports(config.hostId, localJobs.reports()));
          const stopChanges = localJobs.onChange(report);
          const stopSamples = sampler.onSample(report);
          undo.push({ what: 'job reports', run: () => { stopChanges(); stopSamples(); } });
        }
        if (blocks !== undefined && filesystem !== undefined) {
          const stopReports = reportInProcess(filesystem.blockMap, blocks.store, config.hostId, config.filesystem.blockReportIntervalMs, log);
          undo.push({ what: 'block reports', run: stopReports });
        }
      }
    }

    if (blocks !== undefined) {
      // Started once a corrupt replica it finds has a head to be reported to.
      const stopScrub = startScrub(blocks.store, {
        intervalMs: config.filesystem.scrubIntervalMs,
        bytesPerSecond: config.filesystem.scrubBytesPerSecond,
        stateFile: path.join(config.dataDir, 'scrub.json'),
        log,
      });
      undo.push({ what: 'block scrub', run: stopScrub });
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
  /** This worker's block store, reported to the head. */
  store: BlockStore | undefined;
  /** The jobs this worker runs, reported to the head. */
  jobs: WorkerJobs | undefined;
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

/** A worker-only agent joins its head over HTTP (and reports its blocks there). Returns the running link. */
function joinOverHttp(config: AgentConfig, member: Membership): HeadLink {
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
    ...(member.store === undefined ? {} : { blockReports: blockReportsOf(member.store, config, member.log) }),
    ...(member.jobs === undefined ? {} : { jobs: member.jobs }),
    log: member.log,
  });
  link.start();
  return link;
}

function blockReportsOf(store: BlockStore, config: AgentConfig, log: AgentLog) {
  return {
    intervalMs: config.filesystem.blockReportIntervalMs,
    collect: () => collectBlockReport(store),
    apply: (reply: { delete: string[] }) => applyBlockReportReply(store, reply, log),
  };
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

/** How long requests in flight get to finish when a listener closes before their connections are cut. */
const closeGraceMs = 5000;

/**
 * Closes a listener: idle connections at once, requests in flight once answered, and
 * whatever is left (an upload still sending, a stalled peer) after `closeGraceMs`.
 */
async function closeServer(server: FastifyInstance): Promise<void> {
  const cut = setTimeout(() => server.server.closeAllConnections(), closeGraceMs);
  try {
    await server.close();
  } finally {
    clearTimeout(cut);
  }
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
/** The network interface holding the address part of `address` (`host:port`), if it is one of this host's. */
function interfaceOf(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const host = address.replace(/^\[/, '').replace(/\]?:\d+$/, '');
  for (const [name, nics] of Object.entries(os.networkInterfaces())) {
    if (nics?.some((nic) => nic.address === host) === true) return name;
  }
  return undefined;
}

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
