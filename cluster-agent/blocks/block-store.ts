/**
 * A worker's block store (the datanode's disk): `<dataDir>/blocks/<id[0..1]>/blk_<id>_<sha256>`.
 *
 * A block is written to `blocks/tmp/` under a temporary name, fsync'd, and only then
 * renamed into place (and its directory fsync'd), so a block file that exists is whole;
 * its SHA-256 is kept in its name, so presence and checksum appear in one atomic rename.
 * A failed write — a full disk, a broken upstream, a downstream host that failed — leaves
 * nothing behind. Beside each block lie its chunk checksums (`….crc`, `chunk-checksums.ts`):
 * a read checks each 64 KiB chunk before serving any of it. A block without them (written
 * before they were kept, or whose file was lost) is checked whole against its SHA-256
 * before a byte is served. A mismatch renames the block to `….corrupt` (kept for a look,
 * never served or reported again) and tells the head through `onCorrupt`.
 *
 * Block ids are 32 lowercase hex characters, checked here as well as at the routes: no
 * id can name a path outside the store.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, statfs, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { HopsError } from '../../protocol/errors.ts';
import type { AgentLog } from '../log.ts';
import { checkedReadStream, ChunkChecksums, parseChecksums } from './chunk-checksums.ts';
import type { ReadBuffers } from './read-buffers.ts';

const blockIdPattern = /^[0-9a-f]{32}$/;
const fileNamePattern = /^blk_([0-9a-f]{32})_([0-9a-f]{64})$/;
const readChunkBytes = 1024 * 1024;

export interface StoredBlock {
  id: string;
  size: number;
  sha256: string;
}

export interface BlockStoreOptions {
  /** `<dataDir>/blocks`. */
  dir: string;
  hostId: string;
  /** Space left free on the disk: a block that would eat into it is refused (`DISK_FULL`). */
  reservedBytes: number;
  log: AgentLog;
  /** Called when a replica fails its checksum (after it was set aside). */
  onCorrupt?: (blockId: string, reason: string) => void;
}

/** A block being written: bytes in, then `finish` (fsync and rename) or `abort`. */
export interface BlockWriter {
  /** Appends `pieces`, in order, with one system call where the disk takes them whole. */
  write(pieces: readonly Buffer[]): Promise<void>;
  /** Makes the block durable and visible; returns what was written. */
  finish(): Promise<StoredBlock>;
  /** Removes whatever was written, finished or not. */
  abort(): Promise<void>;
}

/** A verified block opened for reading from `offset`. */
export interface BlockReader {
  size: number;
  sha256: string;
  stream: Readable;
}

export function isBlockId(id: string): boolean {
  return blockIdPattern.test(id);
}

function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

export class BlockStore {
  readonly dir: string;
  private readonly options: BlockStoreOptions;
  private readonly tmpDir: string;

  private constructor(options: BlockStoreOptions) {
    this.options = options;
    this.dir = options.dir;
    this.tmpDir = path.join(options.dir, 'tmp');
  }

  /** Opens the store, creating it, and removes partial blocks a crash left in `tmp/`. */
  static async open(options: BlockStoreOptions): Promise<BlockStore> {
    const store = new BlockStore(options);
    await mkdir(store.dir, { recursive: true, mode: 0o700 });
    await rm(store.tmpDir, { recursive: true, force: true });
    await mkdir(store.tmpDir, { mode: 0o700 });
    return store;
  }

  /** Bytes free for blocks: what the disk has available, less the reserve. */
  async freeBytes(): Promise<number> {
    const fs = await statfs(this.dir);
    return fs.bavail * fs.bsize - this.options.reservedBytes;
  }

  /** Throws `DISK_FULL` unless a block of `maxBytes` fits. */
  async assertRoomFor(maxBytes: number): Promise<void> {
    const free = await this.freeBytes();
    if (free < maxBytes) throw this.diskFull(`it has ${Math.max(0, free)} bytes free for blocks and the block may take ${maxBytes}`);
  }

  /** Starts writing block `id`; at most `maxBytes` are accepted. */
  async beginWrite(id: string, maxBytes: number): Promise<BlockWriter> {
    this.checkId(id);
    const temp = path.join(this.tmpDir, `blk_${id}.${randomBytes(6).toString('hex')}.part`);
    let handle: FileHandle | undefined = await open(temp, 'wx', 0o600).catch((err: unknown) => {
      throw isDiskFull(err) ? this.diskFull(`creating ${temp} failed: ${(err as Error).message}`) : err;
    });
    const hash = createHash('sha256');
    const checksums = new ChunkChecksums();
    let size = 0;
    let final: string | undefined;
    const closeQuietly = async (): Promise<void> => {
      const open = handle;
      handle = undefined;
      await open?.close().catch(() => undefined);
    };
    const abort = async (): Promise<void> => {
      await closeQuietly();
      await unlink(temp).catch(() => undefined);
      if (final !== undefined) await unlink(final).catch(() => undefined);
      await unlink(`${temp}.crc`).catch(() => undefined);
    };
    const failed = async (err: unknown, doing: string): Promise<never> => {
      await abort();
      if (isDiskFull(err)) throw this.diskFull(`${doing} block ${id} failed: ${(err as Error).message}`);
      throw err;
    };
    return {
      write: async (pieces) => {
        if (handle === undefined) throw new Error(`Block ${id} is no longer being written.`);
        const length = pieces.reduce((sum, piece) => sum + piece.length, 0);
        if (size + length > maxBytes) {
          await abort();
          throw new HopsError('VALIDATION', `Block ${id} is larger than the ${maxBytes} bytes announced.`);
        }
        try {
          await writeAll(handle, pieces, length);
        } catch (err) {
          return failed(err, 'writing');
        }
        for (const piece of pieces) {
          hash.update(piece);
          checksums.update(piece);
        }
        size += length;
      },
      finish: async () => {
        if (handle === undefined) throw new Error(`Block ${id} is no longer being written.`);
        const sha256 = hash.digest('hex');
        const shard = this.shardOf(id);
        try {
          await handle.sync();
          await closeQuietly();
          await writeFile(`${temp}.crc`, checksums.file(), { mode: 0o600, flush: true });
          await mkdir(shard, { recursive: true, mode: 0o700 });
          final = path.join(shard, `blk_${id}_${sha256}`);
          // The block first: one found without its checksums is checked whole instead.
          await rename(temp, final);
          await rename(`${temp}.crc`, `${final}.crc`);
          await syncDir(shard);
        } catch (err) {
          return failed(err, 'finishing');
        }
        return { id, size, sha256 };
      },
      abort,
    };
  }

  /**
   * Opens block `id` for reading from `offset`; each chunk is checked against its checksum
   * before it is served (a block without chunk checksums is checked whole first), and the
   * block's digest against `expectedSha256`, the one the head recorded, when given. Throws
   * `BLOCK_NOT_FOUND` or `BLOCK_CORRUPT`, and its stream ends with `BLOCK_CORRUPT` at a
   * chunk that fails; a corrupt replica is set aside and reported. With `buffers`, the
   * chunks are read into theirs.
   */
  async read(id: string, options: { sha256?: string | undefined; offset?: number | undefined; buffers?: ReadBuffers | undefined } = {}): Promise<BlockReader> {
    const offset = options.offset ?? 0;
    const { file, handle } = await this.openFile(id);
    try {
      const chunked = await this.checksumsOf(id, file, handle, options.sha256);
      const size = chunked?.size ?? (await this.checkWhole(id, file, handle, options.sha256));
      if (offset > size) throw new HopsError('VALIDATION', `Block ${id} has ${size} bytes; offset ${offset} is past its end.`, { field: '/offset' });
      if (chunked === undefined) return { size, sha256: file.sha256, stream: handle.createReadStream({ start: offset, highWaterMark: 256 * 1024, autoClose: true }) };
      const corrupt = async (problem: string) => {
        await this.setAside(file.path, id, problem);
        return this.corrupt(id, problem);
      };
      return { size, sha256: file.sha256, stream: checkedReadStream(handle, size, offset, chunked.checksums, corrupt, options.buffers) };
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Checks block `id` whole against its checksum, as a read would. A corrupt one is set
   * aside and reported; one deleted meanwhile is `gone`.
   */
  async verify(id: string): Promise<'whole' | 'corrupt' | 'gone'> {
    try {
      const { file, handle } = await this.openFile(id);
      try {
        await this.checkWhole(id, file, handle);
      } finally {
        await handle.close().catch(() => undefined);
      }
      return 'whole';
    } catch (err) {
      if (err instanceof HopsError && err.code === 'BLOCK_NOT_FOUND') return 'gone';
      if (err instanceof HopsError && err.code === 'BLOCK_CORRUPT') return 'corrupt';
      throw err;
    }
  }

  /** Deletes block `id` (a corrupt copy too); false when there was none. */
  async delete(id: string): Promise<boolean> {
    this.checkId(id);
    const shard = this.shardOf(id);
    const names = await readdir(shard).catch(() => [] as string[]);
    let deleted = false;
    for (const name of names.filter((n) => n.startsWith(`blk_${id}_`))) {
      await unlink(path.join(shard, name)).catch(() => undefined);
      deleted = true;
    }
    return deleted;
  }

  /** Every whole, not corrupt block on disk, from a fresh scan. */
  async list(): Promise<StoredBlock[]> {
    const blocks: StoredBlock[] = [];
    const shards = await readdir(this.dir).catch(() => [] as string[]);
    for (const shard of shards.filter((name) => /^[0-9a-f]{2}$/.test(name))) {
      const names = await readdir(path.join(this.dir, shard)).catch(() => [] as string[]);
      for (const name of names) {
        const match = fileNamePattern.exec(name);
        if (match === null) continue;
        const handle = await open(path.join(this.dir, shard, name), 'r').catch(() => undefined);
        if (handle === undefined) continue;
        try {
          blocks.push({ id: match[1] ?? '', sha256: match[2] ?? '', size: (await handle.stat()).size });
        } finally {
          await handle.close();
        }
      }
    }
    return blocks;
  }

  /** Block `id`'s file, opened for reading. Throws `BLOCK_NOT_FOUND`. */
  private async openFile(id: string): Promise<{ file: { path: string; sha256: string }; handle: FileHandle }> {
    this.checkId(id);
    const file = await this.find(id);
    if (file === undefined) throw this.notFound(id);
    try {
      return { file, handle: await open(file.path, 'r') };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw this.notFound(id);
      throw err;
    }
  }

  /**
   * The chunk checksums of an open block, to be checked as it is read; undefined when it
   * has none that fit it (it is then checked whole). Throws `BLOCK_CORRUPT` (the replica
   * set aside) when the head recorded another digest than the block's.
   */
  private async checksumsOf(id: string, file: { path: string; sha256: string }, handle: FileHandle, expectedSha256: string | undefined) {
    const sums = await readFile(`${file.path}.crc`).catch(() => undefined);
    if (sums === undefined) return undefined;
    if (expectedSha256 !== undefined && expectedSha256 !== file.sha256) await this.refuse(id, file, `it was written with ${file.sha256}, but the head recorded ${expectedSha256}`);
    const size = (await handle.stat()).size;
    const checksums = parseChecksums(sums, size);
    return checksums === undefined ? undefined : { size, checksums };
  }

  /** Reads an open block whole against its SHA-256 (and `expectedSha256`, when given); returns its size. Throws `BLOCK_CORRUPT` (the replica set aside). */
  private async checkWhole(id: string, file: { path: string; sha256: string }, handle: FileHandle, expectedSha256?: string): Promise<number> {
    const { size, sha256 } = await hashOf(handle);
    if (sha256 !== file.sha256) await this.refuse(id, file, `its bytes hash to ${sha256}, not the ${file.sha256} it was written with`);
    if (expectedSha256 !== undefined && expectedSha256 !== sha256) await this.refuse(id, file, `it was written with ${sha256}, but the head recorded ${expectedSha256}`);
    return size;
  }

  /** Sets a corrupt replica aside and throws `BLOCK_CORRUPT` saying why. */
  private async refuse(id: string, file: { path: string }, problem: string): Promise<never> {
    await this.setAside(file.path, id, problem);
    throw this.corrupt(id, problem);
  }

  private async find(id: string): Promise<{ path: string; sha256: string } | undefined> {
    const shard = this.shardOf(id);
    const names = await readdir(shard).catch(() => [] as string[]);
    for (const name of names) {
      const match = fileNamePattern.exec(name);
      if (match?.[1] === id) return { path: path.join(shard, name), sha256: match[2] ?? '' };
    }
    return undefined;
  }

  /** Renames a corrupt replica out of the way (its checksums with it) and tells the head. */
  private async setAside(file: string, id: string, reason: string): Promise<void> {
    await rename(file, `${file}.corrupt`).catch(() => undefined);
    await rename(`${file}.crc`, `${file}.corrupt.crc`).catch(() => undefined);
    this.options.log.warn('corrupt block replica set aside', { blockId: id, reason });
    this.options.onCorrupt?.(id, reason);
  }

  private shardOf(id: string): string {
    return path.join(this.dir, id.slice(0, 2));
  }

  private checkId(id: string): void {
    if (!isBlockId(id)) throw new HopsError('VALIDATION', 'A block id is 32 lowercase hexadecimal characters.', { field: '/blockId' });
  }

  private corrupt(id: string, problem: string): HopsError {
    return new HopsError('BLOCK_CORRUPT', `Host ${this.options.hostId} holds a corrupt replica of block ${id}: ${problem}.`);
  }

  private notFound(id: string): HopsError {
    return new HopsError('BLOCK_NOT_FOUND', `Host ${this.options.hostId} has no block ${id}.`);
  }

  private diskFull(detail: string): HopsError {
    return new HopsError('DISK_FULL', `Host ${this.options.hostId} has no room for the block in ${this.dir}: ${detail}.`);
  }
}

/** SHA-256 and size of a whole open file. */
async function hashOf(handle: FileHandle): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(readChunkBytes);
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return { size: position, sha256: hash.digest('hex') };
}

/** fsyncs a directory, so a rename into it survives a power cut. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `pieces` (`length` bytes in all) at the file's position, going on after a short write. */
async function writeAll(handle: FileHandle, pieces: readonly Buffer[], length: number): Promise<void> {
  let rest = pieces;
  let left = length;
  while (left > 0) {
    let written = (await handle.writev(rest)).bytesWritten;
    left -= written;
    // A short write (rare on files) leaves the pieces from where it stopped.
    const next: Buffer[] = [];
    for (const piece of rest) {
      if (written >= piece.length) written -= piece.length;
      else {
        next.push(written === 0 ? piece : piece.subarray(written));
        written = 0;
      }
    }
    rest = next;
  }
}
