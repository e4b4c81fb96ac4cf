/**
 * Writing one block of an upload down its replica pipeline: `replication` distinct
 * healthy workers (this host first when it is one, the others shuffled; draining hosts
 * get none), recorded with their replicas before a byte is sent; bytes streamed as they
 * arrive; and, once the pipeline acknowledged, every replica's size and SHA-256 checked
 * against what the head sent (as its own block store hashed it, when it holds the first
 * replica). Committing the block (and the upload's progress) is the
 * caller's, in one transaction; a block that is not committed is dropped, its replicas
 * left to the reclaimer.
 */
import { createHash, randomBytes, randomInt, type Hash } from 'node:crypto';
import type { PipelineTarget } from '../../protocol/agent-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import type { BlockSink } from '../blocks/pipeline.ts';
import type { BlockTransport } from '../blocks/transport.ts';
import type { Namespace, Upload } from './namespace.ts';
import type { UploadSessionStore } from './upload-sessions-store.ts';

/** A block whose pipeline is open. */
export interface OpenBlock {
  index: number;
  blockId: string;
  targets: PipelineTarget[];
  sink: BlockSink;
  /**
   * The digest of what the head sent; none when the head holds the first replica, whose
   * block store hashes the very bytes sent (hashing them twice in one process cost a
   * fifth of an upload's CPU), and whose digest the other replicas are checked against.
   */
  hash: Hash | undefined;
  size: number;
}

/** A block every replica acknowledged, ready to be committed. */
export interface WrittenBlock {
  blockId: string;
  size: number;
  sha256: string;
  hostIds: string[];
}

export class BlockWriter {
  private readonly namespace: Namespace;
  private readonly transport: BlockTransport;
  private readonly store: UploadSessionStore;
  /** Replication of uploads that do not ask: `min(this, healthy workers)`. */
  private readonly defaultReplication: number;

  constructor(namespace: Namespace, transport: BlockTransport, store: UploadSessionStore, defaultReplication: number) {
    this.namespace = namespace;
    this.transport = transport;
    this.store = store;
    this.defaultReplication = defaultReplication;
  }

  /** The replication an upload gets: what it asked for, or the default capped by healthy workers. */
  replicationFor(requested: number | undefined): number {
    const healthy = this.healthyWorkers().length;
    const replication = requested ?? Math.min(this.defaultReplication, healthy);
    if (healthy === 0 || replication > healthy) {
      throw new HopsError(
        'NOT_ENOUGH_WORKERS',
        `This upload needs ${Math.max(replication, 1)} healthy workers for its replicas, and the cluster has ${healthy}.`,
      );
    }
    return replication;
  }

  /** Places block `index` of `upload`, records it, and opens its pipeline for at most `maxSize` bytes. */
  async open(upload: Upload, index: number, maxSize: number): Promise<OpenBlock> {
    const targets = this.placement(upload.replication);
    const blockId = randomBytes(16).toString('hex');
    // Shared with concurrent uploads' changes; a block the head forgets in a crash is unknown to it, so workers' reports delete it.
    await this.store.together(() => this.namespace.addBlock(upload, index, blockId, targets.map((t) => t.hostId)));
    try {
      const sink = await this.transport.openWrite(targets, blockId, Math.max(1, maxSize));
      const hash = this.transport.isLocal(targets[0]!.hostId) ? undefined : createHash('sha256');
      return { index, blockId, targets, sink, hash, size: 0 };
    } catch (err) {
      this.store.dropBlock(blockId);
      throw err;
    }
  }

  /** Sends `piece` down the block's pipeline. */
  async write(block: OpenBlock, piece: Buffer): Promise<void> {
    await block.sink.write(piece);
    block.hash?.update(piece);
    block.size += piece.length;
  }

  /** Ends the block's pipeline and checks every replica against what was sent. */
  async finish(block: OpenBlock): Promise<WrittenBlock> {
    const ack = await block.sink.finish();
    const sha256 = block.hash?.digest('hex') ?? ack.replicas[0]?.sha256 ?? '';
    const expected = block.targets.map((t) => t.hostId).join(',');
    const got = ack.replicas.map((r) => r.hostId).join(',');
    if (got !== expected) throw new HopsError('BLOCK_WRITE_FAILED', `Block ${block.index} was acknowledged by ${got || 'no host'}, not by its pipeline ${expected}.`);
    const bad = ack.replicas.find((r) => r.size !== block.size || r.sha256 !== sha256);
    if (bad !== undefined) {
      throw new HopsError(
        'BLOCK_WRITE_FAILED',
        `Host ${bad.hostId} wrote block ${block.index} as ${bad.size} bytes with SHA-256 ${bad.sha256}; the head sent ${block.size} bytes with ${sha256}.`,
      );
    }
    return { blockId: block.blockId, size: block.size, sha256, hostIds: block.targets.map((t) => t.hostId) };
  }

  /** Gives up a block that will not be committed: its pipeline is aborted and its replicas reclaimed. */
  async drop(block: OpenBlock): Promise<void> {
    await block.sink.abort();
    this.store.dropBlock(block.blockId);
  }

  private healthyWorkers(): ClusterHost[] {
    return this.transport.workers().filter((host) => host.state === 'healthy');
  }

  /** `replication` distinct healthy workers, this host first when it is one. */
  private placement(replication: number): PipelineTarget[] {
    const healthy = this.healthyWorkers();
    const local = healthy.filter((host) => this.transport.isLocal(host.hostId));
    const others = healthy.filter((host) => !this.transport.isLocal(host.hostId));
    for (let i = others.length - 1; i > 0; i -= 1) {
      const j = randomInt(i + 1);
      [others[i], others[j]] = [others[j] as ClusterHost, others[i] as ClusterHost];
    }
    const chosen = [...local, ...others].slice(0, replication);
    if (chosen.length < replication) {
      throw new HopsError('NOT_ENOUGH_WORKERS', `A block needs ${replication} healthy workers for its replicas, and the cluster has ${healthy.length} now.`);
    }
    return chosen.map((host) => ({ hostId: host.hostId, address: host.address }));
  }
}
