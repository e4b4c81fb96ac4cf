/**
 * File content through the head: whole uploads in one request, and downloads — of a
 * whole file or of a range of it — streamed block by block from the first replica that
 * works.
 *
 * **Upload.** A plain upload is an upload session under the hood (`upload-sessions.ts`):
 * opened with the request's length when it has one (so the project's quota is checked
 * before any byte moves), fed the whole body as one append, then completed. Any failure
 * drops the session, so nothing of a broken plain upload is kept. An empty file needs no
 * session: it is made in one transaction.
 *
 * **Download.** Blocks are read in order from their finalized replicas: this host's
 * first, then healthy hosts, then the rest. A replica that fails — unreachable, missing,
 * or corrupt (each host checks every chunk against its checksum before serving it) — is passed
 * over, and a transfer that breaks midway resumes at the same byte on the next replica.
 * The head also hashes every block it sends whole and ends the response if the digest is
 * not the one recorded, so a client never gets wrong bytes as a complete file. A range
 * (`offset`, `length`) reads only the blocks it covers, from the byte it starts at. The
 * first block is opened before the response starts, so a file with no readable replica
 * is a plain 503.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { PipelineTarget } from '../../protocol/agent-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { showPath, type BlockLocations, type FileStat, type PutQuery } from '../../protocol/fs.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import type { User } from '../../protocol/projects.ts';
import { checkedReadBytes } from '../blocks/chunk-checksums.ts';
import { ReadBuffers } from '../blocks/read-buffers.ts';
import type { BlockTransport } from '../blocks/transport.ts';
import type { AgentLog } from '../log.ts';
import type { BlockMap } from './block-map.ts';
import type { FileBlock } from './namespace-store.ts';
import type { Namespace } from './namespace.ts';
import type { AppendBody, UploadSessions } from './upload-sessions.ts';

/** A file opened for reading: its stat, where the bytes start and how many there are. */
export interface Download {
  stat: FileStat;
  offset: number;
  length: number;
  stream: Readable;
  /**
   * Tells the download that a chunk of `stream` has been written out, so the buffer it
   * came in is read into again (blocks/read-buffers.ts). A reader that never calls it
   * only costs the process fresh buffers.
   */
  written: (chunk: Uint8Array) => void;
}

/** Which bytes of a file to read; the whole file by default. */
export interface ByteRange {
  offset?: number | undefined;
  length?: number | undefined;
}

/** The part of one block a range covers. */
interface BlockSpan {
  block: FileBlock;
  /** First byte within the block. */
  start: number;
  /** Byte after the last, within the block. */
  end: number;
}

/** What reading one block has tried so far. */
interface ReadAttempts {
  tried: Set<string>;
  problems: string[];
  /** The download's read buffers, for a replica on this host. */
  buffers: ReadBuffers;
}

interface OpenReplica {
  hostId: string;
  stream: Readable;
}

export class FileTransfers {
  private readonly namespace: Namespace;
  private readonly transport: BlockTransport;
  private readonly blockMap: BlockMap;
  private readonly sessions: UploadSessions;
  private readonly log: AgentLog;

  constructor(namespace: Namespace, transport: BlockTransport, blockMap: BlockMap, sessions: UploadSessions, log: AgentLog) {
    this.namespace = namespace;
    this.transport = transport;
    this.blockMap = blockMap;
    this.sessions = sessions;
    this.log = log;
  }

  /**
   * Stores `body` as the file `query.path` (data.write) and returns it once complete.
   * `contentLength`, when the client sent one, is the declared size: checked against the
   * quota up front, and by workers for room.
   */
  async upload(caller: User, query: PutQuery, body: Omit<AppendBody, 'offset' | 'final'>, contentLength: number | undefined): Promise<FileStat> {
    // An empty file needs no session: one transaction makes it.
    if (contentLength === 0) return this.sessions.createEmpty(caller, query);
    const session = await this.sessions.create(caller, {
      path: query.path,
      ...(contentLength === undefined ? {} : { size: contentLength }),
      ...(query.overwrite === undefined ? {} : { overwrite: query.overwrite }),
      ...(query.blockSize === undefined ? {} : { blockSize: query.blockSize }),
      ...(query.replication === undefined ? {} : { replication: query.replication }),
    });
    try {
      await this.sessions.append(caller, session.uploadId, { ...body, offset: 0, final: true });
      return await this.sessions.complete(caller, session.uploadId);
    } catch (err) {
      await this.sessions.abort(caller, session.uploadId).catch(() => undefined);
      this.log.warn('upload failed; nothing of it kept', { path: query.path, problem: (err as Error).message });
      throw err;
    }
  }

  /**
   * Opens the file at `path` for reading (data.read): all of it, or `range.length` bytes
   * from `range.offset` (to the end without a length). An offset past the end is 416
   * `RANGE_NOT_SATISFIABLE`; one at the end reads nothing.
   */
  async download(caller: User, path: string, range: ByteRange = {}): Promise<Download> {
    const plan = this.namespace.readPlan(caller, path);
    const size = plan.stat.size;
    const offset = range.offset ?? 0;
    if (offset > size) {
      throw new HopsError('RANGE_NOT_SATISFIABLE', `${showPath(path)} has ${size} bytes; offset ${offset} is past its end.`, { field: '/offset' });
    }
    const length = Math.min(range.length ?? size - offset, size - offset);
    const spans = blockSpans(plan.blocks, offset, offset + length);
    const [first] = spans;
    const buffers = new ReadBuffers(checkedReadBytes);
    const written = (chunk: Uint8Array) => buffers.written(chunk);
    if (first === undefined) return { stat: plan.stat, offset, length: 0, stream: Readable.from([]), written };
    const attempts: ReadAttempts = { tried: new Set(), problems: [], buffers };
    const opened = await this.openReplica(path, first.block, first.start, attempts);
    const stream = Readable.from(this.blockBytes(path, spans, opened, attempts));
    // A response abandoned before its first byte never starts the generator: let go of the replica here.
    stream.once('close', () => opened.stream.destroy());
    return { stat: plan.stat, offset, length, stream, written };
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

  // Downloads.

  /**
   * The bytes of `spans`, block after block. The block store serving a replica checks each
   * chunk before it serves it (or the whole block first, for one without chunk checksums),
   * and a replica that fails part-way is given up for another from the byte reached; a
   * block read whole from another host is also hashed and checked here, as its bytes
   * crossed the network.
   */
  private async *blockBytes(path: string, spans: BlockSpan[], first: OpenReplica, firstAttempts: ReadAttempts): AsyncGenerator<Buffer> {
    // The next block's replica is opened while this one's bytes go out: a replica without
    // chunk checksums is checked whole when opened, which takes a read of all of it.
    let next: { attempts: ReadAttempts; opened: Promise<OpenReplica> } | undefined;
    try {
      for (const [i, span] of spans.entries()) {
        const { block } = span;
        const ahead = next;
        next = undefined;
        const attempts = i === 0 ? firstAttempts : (ahead?.attempts ?? { tried: new Set<string>(), problems: [], buffers: firstAttempts.buffers });
        let replica = i === 0 ? first : await (ahead?.opened ?? this.openReplica(path, block, span.start, attempts));
        const following = spans[i + 1];
        if (following !== undefined) {
          const nextAttempts: ReadAttempts = { tried: new Set(), problems: [], buffers: firstAttempts.buffers };
          next = { attempts: nextAttempts, opened: this.openReplica(path, following.block, following.start, nextAttempts) };
          // Heard when awaited, at the next block; until then a failure must not count as unhandled.
          next.opened.catch(() => undefined);
        }
        const whole = span.start === 0 && span.end === block.size;
        const verify = whole && !this.transport.isLocal(replica.hostId);
        const hash = createHash('sha256');
        const wanted = span.end - span.start;
        let sent = 0;
        for (;;) {
          try {
            for await (const chunk of replica.stream as AsyncIterable<Buffer>) {
              const piece = chunk.length > wanted - sent ? chunk.subarray(0, wanted - sent) : chunk;
              if (whole && piece.length < chunk.length) throw new Error(`it sent more than the block's ${block.size} bytes`);
              if (verify) hash.update(piece);
              sent += piece.length;
              yield piece;
              if (sent === wanted) break;
            }
            if (sent !== wanted) throw new Error(`it ended after ${span.start + sent} of ${block.size} bytes`);
            replica.stream.destroy();
            break;
          } catch (err) {
            replica.stream.destroy();
            this.readFailed(replica.hostId, block, err, attempts);
            replica = await this.openReplica(path, block, span.start + sent, attempts);
          }
        }
        if (!verify) continue;
        const digest = hash.digest('hex');
        if (digest !== block.sha256) {
          throw new HopsError('BLOCK_CORRUPT', `Block ${block.index} of ${path} read as SHA-256 ${digest}, not the ${block.sha256 ?? '?'} it was written with.`);
        }
      }
    } finally {
      // A download stopped early lets go of the replica opened ahead.
      if (next !== undefined) void next.opened.then((replica) => replica.stream.destroy(), () => undefined);
    }
  }

  /** Opens the first replica of `block` not tried yet, from `offset`; `DATA_UNAVAILABLE` when none opens. */
  private async openReplica(path: string, block: FileBlock, offset: number, attempts: ReadAttempts): Promise<OpenReplica> {
    for (const target of this.readOrder(block, this.hostStates())) {
      if (attempts.tried.has(target.hostId)) continue;
      try {
        return { hostId: target.hostId, stream: await this.transport.openRead(target, block.id, block.sha256 ?? '', offset, attempts.buffers) };
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


/** The parts of `blocks` that bytes `[from, to)` of their file cover, in order. */
function blockSpans(blocks: FileBlock[], from: number, to: number): BlockSpan[] {
  const spans: BlockSpan[] = [];
  let blockStart = 0;
  for (const block of blocks) {
    const blockEnd = blockStart + block.size;
    if (blockEnd > from && blockStart < to) spans.push({ block, start: Math.max(0, from - blockStart), end: Math.min(block.size, to - blockStart) });
    blockStart = blockEnd;
    if (blockStart >= to) break;
  }
  return spans;
}
