/**
 * Gathered writes: small pieces reach the sink as large writes, in order and whole, with
 * never more than one write in flight, and a failed write surfaces to the writer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BlockWriteAck } from '../../protocol/agent-api.ts';
import { gatherWrites } from './gathered-writes.ts';
import type { PieceSink } from './pipeline.ts';

interface Recorded {
  sink: PieceSink;
  /** Each write's pieces, joined. */
  writes: Buffer[];
  mostInFlight: () => number;
  aborted: () => boolean;
}

/** A sink whose writes take a turn of the event loop each; `failAt` fails that write. */
function recordingSink(failAt?: number): Recorded {
  const writes: Buffer[] = [];
  let inFlight = 0;
  let most = 0;
  let aborted = false;
  const sink: PieceSink = {
    write: async (pieces) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      if (writes.length === failAt) throw new Error('disk failed');
      writes.push(Buffer.concat(pieces));
    },
    finish: async (): Promise<BlockWriteAck> => ({ blockId: 'b', replicas: [] }),
    abort: async () => {
      aborted = true;
    },
  };
  return { sink, writes, mostInFlight: () => most, aborted: () => aborted };
}

const pieces = (count: number, size: number): Buffer[] => Array.from({ length: count }, (_, i) => Buffer.alloc(size, i % 251));

test('pieces reach the sink as writes growing to the gathered size, in order and whole', async () => {
  const recorded = recordingSink();
  const sink = gatherWrites(recorded.sink, 256 * 1024);
  const sent = pieces(100, 16 * 1024);
  for (const piece of sent) await sink.write(piece);
  await sink.finish();
  assert.deepEqual(Buffer.concat(recorded.writes), Buffer.concat(sent));
  assert.deepEqual(
    recorded.writes.map((w) => w.length / 1024),
    [64, 128, 256, 256, 256, 256, 256, 128],
    'writes start at 64 KiB and double up to the gathered size',
  );
  assert.equal(recorded.mostInFlight(), 1);
});

test('a short tail is written by finish', async () => {
  const recorded = recordingSink();
  const sink = gatherWrites(recorded.sink, 64 * 1024);
  await sink.write(Buffer.from('tail'));
  assert.equal(recorded.writes.length, 0);
  await sink.finish();
  assert.deepEqual(recorded.writes, [Buffer.from('tail')]);
});

test('a failed write surfaces at the next write or at finish', async () => {
  const recorded = recordingSink(0);
  const sink = gatherWrites(recorded.sink, 1024);
  await sink.write(Buffer.alloc(1024));
  await new Promise((resolve) => setImmediate(resolve));
  // The failed write was a whole write ago: the very next piece hears of it.
  await assert.rejects(sink.write(Buffer.alloc(1)), /disk failed/);
  await sink.abort();
  assert.equal(recorded.aborted(), true);

  const atFinish = recordingSink(0);
  const other = gatherWrites(atFinish.sink, 1024);
  await other.write(Buffer.alloc(1024));
  await assert.rejects(other.finish(), /disk failed/);
});

test('a write\'s bytes stay as they were until it lands, and only two buffers are ever gathered into', async () => {
  // The sink reads its pieces only when the write lands, as a slow disk or socket would.
  const landed: Buffer[] = [];
  const memory = new Set<ArrayBufferLike>();
  const slow: PieceSink = {
    write: async (pieces) => {
      for (const piece of pieces) memory.add(piece.buffer);
      await new Promise((resolve) => setTimeout(resolve, 2));
      landed.push(Buffer.concat(pieces));
    },
    finish: async (): Promise<BlockWriteAck> => ({ blockId: 'b', replicas: [] }),
    abort: async () => undefined,
  };
  const sink = gatherWrites(slow, 64 * 1024);
  // Pieces of odd sizes, some larger than a whole write, as a local read would hand over.
  const sent = [...pieces(40, 5000), Buffer.alloc(200 * 1024, 7), ...pieces(30, 3333)];
  for (const piece of sent) await sink.write(piece);
  await sink.finish();
  assert.deepEqual(Buffer.concat(landed), Buffer.concat(sent));
  assert.equal(memory.size, 2);
});
