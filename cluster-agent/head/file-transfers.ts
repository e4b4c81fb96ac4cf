/**
 * File content through the head: uploads split into blocks and written down replica
 * pipelines, downloads streamed block by block from the first replica that works.
 *
 * **Upload.** The request body is read chunk by chunk and cut at block boundaries; each
 * block gets `replication` distinct healthy workers (this host first when it is one, the
 * others shuffled), recorded before a byte is sent, and its bytes go down the pipeline
 * as they arrive — never more than a chunk is held. When a pipeline acknowledges, every
 * replica's size and SHA-256 must equal what the head sent. The file becomes visible
 * only when the last block is acknowledged; any failure (a host, a full disk, the client
 * going away) aborts the pipeline in flight, drops the file, and leaves its blocks to
 * the reclaimer.
 *
 * **Download.** Blocks are read in order from their finalized replicas: this host's
 * first, then healthy hosts, then the rest. A replica that fails — unreachable, missing,
 * or corrupt (each host verifies before serving) — is passed over, and a transfer that
 * breaks midway resumes at the same byte on the next replica. The head hashes every
 * block as it passes and ends the response if the digest is not the one recorded, so a
 * client never gets wrong bytes as a complete file. The first block is opened before the
 * response starts, so a file with no readable replica is a plain 503.
 */
import { createHash, randomBytes, randomInt, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { PipelineTarget } from '../../protocol/agent-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { type BlockLocations, type FileStat, type PutQuery } from '../../protocol/fs.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import type { User } from '../../protocol/projects.ts';
import type { BlockSink } from '../blocks/pipeline.ts';
import type { BlockTransport } from '../blocks/transport.ts';
import type { AgentLog } from '../log.ts';
import type { BlockMap } from './block-map.ts';
import type { FileBlock } from './namespace-store.ts';
import type { Namespace, Upload } from './namespace.ts';

export interface TransferSettings {
  /** Block size of uploads that do not ask for one. */
  blockSizeBytes: number;
  /** Replication of uploads that do not ask: `min(this, healthy workers)`. */
  replication: number;
}

/** A file opened for reading: its stat and its bytes. */
export interface Download {
  stat: FileStat;
  stream: Readable;
}

interface OpenBlock {
  index: number;
  blockId: string;
  targets: PipelineTarget[];
  sink: BlockSink;
  hash: Hash;
  size: number;
}

/** What reading one block has tried so far. */
interface ReadAttempts {
  tried: Set<string>;
  problems: string[];
}

interface OpenReplica {
  hostId: string;
  stream: Readable;
}

export class FileTransfers {
  private readonly namespace: Namespace;
  private readonly transport: BlockTransport;
  private readonly blockMap: BlockMap;
  private readonly settings: TransferSettings;
  private readonly log: AgentLog;

  constructor(namespace: Namespace, transport: BlockTransport, blockMap: BlockMap, settings: TransferSettings, log: AgentLog) {
    this.namespace = namespace;
    this.transport = transport;
    this.blockMap = blockMap;
    this.settings = settings;
    this.log = log;
  }

  /**
   * Stores `body` as the file `query.path` (data.write) and returns it once complete.
   * `contentLength`, when the client sent one, lets workers check for room up front.
   */
  async upload(caller: User, query: PutQuery, body: AsyncIterable<Buffer>, contentLength: number | undefined): Promise<FileStat> {
    const blockSize = query.blockSize ?? this.settings.blockSizeBytes;
    const upload = this.namespace.beginUpload(caller, query.path, {
      overwrite: query.overwrite ?? false,
      blockSize,
      replication: () => this.replicationFor(query.replication),
    });
    let current: OpenBlock | undefined;
    let total = 0;
    let index = 0;
    try {
      for await (const chunk of body) {
        let offset = 0;
        while (offset < chunk.length) {
          current ??= await this.openBlock(upload, index, contentLength === undefined ? blockSize : Math.min(blockSize, contentLength - total));
          const piece = chunk.subarray(offset, offset + blockSize - current.size);
          await current.sink.write(piece);
          current.hash.update(piece);
          current.size += piece.length;
          offset += piece.length;
          total += piece.length;
          if (current.size === blockSize) {
            await this.closeBlock(upload, current);
            current = undefined;
            index += 1;
          }
        }
      }
      if (current !== undefined) await this.closeBlock(upload, current);
      current = undefined;
      const stat = this.namespace.completeUpload(upload, total);
      this.log.info('file uploaded', { path: stat.path, bytes: total, blocks: index + (total % blockSize === 0 ? 0 : 1), replication: upload.replication });
      return stat;
    } catch (err) {
      await current?.sink.abort();
      this.namespace.abandonUpload(upload);
      this.blockMap.reclaimSoon();
      this.log.warn('upload failed; nothing of it kept', { path: upload.path, bytesReceived: total, problem: (err as Error).message });
      throw err;
    }
  }

  /** Opens the file at `path` for reading (data.read). */
  async download(caller: User, path: string): Promise<Download> {
    const plan = this.namespace.readPlan(caller, path);
    const [first] = plan.blocks;
    if (first === undefined) return { stat: plan.stat, stream: Readable.from([]) };
    const attempts: ReadAttempts = { tried: new Set(), problems: [] };
    const opened = await this.openReplica(path, first, 0, attempts);
    const stream = Readable.from(this.blockBytes(path, plan.blocks, opened, attempts));
    // A response abandoned before its first byte never starts the generator: let go of the replica here.
    stream.once('close', () => opened.stream.destroy());
    return { stat: plan.stat, stream };
  }

  /** Where the blocks of the file at `path` are (data.read), replicas in reading order. */
  blockLocations(caller: User, path: string): BlockLocations {
    const plan = this.namespace.readPlan(caller, path);
    const states = this.hostStates();
    return {
      path: plan.stat.path,
      blocks: plan.blocks.map((block) => ({
        index: block.index,
        blockId: block.id,
        size: block.size,
        sha256: block.sha256 ?? '',
        replicas: [
          ...this.readOrder(block, states).map((target) => ({ hostId: target.hostId, state: 'finalized' as const })),
          ...block.replicas.filter((r) => r.state !== 'finalized' || !states.has(r.hostId)).map((r) => ({ hostId: r.hostId, state: r.state })),
        ],
      })),
    };
  }

  // Uploads.

  private replicationFor(requested: number | undefined): number {
    const healthy = this.healthyWorkers().length;
    const replication = requested ?? Math.min(this.settings.replication, healthy);
    if (healthy === 0 || replication > healthy) {
      throw new HopsError(
        'NOT_ENOUGH_WORKERS',
        `This upload needs ${Math.max(replication, 1)} healthy workers for its replicas, and the cluster has ${healthy}.`,
      );
    }
    return replication;
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

  private async openBlock(upload: Upload, index: number, maxSize: number): Promise<OpenBlock> {
    const targets = this.placement(upload.replication);
    const blockId = randomBytes(16).toString('hex');
    this.namespace.addBlock(upload, index, blockId, targets.map((t) => t.hostId));
    const sink = await this.transport.openWrite(targets, blockId, Math.max(1, maxSize));
    return { index, blockId, targets, sink, hash: createHash('sha256'), size: 0 };
  }

  /** Ends a block's pipeline and checks every replica against what was sent. */
  private async closeBlock(upload: Upload, block: OpenBlock): Promise<void> {
    const ack = await block.sink.finish();
    const sha256 = block.hash.digest('hex');
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
    this.namespace.blockWritten(upload, block.blockId, block.size, sha256, block.targets.map((t) => t.hostId));
  }

  // Downloads.

  private async *blockBytes(path: string, blocks: FileBlock[], first: OpenReplica, firstAttempts: ReadAttempts): AsyncGenerator<Buffer> {
    for (const block of blocks) {
      const attempts = block === blocks[0] ? firstAttempts : { tried: new Set<string>(), problems: [] };
      let replica = block === blocks[0] ? first : await this.openReplica(path, block, 0, attempts);
      const hash = createHash('sha256');
      let sent = 0;
      for (;;) {
        try {
          for await (const chunk of replica.stream as AsyncIterable<Buffer>) {
            if (sent + chunk.length > block.size) throw new Error(`it sent more than the block's ${block.size} bytes`);
            hash.update(chunk);
            sent += chunk.length;
            yield chunk;
          }
          if (sent !== block.size) throw new Error(`it ended after ${sent} of ${block.size} bytes`);
          break;
        } catch (err) {
          replica.stream.destroy();
          this.readFailed(replica.hostId, block, err, attempts);
          replica = await this.openReplica(path, block, sent, attempts);
        }
      }
      const digest = hash.digest('hex');
      if (digest !== block.sha256) {
        throw new HopsError('BLOCK_CORRUPT', `Block ${block.index} of ${path} read as SHA-256 ${digest}, not the ${block.sha256 ?? '?'} it was written with.`);
      }
    }
  }

  /** Opens the first replica of `block` not tried yet, from `offset`; `DATA_UNAVAILABLE` when none opens. */
  private async openReplica(path: string, block: FileBlock, offset: number, attempts: ReadAttempts): Promise<OpenReplica> {
    for (const target of this.readOrder(block, this.hostStates())) {
      if (attempts.tried.has(target.hostId)) continue;
      try {
        return { hostId: target.hostId, stream: await this.transport.openRead(target, block.id, block.sha256 ?? '', offset) };
      } catch (err) {
        this.readFailed(target.hostId, block, err, attempts);
      }
    }
    const why = attempts.problems.length === 0 ? 'it has no finalized replica' : attempts.problems.join('; ');
    throw new HopsError('DATA_UNAVAILABLE', `No replica of block ${block.index} of ${path} could be read: ${why}.`);
  }

  /** Notes a replica that failed, and tells the block map what it learned. */
  private readFailed(hostId: string, block: FileBlock, err: unknown, attempts: ReadAttempts): void {
    attempts.tried.add(hostId);
    const message = err instanceof Error ? err.message : String(err);
    attempts.problems.push(`${hostId}: ${message}`);
    const code = err instanceof HopsError ? err.code : undefined;
    if (code === 'BLOCK_CORRUPT') this.blockMap.markCorrupt(hostId, block.id, message);
    else if (code === 'BLOCK_NOT_FOUND') this.blockMap.replicaMissing(hostId, block.id);
    this.log.warn('reading a replica failed; trying another', { hostId, blockId: block.id, problem: message });
  }

  private hostStates(): Map<string, ClusterHost> {
    return new Map(this.transport.workers().map((host) => [host.hostId, host]));
  }

  /** Finalized replicas on registered hosts: this host's, then healthy or draining hosts', then the rest, each in pipeline order. */
  private readOrder(block: FileBlock, hosts: Map<string, ClusterHost>): PipelineTarget[] {
    const rank = (hostId: string): number => {
      const host = hosts.get(hostId);
      if (host === undefined || host.state === 'unreachable') return 2;
      return this.transport.isLocal(hostId) ? 0 : 1;
    };
    return block.replicas
      .filter((replica) => replica.state === 'finalized' && hosts.has(replica.hostId))
      .sort((a, b) => rank(a.hostId) - rank(b.hostId) || a.ord - b.ord)
      .map((replica) => ({ hostId: replica.hostId, address: hosts.get(replica.hostId)?.address ?? '' }));
  }
}

