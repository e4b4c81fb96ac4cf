/**
 * Wires the filesystem's durability on a head: safe mode (told of every block report by
 * the block map), the re-replication passes (told of hosts declared dead, back or
 * forgotten by the registry, and of replicas lost by the block map), fsck and per-file
 * health. Kept apart from the composition root so that it stays one call there.
 */
import type { FsDurabilityServices } from '../api/fs-durability-routes.ts';
import type { BlockTransport } from '../blocks/transport.ts';
import type { FilesystemConfig } from '../config.ts';
import type { AgentLog } from '../log.ts';
import type { BlockMap } from './block-map.ts';
import type { ClusterDb } from './cluster-db.ts';
import type { Cluster } from './cluster.ts';
import { Fsck } from './fsck.ts';
import { ReplicationHealth } from './replication-health.ts';
import { Replication } from './replication.ts';
import { SafeMode } from './safe-mode.ts';

export interface DurabilityDeps {
  db: ClusterDb;
  registry: Cluster;
  transport: BlockTransport;
  blockMap: BlockMap;
  settings: FilesystemConfig;
  log: AgentLog;
}

/** The running durability services, and how to stop them. */
export interface Durability {
  services: FsDurabilityServices;
  replication: Replication;
  safeMode: SafeMode;
  stop(): Promise<void>;
}

/** Enters safe mode and starts the replication passes (which wait for safe mode to end). */
export function startDurability(deps: DurabilityDeps): Durability {
  const { db, registry, transport, blockMap, settings, log } = deps;
  const workers = (): string[] => transport.workers().map((host) => host.hostId);
  const safeMode = new SafeMode({ threshold: settings.safeModeThreshold, maxMs: settings.safeModeMaxMs }, { store: db.replication, workers, log });
  const replication = new Replication(
    { intervalMs: settings.replicationIntervalMs, concurrency: settings.replicationConcurrency },
    { store: db.replication, namespace: db.namespace, transport, blockMap, safeMode, log },
  );
  blockMap.watch({ reported: (hostId) => safeMode.hostReported(hostId), replicasChanged: () => replication.soon() });
  // Workers that have not reported since this head started (or since they were dead) are asked to, in their heartbeat reply.
  registry.blockReportWanted = (hostId) => !safeMode.hasReported(hostId);
  const unsubscribe = registry.subscribe((event) => replication.hostEvent(event));
  safeMode.start();
  replication.start();
  const services: FsDurabilityServices = {
    fsck: new Fsck({ store: db.replication, namespace: db.namespace, projects: db.projects, transport, safeMode }),
    safeMode,
    health: new ReplicationHealth({ store: db.replication, transport }),
  };
  return {
    services,
    replication,
    safeMode,
    stop: async () => {
      unsubscribe();
      safeMode.stop();
      await replication.stop();
    },
  };
}
