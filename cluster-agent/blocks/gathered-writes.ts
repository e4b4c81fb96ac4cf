/**
 * Gathers a block's small pieces into large writes. Bytes arrive a TLS record (16 KiB) or
 * a socket read at a time; writing and forwarding each piece alone made every pipeline
 * hop a chain of some 65,000 disk writes and socket writes per GiB, each awaited before
 * the next piece was read. Here pieces are gathered into writes of about `writeBytes`,
 * and one write is in flight while the next is gathered: a hop holds at most two writes'
 * worth of bytes, and backpressure still reaches upstream (a `write` waits whenever the
 * write before it has not landed).
 *
 * Each piece is copied, as it comes, into one of two buffers that are written in turn
 * and gathered into again once their write has landed. Holding the pieces themselves
 * until their write kept thousands of fresh buffers alive across every write, so each
 * lived long enough to be costly to collect: on a hop's profile, garbage collection took
 * more time than hashing. A copy into a buffer already in memory costs far less; it is
 * fresh buffers that cost (allocation, page faults and the collections they bring).
 *
 * A refusal must still stop the sender early (a host downstream with a full disk answers
 * at once, and the client should hear it while little of its body is sent): the first
 * writes of a block are small and double up to `writeBytes`, and a write in flight that
 * failed fails the very next piece.
 */
import type { BlockSink, PieceSink } from './pipeline.ts';

/** About what one disk write and one forward carry: large enough to amortize their cost. */
export const gatheredWriteBytes = 1024 * 1024;

/** The first write of a block; each next one gathers twice as much, up to `writeBytes`. */
const firstWriteBytes = 64 * 1024;

/** `sink`, written in gatherings of about `writeBytes` with one write in flight. */
export function gatherWrites(sink: PieceSink, writeBytes = gatheredWriteBytes): BlockSink {
  /** Buffers whose write has landed, to gather into again; with the one filling and the one in flight, never more than two exist. */
  const spare: Buffer[] = [];
  let filling: Buffer | undefined;
  let gathered = 0;
  let threshold = Math.min(firstWriteBytes, writeBytes);
  let inFlight: Promise<void> | undefined;
  let failure: { error: unknown } | undefined;

  const flush = async (): Promise<void> => {
    // The write before this one must land first: its failure surfaces here, and no more
    // than one write waits on the disk or the network.
    if (inFlight !== undefined) await inFlight;
    inFlight = undefined;
    if (filling === undefined || gathered === 0) return;
    const buffer = filling;
    const length = gathered;
    filling = undefined;
    gathered = 0;
    threshold = Math.min(threshold * 2, writeBytes);
    // The sink is done with the bytes once its write settles, so the buffer is gathered into again.
    const writing = sink.write([buffer.subarray(0, length)]).finally(() => spare.push(buffer));
    // Awaited by the next flush or by finish; until then its failure fails the next piece.
    writing.catch((error: unknown) => {
      failure ??= { error };
    });
    inFlight = writing;
  };

  return {
    write: async (piece) => {
      if (failure !== undefined) throw failure.error;
      for (let from = 0; from < piece.length; ) {
        filling ??= spare.pop() ?? Buffer.allocUnsafe(writeBytes);
        const copied = piece.copy(filling, gathered, from, Math.min(piece.length, from + threshold - gathered));
        gathered += copied;
        from += copied;
        if (gathered >= threshold) await flush();
      }
    },
    finish: async () => {
      await flush();
      if (inFlight !== undefined) await inFlight;
      inFlight = undefined;
      return sink.finish();
    },
    abort: async () => {
      filling = undefined;
      gathered = 0;
      await sink.abort();
      await inFlight?.catch(() => undefined);
      inFlight = undefined;
    },
  };
}
