/**
 * Keeping every block at its file's replication, as HDFS's replication monitor does:
 *
 * - **Re-replication.** A block with fewer finalized replicas than asked, counting only
 *   hosts that are not dead and whose block report the head holds, gets new replicas:
 *   the head reads a good replica (a reachable host's, its own first) and streams it to
 *   a healthy worker that has none (not draining; the least loaded first), which writes
 *   it as a one-host pipeline; the SHA-256 is checked as the bytes pass and against the
 *   target's acknowledgement before the replica is recorded. Blocks with one replica
 *   left go before those with two, older before newer; at most `concurrency` copies run
 *   at once; a block whose copy failed waits (1 s, doubling up to a minute) before the
 *   next try. Never more replicas than asked: only the missing ones are made.
 * - **Repair.** A corrupt replica (found by a read or a report) no longer counts, so its
 *   block is re-replicated like any other; once the block has its replicas again, the
 *   corrupt one is deleted on its host and forgotten. When the only host that could take
 *   a new copy is the one holding the corrupt replica, that replica is deleted first.
 * - **Excess.** A block with more finalized replicas on reachable hosts than asked (a
 *   dead host came back after its blocks were copied) loses the extra ones: draining
 *   hosts' first, then those of the hosts holding most.
 *
 * Passes run every `intervalMs`, and at once when a host is declared dead, comes back or
 * is forgotten, and when a replica is found corrupt or missing; never in safe mode.
 */
import { createHash } from 'node:crypto';
import type { AgentEvent, PipelineTarget } from '../../protocol/agent-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import type { BlockTransport } from '../blocks/transport.ts';
import type { AgentLog } from '../log.ts';
import type { BlockMap } from './block-map.ts';
import type { NamespaceStore } from './namespace-store.ts';
import type { ReplicationStore, TrackedBlock } from './replication-store.ts';
import type { SafeMode } from './safe-mode.ts';

export interface ReplicationSettings {
  /** How often a pass looks for work without being asked. */
  intervalMs: number;
  /** Copies at once. */
  concurrency: number;
}

export interface ReplicationDeps {
  store: ReplicationStore;
  namespace: Pick<NamespaceStore, 'block' | 'upsertReplica' | 'nextReplicaOrd' | 'deleteReplica' | 'transaction'>;
  transport: Pick<BlockTransport, 'workers' | 'isLocal' | 'openRead' | 'openWrite' | 'deleteBlocks'>;
  blockMap: Pick<BlockMap, 'markCorrupt' | 'replicaMissing'>;
  safeMode: Pick<SafeMode, 'active' | 'hasReported' | 'forgetReport' | 'onLeave'>;
  log: AgentLog;
  now?: () => number;
}

/** What one pass did. */
export interface ReplicationPass {
  copied: number;
  failed: number;
  corruptDeleted: number;
  excessDeleted: number;
}

/** Most blocks looked at per kind of work in one pass; the next pass takes the rest. */
const passBatch = 10_000;
const firstRetryMs = 1000;
const maxRetryMs = 60_000;

/** The hosts as one pass sees them. */
interface HostView {
  byId: Map<string, ClusterHost>;
  /** Not dead, and reported: their finalized replicas count. */
  counted: Set<string>;
  /** Counted and reachable now: replicas may be read from them, or deleted on them. */
  reachable: Set<string>;
  /** Reachable, healthy (not draining) and reported: new replicas may go there. */
  targets: ClusterHost[];
}

export class Replication {
  private readonly settings: ReplicationSettings;
  private readonly deps: ReplicationDeps;
  private readonly now: () => number;
  private readonly retries = new Map<string, { failures: number; atMs: number }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(settings: ReplicationSettings, deps: ReplicationDeps) {
    this.settings = settings;
    this.deps = deps;
    this.now = deps.now ?? Date.now;
  }

  /** Starts the periodic passes; the first runs when safe mode ends. */
  start(): void {
    this.timer = setInterval(() => this.soon(), this.settings.intervalMs);
    this.timer.unref();
    this.deps.safeMode.onLeave(() => this.soon());
  }

  /** Stops the passes and waits for one in progress (copies in flight are cut by the transport's close). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Reacts to the registry's events: a host declared dead, back, or forgotten. */
  hostEvent(event: AgentEvent): void {
    if (event.type === 'host.removed') {
      this.deps.safeMode.forgetReport(event.hostId);
      this.soon();
    } else if (event.type === 'host.state') {
      // A dead host's blocks are not trusted again until it reports them.
      if (event.host.deadSinceMs !== undefined) this.deps.safeMode.forgetReport(event.host.hostId);
      this.soon();
    }
  }

  /** Starts a pass now, or right after the one running. */
  soon(): void {
    if (this.stopped || this.deps.safeMode.active) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .then(() => undefined)
      .catch((err: unknown) => this.deps.log.error('replication pass failed', { err }))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.soon();
        }
      });
  }

  /** Resolves once no pass is running or queued (tests). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** One pass: restores short blocks, deletes corrupt replicas no longer needed, then excess ones. */
  async pass(): Promise<ReplicationPass> {
    const done: ReplicationPass = { copied: 0, failed: 0, corruptDeleted: 0, excessDeleted: 0 };
    if (this.deps.safeMode.active) return done;
    const hosts = this.hostView();
    const nowMs = this.now();
    const short = this.deps.store
      .underReplicated([...hosts.counted], passBatch)
      .filter((block) => (this.retries.get(block.blockId)?.atMs ?? 0) <= nowMs);
    const queue = [...short];
    const copyNext = async (): Promise<void> => {
      for (let block = queue.shift(); block !== undefined && !this.stopped; block = queue.shift()) {
        const result = await this.restore(block, hosts);
        done.copied += result.copied;
        done.failed += result.failed;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.settings.concurrency, queue.length) }, copyNext));
    if (!this.stopped) done.corruptDeleted = await this.dropRepairedCorrupt(this.hostView());
    if (!this.stopped) done.excessDeleted = await this.dropExcess(this.hostView());
    if (done.copied + done.failed + done.corruptDeleted + done.excessDeleted > 0) this.deps.log.info('replication pass', { blocksShort: short.length, ...done });
    return done;
  }

  /** Makes the replicas `block` lacks; returns how many copies were made and failed. */
  private async restore(block: TrackedBlock, hosts: HostView): Promise<{ copied: number; failed: number }> {
    const needed = block.replication - block.live;
    const sources = block.replicas
      .filter((r) => r.state === 'finalized' && hosts.reachable.has(r.hostId))
      .sort((a, b) => Number(this.deps.transport.isLocal(b.hostId)) - Number(this.deps.transport.isLocal(a.hostId)) || a.ord - b.ord)
      .map((r) => this.target(hosts, r.hostId));
    // No good replica on a reachable host: fsck reports the block missing; nothing to copy from.
    if (sources.length === 0 || needed <= 0) return { copied: 0, failed: 0 };
    const holders = new Set(block.replicas.map((r) => r.hostId));
    let targets = hosts.targets.filter((host) => !holders.has(host.hostId));
    if (targets.length < needed) {
      // The hosts left may hold a corrupt copy: that copy is worthless while good ones exist, so it makes room.
      for (const corrupt of block.replicas.filter((r) => r.state === 'corrupt' && hosts.targets.some((h) => h.hostId === r.hostId))) {
        if (!(await this.deleteReplica(block.blockId, corrupt.hostId, 'corrupt replica deleted to make room for a good copy'))) continue;
        targets = [...targets, ...hosts.targets.filter((h) => h.hostId === corrupt.hostId)];
      }
    }
    let copied = 0;
    let failed = 0;
    for (const target of targets.slice(0, needed)) {
      try {
        await this.copy(block, sources, { hostId: target.hostId, address: target.address });
        copied += 1;
      } catch (err) {
        failed += 1;
        this.failedOnce(block.blockId, target.hostId, err);
      }
    }
    if (copied > 0 && failed === 0) this.retries.delete(block.blockId);
    if (targets.length < needed) {
      this.deps.log.warn('a block stays under-replicated: too few healthy workers without it', { blockId: block.blockId, replication: block.replication, live: block.live + copied, healthyWorkers: hosts.targets.length });
    }
    return { copied, failed };
  }

  /** Streams the block from the first source that reads to `target`, verifying it, and records the new replica. */
  private async copy(block: TrackedBlock, sources: PipelineTarget[], target: PipelineTarget): Promise<void> {
    const problems: string[] = [];
    for (const source of sources) {
      let stream;
      try {
        stream = await this.deps.transport.openRead(source, block.blockId, block.sha256, 0);
      } catch (err) {
        this.readFailed(source.hostId, block.blockId, err);
        problems.push(`${source.hostId}: ${(err as Error).message}`);
        continue;
      }
      const sink = await this.deps.transport.openWrite([target], block.blockId, Math.max(1, block.size)).catch((err: unknown) => {
        stream.destroy();
        throw err;
      });
      const hash = createHash('sha256');
      let size = 0;
      let targetFailure: unknown;
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          hash.update(chunk);
          size += chunk.length;
          await sink.write(chunk).catch((err: unknown) => {
            targetFailure = err;
            throw err;
          });
        }
      } catch (err) {
        stream.destroy();
        await sink.abort();
        // The target failing ends this copy; a source failing mid-block sends us to the next source.
        if (targetFailure !== undefined) throw targetFailure;
        this.readFailed(source.hostId, block.blockId, err);
        problems.push(`${source.hostId}: ${(err as Error).message}`);
        continue;
      }
      const digest = hash.digest('hex');
      if (size !== block.size || digest !== block.sha256) {
        await sink.abort();
        problems.push(`${source.hostId}: it sent ${size} bytes hashing to ${digest}, not ${block.size} bytes with ${block.sha256}`);
        continue;
      }
      const ack = await sink.finish();
      const written = ack.replicas[0];
      if (written?.sha256 !== block.sha256 || written.size !== block.size) {
        await this.deps.transport.deleteBlocks(target.hostId, [block.blockId]).catch(() => 0);
        throw new HopsError('BLOCK_WRITE_FAILED', `Host ${target.hostId} wrote block ${block.blockId} as ${written?.size ?? 0} bytes with SHA-256 ${written?.sha256 ?? '?'}; expected ${block.size} bytes with ${block.sha256}.`);
      }
      this.record(block.blockId, target.hostId);
      this.deps.log.info('block re-replicated', { blockId: block.blockId, from: source.hostId, to: target.hostId, bytes: size });
      return;
    }
    throw new HopsError('DATA_UNAVAILABLE', `No replica of block ${block.blockId} could be read to copy it: ${problems.join('; ') || 'none is reachable'}.`);
  }

  /** Records a replica just copied; a block deleted meanwhile has its new copy deleted too. */
  private record(blockId: string, hostId: string): void {
    const { namespace } = this.deps;
    const kept = namespace.transaction(() => {
      if (namespace.block(blockId) === undefined) return false;
      // An orphan (its file removed during the copy) is recorded too: the reclaimer then deletes it.
      namespace.upsertReplica({ blockId, hostId, state: 'finalized', ord: namespace.nextReplicaOrd(blockId), atMs: this.now() });
      return true;
    });
    if (!kept) void this.deps.transport.deleteBlocks(hostId, [blockId]).catch(() => 0);
  }

  /** Deletes corrupt replicas of blocks that have their good replicas again; returns how many. */
  private async dropRepairedCorrupt(hosts: HostView): Promise<number> {
    let deleted = 0;
    for (const block of this.deps.store.withCorruptReplicas([...hosts.counted], passBatch)) {
      if (block.live < block.replication) continue;
      for (const replica of block.replicas.filter((r) => r.state === 'corrupt')) {
        if (await this.deleteReplica(block.blockId, replica.hostId, 'corrupt replica replaced and deleted')) deleted += 1;
      }
    }
    return deleted;
  }

  /** Deletes replicas beyond a block's replication on reachable hosts; returns how many. */
  private async dropExcess(hosts: HostView): Promise<number> {
    let deleted = 0;
    const load = this.deps.store.replicasPerHost();
    for (const block of this.deps.store.overReplicated([...hosts.reachable], passBatch)) {
      const extra = block.replicas
        .filter((r) => r.state === 'finalized' && hosts.reachable.has(r.hostId))
        .sort((a, b) => {
          const draining = (id: string) => Number(hosts.byId.get(id)?.state === 'draining');
          return draining(b.hostId) - draining(a.hostId) || (load.get(b.hostId) ?? 0) - (load.get(a.hostId) ?? 0) || b.ord - a.ord;
        })
        .slice(0, block.live - block.replication);
      for (const replica of extra) {
        if (await this.deleteReplica(block.blockId, replica.hostId, 'excess replica deleted')) {
          deleted += 1;
          load.set(replica.hostId, (load.get(replica.hostId) ?? 1) - 1);
        }
      }
    }
    return deleted;
  }

  /** Deletes a replica on its host (when that host is still known) and forgets it; false when the host could not be reached. */
  private async deleteReplica(blockId: string, hostId: string, why: string): Promise<boolean> {
    const host = this.deps.transport.workers().find((h) => h.hostId === hostId);
    if (host !== undefined && host.deadSinceMs === undefined) {
      if (host.state === 'unreachable') return false;
      try {
        await this.deps.transport.deleteBlocks(hostId, [blockId]);
      } catch (err) {
        this.deps.log.warn('deleting a replica failed; trying again later', { hostId, blockId, problem: (err as Error).message });
        return false;
      }
    }
    this.deps.namespace.transaction(() => this.deps.namespace.deleteReplica(blockId, hostId));
    this.deps.log.info(why, { hostId, blockId });
    return true;
  }

  /** Tells the block map what a failed read of a source replica showed. */
  private readFailed(hostId: string, blockId: string, err: unknown): void {
    const code = err instanceof HopsError ? err.code : undefined;
    if (code === 'BLOCK_CORRUPT') this.deps.blockMap.markCorrupt(hostId, blockId, (err as Error).message);
    else if (code === 'BLOCK_NOT_FOUND') this.deps.blockMap.replicaMissing(hostId, blockId);
  }

  private failedOnce(blockId: string, targetHostId: string, err: unknown): void {
    const failures = (this.retries.get(blockId)?.failures ?? 0) + 1;
    const waitMs = Math.min(maxRetryMs, firstRetryMs * 2 ** (failures - 1));
    this.retries.set(blockId, { failures, atMs: this.now() + waitMs });
    this.deps.log.warn('copying a block failed; trying again later', { blockId, to: targetHostId, failures, retryInMs: waitMs, problem: (err as Error).message });
  }

  private hostView(): HostView {
    const workers = this.deps.transport.workers();
    const counted = workers.filter((h) => h.deadSinceMs === undefined && this.deps.safeMode.hasReported(h.hostId));
    const reachable = counted.filter((h) => h.state !== 'unreachable');
    const load = this.deps.store.replicasPerHost();
    return {
      byId: new Map(workers.map((h) => [h.hostId, h])),
      counted: new Set(counted.map((h) => h.hostId)),
      reachable: new Set(reachable.map((h) => h.hostId)),
      targets: reachable.filter((h) => h.state === 'healthy').sort((a, b) => (load.get(a.hostId) ?? 0) - (load.get(b.hostId) ?? 0)),
    };
  }

  private target(hosts: HostView, hostId: string): PipelineTarget {
    return { hostId, address: hosts.byId.get(hostId)?.address ?? '' };
  }
}
