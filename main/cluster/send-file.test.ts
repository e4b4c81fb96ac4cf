import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { sendFileRange } from './send-file.ts';

/** A body that takes its time over every write, keeping a copy of what it was given only when it is done. */
function slowBody(delayMs: number): { body: Writable; received: () => Buffer } {
  const pieces: Buffer[] = [];
  const body = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      // Copied at the end of the write: a buffer reused too early would show here.
      setTimeout(() => {
        pieces.push(Buffer.from(chunk));
        callback();
      }, delayMs);
    },
  });
  return { body, received: () => Buffer.concat(pieces) };
}

describe('sending a file range as a request body', () => {
  let dir: string;
  let file: string;
  const bytes = randomBytes(5 * 1024 * 1024 + 123);

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'send-file-'));
    file = path.join(dir, 'data.bin');
    await writeFile(file, bytes);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('sends exactly the range asked for, unchanged by reusing its buffers, and reports each position reached', async () => {
    const { body, received } = slowBody(5);
    const positions: number[] = [];
    await sendFileRange(file, 1000, bytes.length - 7, body, (position) => positions.push(position));
    assert.ok(received().equals(bytes.subarray(1000, bytes.length - 7)));
    assert.equal(positions.at(-1), bytes.length - 7);
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
  });

  it('refuses a file shorter than the range, naming where it ended', async () => {
    const { body } = slowBody(0);
    await assert.rejects(sendFileRange(file, 0, bytes.length + 10, body, () => undefined), new RegExp(`ended at byte ${bytes.length}`));
  });

  it('stops when the body is destroyed on the way', async () => {
    const { body } = slowBody(20);
    setTimeout(() => body.destroy(new Error('link cut')), 30);
    await assert.rejects(sendFileRange(file, 0, bytes.length, body, () => undefined), /link cut/);
  });
});
