/**
 * Where a previewed file's bytes come from: the cluster (streamed from the head through
 * its client API, stopped as soon as enough has arrived) or an offline copy on this disk.
 * Both count every byte they deliver, so a preview can say, and a test can check, how
 * little of a large file it read.
 */
import { open } from 'node:fs/promises';
import http from 'node:http';
import { HopsError, type WireError } from '../../protocol/errors.ts';
import { fsRoutes } from '../../protocol/fs.ts';
import type { AgentEndpoint } from '../cluster/agent-client.ts';

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

/** A file of the cluster filesystem, read through the head. */
export class ClusterContent implements ContentSource {
  readonly size: number;
  private readonly endpoint: AgentEndpoint;
  private readonly path: string;
  private delivered = 0;

  constructor(endpoint: AgentEndpoint, path: string, size: number) {
    this.endpoint = endpoint;
    this.path = path;
    this.size = size;
  }

  get bytesRead(): number {
    return this.delivered;
  }

  head(length: number): Promise<Buffer> {
    return this.range(0, Math.min(length, this.size));
  }

  /** `length` bytes from `offset`, read by the head from the blocks that hold them. */
  async range(offset: number, length: number): Promise<Buffer> {
    const wanted = Math.max(0, Math.min(length, this.size - offset));
    if (wanted === 0) return Buffer.alloc(0);
    const query = new URLSearchParams({ path: this.path, offset: String(offset), length: String(wanted) });
    const request = http.request(`${this.endpoint.baseUrl}${fsRoutes.content}?${query}`, {
      headers: { authorization: `Bearer ${this.endpoint.token}` },
    });
    request.end();
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      request.once('response', resolve);
      request.once('error', (err) => reject(new HopsError('AGENT_UNREACHABLE', `Cannot reach the head at ${this.endpoint.baseUrl}: ${err.message}.`, { cause: err })));
    });
    if ((response.statusCode ?? 500) >= 300) throw await refusal(response, this.path);
    const parts: Buffer[] = [];
    let kept = 0;
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        const take = chunk.subarray(0, wanted - kept);
        this.delivered += chunk.length;
        parts.push(take);
        kept += take.length;
        if (kept >= wanted) break;
      }
    } finally {
      // Leaving the loop early must end the transfer, not leave the head streaming.
      request.destroy();
    }
    if (kept < wanted) {
      throw new HopsError('AGENT_UNREACHABLE', `Reading ${this.path} ended after ${kept} of ${wanted} bytes.`, { hint: 'Open the preview again.' });
    }
    return Buffer.concat(parts, kept);
  }
}

/** A file on this machine (an offline copy). */
export class LocalContent implements ContentSource {
  readonly size: number;
  private readonly file: string;
  private delivered = 0;

  constructor(file: string, size: number) {
    this.file = file;
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
    const handle = await open(this.file, 'r');
    try {
      const buffer = Buffer.alloc(wanted);
      const { bytesRead } = await handle.read(buffer, 0, wanted, offset);
      this.delivered += bytesRead;
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
}

async function refusal(response: http.IncomingMessage, path: string): Promise<HopsError> {
  let body = '';
  for await (const chunk of response) body += String(chunk);
  try {
    const wire = JSON.parse(body) as Partial<WireError>;
    if (typeof wire.code === 'string' && typeof wire.message === 'string') {
      return HopsError.fromWire({ code: wire.code, message: wire.message, hint: wire.hint ?? '', ...(wire.field === undefined ? {} : { field: wire.field }) } as WireError);
    }
  } catch {
    // Not one of ours; the status says enough.
  }
  return new HopsError('AGENT_UNREACHABLE', `The head answered ${response.statusCode ?? 500} for ${path}.`);
}
