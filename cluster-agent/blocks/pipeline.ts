/**
 * The HDFS write pipeline, one hop of it: a block's bytes are written to this host's
 * store and, at the same time, forwarded to the next host of the pipeline, which does
 * the same. Each chunk waits for both the local write and the forward (backpressure all
 * the way up), and the block is acknowledged only once this host and every host after it
 * wrote, fsync'd and checksummed it. Any failure on the way — here, downstream or
 * upstream — removes this host's copy and aborts the rest of the pipeline, so a block is
 * either acknowledged by all or kept by none (leftovers of a host that died meanwhile
 * are reclaimed through block reports).
 */
import type { BlockWriteAck, PipelineTarget } from '../../protocol/agent-api.ts';
import type { BlockStore } from './block-store.ts';
import { gatherWrites } from './gathered-writes.ts';
import type { PeerClient } from './peer-client.ts';

/** Where a block's bytes go: a pipeline, local or remote. */
export interface BlockSink {
  /** Resolves once the chunk is written here and accepted by the next host. */
  write(chunk: Buffer): Promise<void>;
  /** Ends the block; resolves with every host's acknowledgement, this one's first. */
  finish(): Promise<BlockWriteAck>;
  /** Gives up: nothing of the block stays on this host, and the hosts after it are told. */
  abort(): Promise<void>;
}

/** A `BlockSink` written a gathering of pieces at a time (`gathered-writes.ts`). */
export interface PieceSink extends Omit<BlockSink, 'write'> {
  /**
   * Resolves once `pieces`, in order, are written here and handed to the connection to the
   * next host. Their memory is then gathered into again: nothing may keep them past that.
   */
  write(pieces: readonly Buffer[]): Promise<void>;
}

/** What one hop needs: who it is, its store, and a way to the next hop. */
export interface PipelineHost {
  hostId: string;
  store: BlockStore;
  peers: PeerClient;
}

/**
 * Opens a pipeline hop for `blockId` on `host`: checks there is room for `maxSize`
 * bytes, starts the local write and the forward to `downstream[0]` (which gets the rest).
 * Pieces are gathered into writes of about 1 MiB (`gathered-writes.ts`).
 */
export async function openPipeline(host: PipelineHost, blockId: string, downstream: readonly PipelineTarget[], maxSize: number): Promise<BlockSink> {
  await host.store.assertRoomFor(maxSize);
  const writer = await host.store.beginWrite(blockId, maxSize);
  const [next, ...rest] = downstream;
  const forward = next === undefined ? undefined : host.peers.putBlock(next, blockId, rest, maxSize);
  const abort = async (): Promise<void> => {
    await Promise.allSettled([writer.abort(), forward?.abort()]);
  };
  return gatherWrites({
    write: async (pieces) => {
      try {
        await Promise.all([writer.write(pieces), forward?.write(pieces)]);
      } catch (err) {
        await abort();
        throw err;
      }
    },
    finish: async () => {
      try {
        const [mine, after] = await Promise.all([writer.finish(), forward?.finish()]);
        return { blockId, replicas: [{ hostId: host.hostId, size: mine.size, sha256: mine.sha256 }, ...(after?.replicas ?? [])] };
      } catch (err) {
        await abort();
        throw err;
      }
    },
    abort,
  });
}
