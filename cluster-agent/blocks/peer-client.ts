/**
 * How an agent moves blocks to and from other agents' cluster listeners: the head
 * dialling workers (writes, reads, deletes), and a worker dialling the next host of a
 * write pipeline. Like `worker/head-client.ts`, over `node:http`/`node:https` (fetch
 * cannot present a client certificate): with cluster TLS, this agent presents its own
 * certificate, trusts the cluster CA alone and accepts a peer only when its
 * certificate's CN is the hostId it meant to reach. Without TLS (the one-listener local
 * cluster) peers are dialled over plain HTTP.
 *
 * Bodies stream both ways with backpressure; nothing holds more than a chunk or two.
 */
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { blockHeaders, blockRoutes, type BlockReadQuery, type BlockWriteAck, type DeleteBlocksReply, type PipelineTarget } from '../../protocol/agent-api.ts';
import { HopsError, type ErrorCode } from '../../protocol/errors.ts';
import { clusterClientTls, type ClusterTlsMaterial } from '../cluster-tls.ts';
import { replyError } from '../worker/head-client.ts';
import type { PieceSink } from './pipeline.ts';

export interface PeerClientOptions {
  /** This agent's cluster certificate; undefined on a cluster without TLS. */
  tls: ClusterTlsMaterial | undefined;
  clusterToken: string;
  /** A request that makes no progress this long is given up. Default 120 s. */
  ioTimeoutMs?: number;
}

/** JSON replies of peers are small; anything larger is not one. */
const maxReplyBytes = 1024 * 1024;

/** The route of one block. */
export function blockPath(blockId: string): string {
  return blockRoutes.block.replace(':blockId', blockId);
}

/** Connection pools to other agents, one per host. */
export class PeerClient {
  private readonly options: PeerClientOptions;
  private readonly agents = new Map<string, http.Agent>();
  private readonly ioTimeoutMs: number;

  constructor(options: PeerClientOptions) {
    this.options = options;
    this.ioTimeoutMs = options.ioTimeoutMs ?? 120_000;
  }

  /**
   * Starts writing block `blockId` to `target`, which forwards it to `rest` (the rest of
   * the pipeline). `finish` resolves with the acknowledgement of the whole pipeline.
   */
  putBlock(target: PipelineTarget, blockId: string, rest: readonly PipelineTarget[], maxSize: number): PieceSink {
    const request = this.request(target, 'PUT', blockPath(blockId), {
      'content-type': 'application/octet-stream',
      [blockHeaders.pipeline]: JSON.stringify(rest),
      [blockHeaders.maxSize]: String(maxSize),
    });
    const acked = this.reply(request, target, 'BLOCK_WRITE_FAILED', `writing block ${blockId} to`).then((text) => JSON.parse(text) as BlockWriteAck);
    // A refusal can come back while bytes are still being sent; the next write or finish throws it.
    let failure: unknown;
    acked.catch((err: unknown) => {
      failure = err;
    });
    const answeredEarly = acked.then(() => Promise.reject(new Error(`Host ${target.hostId} answered before block ${blockId} was sent.`)));
    answeredEarly.catch(() => undefined);
    return {
      write: async (pieces) => {
        if (failure !== undefined) throw failure;
        if (pieces.length === 0) return;
        // Corked, the pieces leave in one socket write. The caller reuses their memory once
        // this resolves, so it waits until the socket has taken them (the last one's
        // callback), not only until there is room for more.
        const stop = new AbortController();
        const taken = new Promise<void>((resolve, reject) => {
          request.cork();
          pieces.forEach((piece, i) => request.write(piece, i === pieces.length - 1 ? (err) => (err ? reject(err) : resolve()) : undefined));
          request.uncork();
          // A request destroyed meanwhile may never call back.
          once(request, 'close', { signal: stop.signal }).then(
            () => reject(new Error(`the connection to ${target.hostId} closed`)),
            (err: unknown) => reject(err),
          );
        });
        // Settled by whichever comes first; a late rejection has nobody left to hear it.
        taken.catch(() => undefined);
        try {
          await Promise.race([taken, answeredEarly]);
        } catch (err) {
          // A broken connection usually follows a refusal: the peer's answer says more.
          throw await Promise.race([acked.then(() => err, (refusal: unknown) => refusal), delay(1000).then(() => err)]);
        } finally {
          stop.abort();
        }
      },
      finish: async () => {
        if (failure !== undefined) throw failure;
        request.end();
        return acked;
      },
      abort: async () => {
        request.destroy();
        await acked.catch(() => undefined);
      },
    };
  }

  /** Opens block `blockId` on `target` for reading (verified there first). */
  async getBlock(target: PipelineTarget, blockId: string, query: BlockReadQuery): Promise<Readable> {
    const search = new URLSearchParams();
    if (query.sha256 !== undefined) search.set('sha256', query.sha256);
    if (query.offset !== undefined && query.offset > 0) search.set('offset', String(query.offset));
    const suffix = search.size > 0 ? `?${search.toString()}` : '';
    const request = this.request(target, 'GET', `${blockPath(blockId)}${suffix}`, {});
    request.end();
    let response: http.IncomingMessage;
    try {
      [response] = (await once(request, 'response')) as [http.IncomingMessage];
    } catch (err) {
      throw this.networkError(err, target, 'DATA_UNAVAILABLE', `reading block ${blockId} from`);
    }
    // From here a broken connection surfaces as an error of the response stream.
    request.on('error', () => undefined);
    if (response.statusCode === 200) return response;
    const text = await readText(response);
    throw replyError(response.statusCode ?? 0, text, `Host ${target.hostId}`);
  }

  /** Deletes blocks on `target`; resolves with how many it had. */
  async deleteBlocks(target: PipelineTarget, blockIds: readonly string[]): Promise<number> {
    const payload = Buffer.from(JSON.stringify({ blockIds }));
    const request = this.request(target, 'POST', blockRoutes.deleteBlocks, { 'content-type': 'application/json', 'content-length': String(payload.length) });
    request.end(payload);
    const text = await this.reply(request, target, 'AGENT_UNREACHABLE', 'deleting blocks on');
    return (JSON.parse(text) as DeleteBlocksReply).deleted;
  }

  /**
   * A JSON request to `target`'s cluster listener (the head telling a worker about jobs);
   * resolves with the parsed reply of a 2xx, rejects with the peer's error otherwise.
   */
  async call<T>(target: PipelineTarget, method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(payload.length) };
    const request = this.request(target, method, route, headers);
    request.end(payload);
    const text = await this.reply(request, target, 'AGENT_UNREACHABLE', `calling ${route} on`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** GETs `route` from `target` as a stream of bytes (a job's log or output file). */
  async openStream(target: PipelineTarget, route: string): Promise<Readable> {
    const request = this.request(target, 'GET', route, {});
    request.end();
    let response: http.IncomingMessage;
    try {
      [response] = (await once(request, 'response')) as [http.IncomingMessage];
    } catch (err) {
      throw this.networkError(err, target, 'AGENT_UNREACHABLE', `reading ${route} from`);
    }
    request.on('error', () => undefined);
    if (response.statusCode === 200) return response;
    throw replyError(response.statusCode ?? 0, await readText(response), `Host ${target.hostId}`);
  }

  /** Closes every connection (in-flight requests fail). */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  private request(target: PipelineTarget, method: string, route: string, headers: Record<string, string>): http.ClientRequest {
    const secure = this.options.tls !== undefined;
    const url = new URL(route, `${secure ? 'https' : 'http'}://${target.address}`);
    const request = (secure ? https.request : http.request)(url, {
      method,
      agent: this.agentFor(target),
      headers: { authorization: `Bearer ${this.options.clusterToken}`, ...headers },
    });
    request.setTimeout(this.ioTimeoutMs, () => request.destroy(new Error(`no progress for ${this.ioTimeoutMs} ms`)));
    return request;
  }

  /** The reply's text when it is a success; its error (or the connection's) otherwise. */
  private reply(request: http.ClientRequest, target: PipelineTarget, code: ErrorCode, doing: string): Promise<string> {
    return new Promise((resolve, reject) => {
      let responded = false;
      request.on('response', (response) => {
        responded = true;
        readText(response).then((text) => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(text);
          else reject(replyError(status, text, `Host ${target.hostId}`));
        }, (err: unknown) => reject(this.networkError(err, target, code, doing)));
      });
      request.on('error', (err) => {
        // Once a response is arriving, its body says what went wrong, not the broken upload.
        if (!responded) reject(this.networkError(err, target, code, doing));
      });
    });
  }

  private agentFor(target: PipelineTarget): http.Agent {
    const key = `${target.hostId}@${target.address}`;
    let agent = this.agents.get(key);
    if (agent === undefined) {
      const pool = { keepAlive: true, maxSockets: 16, timeout: 60_000 };
      const tls = this.options.tls;
      agent = tls === undefined ? new http.Agent(pool) : new https.Agent({ ...pool, ...clusterClientTls(tls, target.hostId) });
      this.agents.set(key, agent);
    }
    return agent;
  }

  private networkError(err: unknown, target: PipelineTarget, code: ErrorCode, doing: string): HopsError {
    if (err instanceof HopsError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new HopsError(code, `Failed ${doing} host ${target.hostId} (${target.address}): ${message}.`, { cause: err });
  }
}

async function readText(response: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxReplyBytes) {
      response.destroy();
      throw new Error(`the reply is larger than ${maxReplyBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
