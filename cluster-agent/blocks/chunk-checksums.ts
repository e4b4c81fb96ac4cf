/**
 * Chunk checksums of a block, as HDFS keeps them in a block's `.meta` file: a CRC-32 of
 * every 64 KiB of the block, kept beside it (`blk_<id>_<sha256>.crc`). With them a read
 * checks only the chunks it serves, as it serves them: a range read (a preview's first
 * rows, a Parquet footer) reads its range, not the whole block, and a whole read is one
 * pass over the disk instead of a checking pass and then a serving one. The block's
 * SHA-256 (in its name) stays its identity, checked by the scrub and by the head for a
 * block read from another host.
 *
 * The file: "HDC1", the chunk size (u32, big-endian), then one CRC-32 (u32, big-endian)
 * per chunk, the last chunk possibly short.
 */
import { crc32 } from 'node:zlib';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadBuffers } from './read-buffers.ts';

const magic = Buffer.from('HDC1', 'latin1');
const headerBytes = 8;
export const checksumChunkBytes = 64 * 1024;
/** Chunks read from disk at once (1 MiB). */
const chunksPerRead = 16;
/** The most bytes `checkedReadStream` reads at once: the size of the buffers it is given. */
export const checkedReadBytes = chunksPerRead * checksumChunkBytes;

/** Folds the bytes of a block, as they are written, into its chunk checksums. */
export class ChunkChecksums {
  private readonly sums: number[] = [];
  private current = 0;
  private filled = 0;

  update(bytes: Buffer): void {
    let at = 0;
    while (at < bytes.length) {
      const take = Math.min(checksumChunkBytes - this.filled, bytes.length - at);
      this.current = crc32(bytes.subarray(at, at + take), this.current);
      this.filled += take;
      at += take;
      if (this.filled === checksumChunkBytes) this.endChunk();
    }
  }

  /** The checksum file's bytes. */
  file(): Buffer {
    if (this.filled > 0) this.endChunk();
    const out = Buffer.allocUnsafe(headerBytes + 4 * this.sums.length);
    magic.copy(out, 0);
    out.writeUInt32BE(checksumChunkBytes, 4);
    this.sums.forEach((sum, i) => out.writeUInt32BE(sum, headerBytes + 4 * i));
    return out;
  }

  private endChunk(): void {
    this.sums.push(this.current);
    this.current = 0;
    this.filled = 0;
  }
}

/** The chunk size and checksums of a checksum file for a block of `blockSize` bytes; undefined unless it is well formed and fits. */
export function parseChecksums(file: Buffer, blockSize: number): { chunkBytes: number; sums: Buffer } | undefined {
  if (file.length < headerBytes || !file.subarray(0, 4).equals(magic)) return undefined;
  const chunkBytes = file.readUInt32BE(4);
  if (chunkBytes === 0) return undefined;
  if (file.length !== headerBytes + 4 * Math.ceil(blockSize / chunkBytes)) return undefined;
  return { chunkBytes, sums: file.subarray(headerBytes) };
}

/**
 * The bytes of an open block from `offset` to its end, each chunk checked against its
 * checksum before any of it is pushed. A chunk that fails calls `onMismatch` with what is
 * wrong and ends the stream with the error it returns: no byte of that chunk leaves. The
 * stream closes `handle`. With `buffers`, it reads into theirs (read-buffers.ts).
 */
export function checkedReadStream(
  handle: FileHandle,
  blockSize: number,
  offset: number,
  checksums: { chunkBytes: number; sums: Buffer },
  onMismatch: (problem: string) => Promise<Error>,
  buffers?: ReadBuffers,
): Readable {
  const { chunkBytes, sums } = checksums;
  let chunk = Math.floor(offset / chunkBytes);
  const chunks = Math.ceil(blockSize / chunkBytes);
  return new Readable({
    highWaterMark: chunkBytes * chunksPerRead,
    async read() {
      try {
        if (chunk >= chunks) return void this.push(null);
        const start = chunk * chunkBytes;
        const length = Math.min(chunksPerRead * chunkBytes, blockSize - start);
        const buffer = buffers !== undefined && buffers.bytes >= length ? buffers.take() : Buffer.allocUnsafe(length);
        const { bytesRead } = await handle.read(buffer, 0, length, start);
        if (bytesRead !== length) throw await onMismatch(`it ends at byte ${start + bytesRead}, before the ${blockSize} it had when opened`);
        for (let at = 0; at < length; at += chunkBytes, chunk += 1) {
          if (crc32(buffer.subarray(at, Math.min(at + chunkBytes, length))) !== sums.readUInt32BE(4 * chunk)) {
            throw await onMismatch(`bytes ${start + at} to ${Math.min(start + at + chunkBytes, blockSize) - 1} do not match their checksum`);
          }
        }
        this.push(buffer.subarray(Math.max(0, offset - start), length));
      } catch (err) {
        this.destroy(err as Error);
      }
    },
    destroy(err, callback) {
      handle.close().then(() => callback(err), () => callback(err));
    },
  });
}
