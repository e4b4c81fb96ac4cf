/**
 * The head's side of where blocks are: what workers report, which replicas are corrupt
 * or missing, and deleting the replicas of blocks whose file is gone.
 *
 * - **Block reports** (at registration and periodically): a reported block the head does
 *   not know, or whose file was deleted, is sent back to be deleted; a whole block the
 *   head did not know this host held is recorded; a finalized replica the host no
 *   longer reports (and that is older than a grace period, so a block written during
 *   the scan is not mistaken) is forgotten.
 * - **Corrupt replicas**, reported by the worker that found one or seen by the head on a
 *   read, are marked `corrupt` and no longer read; `replication.ts` replaces them.
 * - **Reclaiming**: removing a file (or abandoning an upload) makes its blocks orphans;
 *   a background pass deletes their replicas on the hosts that are reachable, then
 *   forgets the blocks. Hosts that are down are tried again on later passes, and block
 *   reports catch whatever is left.
 */
import type { BlockReportReply, BlockReportRequest } from '../../protocol/agent-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { BlockTransport } from '../blocks/transport.ts';
import type { AgentLog } from '../log.ts';
import type { NamespaceStore } from './namespace-store.ts';

export interface BlockMapSettings {
  /** How often orphaned replicas are looked for (a removal also starts a pass at once). */
  reclaimIntervalMs: number;
  /** A finalized replica missing from a report is forgotten only once older than this. */
  missingGraceMs: number;
}

/** Who hears what the block map learns: safe mode of each report, re-replication of each replica lost. */
export interface BlockMapWatcher {
  /** A host's full report was taken in. */
  reported(hostId: string): void;
  /** A replica was found corrupt or missing (or a host's report changed what it holds). */
  replicasChanged(): void;
}

/** Most replicas deleted in one pass, and most deletions sent back in one report reply. */
const reclaimBatch = 10_000;

export class BlockMap {
  private readonly store: NamespaceStore;
  private readonly transport: BlockTransport;
  private readonly log: AgentLog;
  private readonly settings: BlockMapSettings;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private watcher: BlockMapWatcher | undefined;

  constructor(store: NamespaceStore, transport: BlockTransport, log: AgentLog, settings: BlockMapSettings, now: () => number = Date.now) {
    this.store = store;
    this.transport = transport;
    this.log = log;
    this.settings = settings;
    this.now = now;
  }

  /**
   * Drops files left `writing` by a previous head (their uploads died with it; their
   * blocks become orphans), then reclaims orphans now and every interval.
   */
  start(): void {
    const dropped = this.store.transaction(() => this.store.deleteWritingFiles());
    if (dropped > 0) this.log.warn('dropped files whose upload the previous head did not finish', { files: dropped });
    this.timer = setInterval(() => this.reclaimSoon(), this.settings.reclaimIntervalMs);
    this.timer.unref();
    this.reclaimSoon();
  }

  /** Tells `watcher` of every report taken in and every replica lost. */
  watch(watcher: BlockMapWatcher): void {
    this.watcher = watcher;
  }

  /** Stops the background passes and waits for one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Starts a reclaim pass now, or right after the one running. */
  reclaimSoon(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.reclaim()
      .then(() => undefined)
      .catch((err: unknown) => this.log.error('reclaiming blocks failed', { err }))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.reclaimSoon();
        }
      });
  }

  /** Resolves once no reclaim pass is running or queued (tests). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** One pass: deletes orphaned replicas on reachable hosts, then forgets bare orphans. Returns replicas deleted. */
  async reclaim(): Promise<number> {
    const byHost = new Map<string, string[]>();
    for (const { blockId, hostId } of this.store.orphanReplicas(reclaimBatch)) {
      byHost.set(hostId, [...(byHost.get(hostId) ?? []), blockId]);
    }
    const states = new Map(this.transport.workers().map((host) => [host.hostId, host.state]));
    let deleted = 0;
    for (const [hostId, blockIds] of byHost) {
      if (this.stopped) break;
      // An unreachable host keeps its orphans until it is back (or reports them).
      if (states.get(hostId) === 'unreachable') continue;
      try {
        await this.transport.deleteBlocks(hostId, blockIds);
      } catch (err) {
        this.log.warn('deleting orphaned blocks failed; trying again later', { hostId, blocks: blockIds.length, problem: (err as Error).message });
        continue;
      }
      this.store.transaction(() => {
        for (const blockId of blockIds) this.store.deleteReplica(blockId, hostId);
      });
      deleted += blockIds.length;
    }
    const forgotten = this.store.transaction(() => this.store.deleteBareOrphans());
    if (deleted > 0 || forgotten > 0) this.log.info('orphaned blocks reclaimed', { replicas: deleted, blocks: forgotten });
    return deleted;
  }

  /** Takes in a worker's full block report; replies with the blocks it should delete. */
  report(request: BlockReportRequest): BlockReportReply {
    const { hostId } = request;
    if (!this.transport.workers().some((host) => host.hostId === hostId)) {
      throw new HopsError('HOST_NOT_FOUND', `The head does not know host ${hostId}; it must register first.`, { hint: 'The agent registers again by itself.' });
    }
    const receivedAtMs = this.now();
    const result = this.store.transaction(() => {
      const unwanted: string[] = [];
      const reported = new Set<string>();
      let found = 0;
      let corrupt = 0;
      for (const entry of request.blocks) {
        reported.add(entry.id);
        const block = this.store.block(entry.id);
        if (block === undefined || block.inodeId === null) {
          unwanted.push(entry.id);
          if (block !== undefined) this.store.deleteReplica(entry.id, hostId);
          continue;
        }
        // Still being written: its pipeline decides.
        if (block.sha256 === null) continue;
        const replica = this.store.replica(entry.id, hostId);
        const ord = replica?.ord ?? this.store.nextReplicaOrd(entry.id);
        if (entry.size !== block.size) {
          if (replica?.state !== 'corrupt') corrupt += 1;
          this.store.upsertReplica({ blockId: entry.id, hostId, state: 'corrupt', ord, atMs: receivedAtMs });
        } else if (replica === undefined || replica.state === 'writing') {
          if (replica === undefined) found += 1;
          this.store.upsertReplica({ blockId: entry.id, hostId, state: 'finalized', ord, atMs: receivedAtMs });
        }
      }
      let missing = 0;
      for (const blockId of this.store.finalizedReplicasOf(hostId, receivedAtMs - this.settings.missingGraceMs)) {
        if (reported.has(blockId)) continue;
        this.store.deleteReplica(blockId, hostId);
        missing += 1;
      }
      return { unwanted, found, corrupt, missing };
    });
    const summary = { hostId, blocks: request.blocks.length, unwanted: result.unwanted.length, found: result.found, corrupt: result.corrupt, missing: result.missing };
    if (result.missing > 0 || result.corrupt > 0) this.log.warn('block report: replicas lost on a host', summary);
    else this.log.info('block report', summary);
    this.watcher?.reported(hostId);
    if (result.missing > 0 || result.corrupt > 0 || result.found > 0) this.watcher?.replicasChanged();
    return { delete: result.unwanted.slice(0, reclaimBatch) };
  }

  /** Marks a replica corrupt (reported by its host, or seen on a read); it is no longer read. */
  markCorrupt(hostId: string, blockId: string, reason: string): void {
    const replica = this.store.replica(blockId, hostId);
    if (replica === undefined || replica.state === 'corrupt') return;
    this.store.upsertReplica({ blockId, hostId, state: 'corrupt', ord: replica.ord, atMs: this.now() });
    this.log.warn('replica marked corrupt', { hostId, blockId, reason });
    this.watcher?.replicasChanged();
  }

  /** Forgets a replica its host says it does not have. */
  replicaMissing(hostId: string, blockId: string): void {
    if (this.store.replica(blockId, hostId) === undefined) return;
    this.store.deleteReplica(blockId, hostId);
    this.log.warn('replica missing on its host; forgotten', { hostId, blockId });
    this.watcher?.replicasChanged();
  }
}
