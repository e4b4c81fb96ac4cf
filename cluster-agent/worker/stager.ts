/**
 * Stages a job's datasets on its worker: every file is read block by block from the
 * nearest good replica (this host's own store first), checked against the SHA-256 the head
 * recorded, and kept in a local cache keyed by the file's blocks. Blocks never change once
 * written, so the same key is the same content: the next job that reads the same dataset
 * finds it here and nothing is read again. A job sees its inputs as a tree of hard links
 * to cached files, read-only, under `<dataDir>/stage-trees/<run>/`.
 *
 *   <dataDir>/stage-cache/<key>        cached file content (0555)
 *   <dataDir>/stage-trees/<run>/<name> the job's view of one input (links into the cache)
 *
 * The cache is kept under `maxCacheBytes` by removing the least recently used files that
 * no job links to any more (a link count of 1). Modes make inputs read-only for a job run
 * as an ordinary user; one run as root can write through them, so a cached file is checked
 * unchanged (its sealed modification time) before it is used again.
 */
import { createHash } from 'node:crypto';
import { chmod, link, mkdir, open, readdir, rename, rm, stat, unlink, utimes, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { HopsError } from '../../protocol/errors.ts';
import type { StageFile, StageInput } from '../../protocol/jobs-api.ts';
import type { StagedInput } from '../jobs/job-dir.ts';
import type { AgentLog } from '../log.ts';

/** Opens one block of a replica for reading, verified against `sha256` by its host. */
export type OpenBlock = (replica: { hostId: string; address: string }, blockId: string, sha256: string) => Promise<Readable>;

export interface StagerSettings {
  dataDir: string;
  /** Cache size beyond which unused files are removed; 10 GiB by default. */
  maxCacheBytes?: number;
}

/** What staging did, for the job's timeline. */
export interface StagingResult {
  inputs: StagedInput[];
  /** Bytes read from replicas now; the rest came from the cache. */
  fetchedBytes: number;
  cachedBytes: number;
}

const defaultMaxCacheBytes = 10 * 1024 ** 3;

/**
 * Every cached file carries this modification time; any write changes it, so a file that
 * no longer has it is not trusted. Recency of use is kept in the access time.
 */
const sealedMtimeMs = 1_000_000_000;
const sealed = new Date(sealedMtimeMs);

export class Stager {
  private readonly cacheDir: string;
  private readonly treesDir: string;
  private readonly maxCacheBytes: number;
  private readonly openBlock: OpenBlock;
  private readonly log: AgentLog;
  /** Files being fetched now, so two jobs staging the same file fetch it once. */
  private readonly fetching = new Map<string, Promise<void>>();

  constructor(settings: StagerSettings, openBlock: OpenBlock, log: AgentLog) {
    this.cacheDir = path.join(settings.dataDir, 'stage-cache');
    this.treesDir = path.join(settings.dataDir, 'stage-trees');
    this.maxCacheBytes = settings.maxCacheBytes ?? defaultMaxCacheBytes;
    this.openBlock = openBlock;
    this.log = log;
  }

  /** Stages `inputs` for run `runId`; rejects with `STAGING_FAILED` naming the file when one cannot be read. */
  async stage(runId: string, inputs: readonly StageInput[]): Promise<StagingResult> {
    await mkdir(this.cacheDir, { recursive: true, mode: 0o700 });
    const tree = path.join(this.treesDir, runId);
    await rm(tree, { recursive: true, force: true });
    await mkdir(tree, { recursive: true, mode: 0o700 });
    const result: StagingResult = { inputs: [], fetchedBytes: 0, cachedBytes: 0 };
    for (const input of inputs) {
      const root = path.join(tree, input.name);
      for (const file of input.files) {
        const cached = await this.cached(input.name, file, result);
        const target = input.kind === 'file' ? root : path.join(root, ...safeParts(file.path));
        await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
        await link(cached, target);
      }
      if (input.kind === 'dir') await mkdir(root, { recursive: true, mode: 0o755 });
      result.inputs.push({ name: input.name, path: root });
    }
    await this.evict().catch((err: unknown) => this.log.warn('staging cache clean-up failed', { err }));
    return result;
  }

  /** Removes the view of run `runId` (its cached files stay for the next job). */
  async release(runId: string): Promise<void> {
    await rm(path.join(this.treesDir, runId), { recursive: true, force: true });
  }

  /** The cached file of `file`, fetched first when it is not there. */
  private async cached(inputName: string, file: StageFile, result: StagingResult): Promise<string> {
    const key = cacheKey(file);
    const target = path.join(this.cacheDir, key);
    const present = await stat(target).catch(() => undefined);
    if (present !== undefined && present.size === file.size && present.mtimeMs === sealedMtimeMs) {
      result.cachedBytes += file.size;
      await utimes(target, new Date(), sealed).catch(() => undefined);
      return target;
    }
    // A cached file changed since it was fetched (a job run as root may write through its read-only
    // mode): it is fetched again, and a job never sees another job's changes.
    if (present !== undefined) await unlink(target).catch(() => undefined);
    let fetch = this.fetching.get(key);
    if (fetch === undefined) {
      fetch = this.fetch(file, target).finally(() => this.fetching.delete(key));
      this.fetching.set(key, fetch);
    }
    try {
      await fetch;
    } catch (err) {
      const where = file.path === '' ? inputName : `${inputName}/${file.path}`;
      throw new HopsError('STAGING_FAILED', `Staging ${where} failed: ${(err as Error).message}`, {
        hint: 'Check `hopsdesk fs fsck` for the dataset; the job can be retried once its blocks are readable.',
        cause: err,
      });
    }
    result.fetchedBytes += file.size;
    return target;
  }

  /** Writes the file's blocks, in order, to a temporary file renamed to `target` once whole. */
  private async fetch(file: StageFile, target: string): Promise<void> {
    const temp = `${target}.${process.pid}.part`;
    const out = await open(temp, 'w', 0o600);
    try {
      let position = 0;
      for (const block of file.blocks) {
        await this.fetchBlock(block, out, position);
        position += block.size;
      }
      await out.close();
      // Read-only for the job; executable, so a script from the project's files can be its command.
      await chmod(temp, 0o555);
      await utimes(temp, new Date(), sealed);
      await rename(temp, target);
    } catch (err) {
      await out.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Writes `block` at `position` of `out` from the first replica that gives all of it,
   * nearest first: a replica that fails part-way (a chunk that fails its checksum, a
   * dropped link) is given up for the next, which writes the block again from its start.
   */
  private async fetchBlock(block: StageFile['blocks'][number], out: FileHandle, position: number): Promise<void> {
    const problems: string[] = [];
    for (const replica of block.replicas) {
      try {
        const stream = await this.openBlock(replica, block.blockId, block.sha256);
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          if (size + chunk.length > block.size) throw new Error(`it sent more than the block's ${block.size} bytes`);
          hash.update(chunk);
          await out.write(chunk, 0, chunk.length, position + size);
          size += chunk.length;
        }
        // The host checks its replica too; this catches a transfer gone wrong on the way.
        if (size !== block.size || hash.digest('hex') !== block.sha256) throw new Error(`the block arrived damaged (${size} of ${block.size} bytes)`);
        return;
      } catch (err) {
        problems.push(`${replica.hostId}: ${(err as Error).message}`);
      }
    }
    throw new Error(`no replica of block ${block.blockId} could be read (${problems.join('; ') || 'it has none'})`);
  }

  /** Removes the least recently used cached files no job links to, while the cache is over its size. */
  private async evict(): Promise<void> {
    const names = await readdir(this.cacheDir);
    const files = [];
    let total = 0;
    for (const name of names) {
      const info = await stat(path.join(this.cacheDir, name)).catch(() => undefined);
      if (info === undefined || !info.isFile()) continue;
      total += info.size;
      files.push({ name, size: info.size, usedMs: info.atimeMs, linked: info.nlink > 1 });
    }
    if (total <= this.maxCacheBytes) return;
    files.sort((a, b) => a.usedMs - b.usedMs);
    for (const file of files) {
      if (total <= this.maxCacheBytes) break;
      if (file.linked || file.name.endsWith('.part')) continue;
      await unlink(path.join(this.cacheDir, file.name)).catch(() => undefined);
      total -= file.size;
    }
  }
}

/** Blocks are immutable and named once: the list of them names the content. */
function cacheKey(file: StageFile): string {
  const hash = createHash('sha256');
  for (const block of file.blocks) hash.update(`${block.blockId}:${block.sha256}:${block.size}\n`);
  hash.update(`size:${file.size}`);
  return hash.digest('hex');
}

/** A dataset-relative path as parts, refusing anything that would leave the tree. */
function safeParts(relative: string): string[] {
  const parts = relative.split('/');
  if (parts.some((part) => part === '' || part === '.' || part === '..' || part.includes('\0'))) {
    throw new HopsError('VALIDATION', `${JSON.stringify(relative.slice(0, 200))} is not a path inside a dataset.`, { field: '/inputs' });
  }
  return parts;
}
