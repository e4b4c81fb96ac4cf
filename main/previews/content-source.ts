/**
 * Where a previewed file's bytes come from: the cluster (range reads through the head's
 * client API, only the bytes asked for) or an offline copy on this disk.
 * Both count every byte they deliver, so a preview can say, and a test can check, how
 * little of a large file it read.
 */
import { open } from 'node:fs/promises';
import { HopsError } from '../../protocol/errors.ts';
import type { AgentEndpoint } from '../cluster/agent-client.ts';
import { readRange } from '../cluster/transfers.ts';

export interface ContentSource {
  /** The file's size in bytes. */
  readonly size: number;
  /** Bytes delivered so far by `head` and `range`. */
  readonly bytesRead: number;
  /** The first `length` bytes (fewer when the file is shorter). */
  head(length: number): Promise<Buffer>;
  /** `length` bytes from `offset`, which must lie inside the file. */
  range(offset: number, length: number): Promise<Buffer>;
}

/**
 * What both sources share: the size, the count of bytes delivered, and `head` as the first
 * range; each says how it reads `length` bytes from `offset` (within the file).
 */
abstract class CountedContent implements ContentSource {
  readonly size: number;
  private delivered = 0;

  constructor(size: number) {
    this.size = size;
  }

  get bytesRead(): number {
    return this.delivered;
  }

  head(length: number): Promise<Buffer> {
    return this.range(0, Math.min(length, this.size));
  }

  async range(offset: number, length: number): Promise<Buffer> {
    const wanted = Math.max(0, Math.min(length, this.size - offset));
    if (wanted === 0) return Buffer.alloc(0);
    const bytes = await this.read(offset, wanted);
    this.delivered += bytes.length;
    return bytes;
  }

  protected abstract read(offset: number, length: number): Promise<Buffer>;
}

/** A file of the cluster filesystem, read through the head. */
export class ClusterContent extends CountedContent {
  private readonly endpoint: AgentEndpoint;
  private readonly path: string;

  constructor(endpoint: AgentEndpoint, path: string, size: number) {
    super(size);
    this.endpoint = endpoint;
    this.path = path;
  }

  /** Read by the head from the blocks that hold the bytes; a short read is a broken link. */
  protected async read(offset: number, length: number): Promise<Buffer> {
    const { bytes } = await readRange(this.endpoint, this.path, { offset, length });
    if (bytes.length < length) {
      throw new HopsError('AGENT_UNREACHABLE', `Reading ${this.path} ended after ${bytes.length} of ${length} bytes.`, { hint: 'Open the preview again.' });
    }
    return bytes;
  }
}

/** A file on this machine (an offline copy). */
export class LocalContent extends CountedContent {
  private readonly file: string;

  constructor(file: string, size: number) {
    super(size);
    this.file = file;
  }

  protected async read(offset: number, length: number): Promise<Buffer> {
    const handle = await open(this.file, 'r');
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
}
