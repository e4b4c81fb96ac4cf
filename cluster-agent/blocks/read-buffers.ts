/**
 * Buffers that one download's block reads go into, each read into again once the bytes
 * it held have been written out.
 *
 * A fresh buffer per read costs more than the read: in the agent's process, whose heap
 * holds the head's state, every few dozen MiB of fresh buffers bring a full garbage
 * collection, and every fresh page a fault. Serving 512 MiB over TLS with a heap of that
 * size took 0.9–1.7 s of CPU with fresh 1 MiB buffers and 0.4–0.5 s with three taken in
 * turn (docs/decisions.md).
 *
 * `take` never waits: with none free it makes another, kept for later while there are
 * fewer than `max`. So a reader that drops a buffer (a replica given up part-way, a range
 * read ending inside a read) or a consumer that never says what it wrote only loses the
 * reuse, never the download.
 */
export class ReadBuffers {
  readonly bytes: number;
  private readonly max: number;
  private readonly free: Buffer[] = [];
  /** Ours, by the memory they view, and whether each is out being read into or sent. */
  private readonly out = new Map<ArrayBufferLike, { buffer: Buffer; taken: boolean }>();

  constructor(bytes: number, max = 16) {
    this.bytes = bytes;
    this.max = max;
  }

  /** A buffer of `bytes` to read into, not handed out again until `written` is told of it. */
  take(): Buffer {
    const buffer = this.free.pop() ?? Buffer.allocUnsafeSlow(this.bytes);
    const entry = this.out.get(buffer.buffer);
    if (entry !== undefined) entry.taken = true;
    else if (this.out.size < this.max) this.out.set(buffer.buffer, { buffer, taken: true });
    return buffer;
  }

  /** The bytes of `chunk` (a view of a buffer taken here, or any other) have been written out. */
  written(chunk: Uint8Array): void {
    const entry = this.out.get(chunk.buffer);
    if (entry === undefined || !entry.taken) return;
    entry.taken = false;
    this.free.push(entry.buffer);
  }
}
