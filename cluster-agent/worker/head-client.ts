/**
 * How a worker talks HTTP to its head. `node:http`/`node:https` rather than fetch:
 * Node's fetch cannot present a client certificate, and the head's cluster listener
 * requires one. An https head is trusted by the cluster CA alone and identified by its
 * certificate's CN (`clusterClientTls`); an http head (the local one-host cluster) is
 * dialled as it is. Connections are kept alive between heartbeats, so a TLS handshake
 * is not paid every few seconds.
 */
import http from 'node:http';
import https from 'node:https';
import { HopsError, errorCodes, type ErrorCode, type WireError } from '../../protocol/errors.ts';
import { clusterClientTls, type ClusterTlsMaterial } from '../cluster-tls.ts';

/** The TLS side of an https head: this agent's certificate and the head's expected hostId. */
export interface HeadTls extends ClusterTlsMaterial {
  headHostId: string;
}

export interface HeadReply {
  status: number;
  text: string;
}

/** Replies of a head are small; anything larger is not one. */
const maxReplyBytes = 1024 * 1024;

/**
 * Idle connections are closed well before the head's keep-alive timeout (fastify's 72 s),
 * so a request never races the head closing the connection it was sent on.
 */
const idleSocketTimeoutMs = 15_000;

/** One head's connection pool. */
export class HeadClient {
  private readonly origin: string;
  private readonly secure: boolean;
  private readonly agent: http.Agent;

  /** Throws when an https `origin` comes without `tls` (the config prevents it). */
  constructor(origin: string, tls?: HeadTls) {
    this.origin = origin;
    this.secure = origin.startsWith('https:');
    if (this.secure && tls === undefined) throw new Error(`The head ${origin} is https, and no cluster certificate is configured.`);
    const pool = { keepAlive: true, maxSockets: 2, timeout: idleSocketTimeoutMs };
    this.agent = this.secure && tls !== undefined ? new https.Agent({ ...pool, ...clusterClientTls(tls, tls.headHostId) }) : new http.Agent(pool);
  }

  /** POSTs `body` as JSON with `token`; resolves with any status, rejects when no answer came. */
  post(route: string, body: unknown, token: string, signal: AbortSignal): Promise<HeadReply> {
    const payload = Buffer.from(JSON.stringify(body));
    const request = this.secure ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const outgoing = request(
        new URL(route, this.origin),
        {
          method: 'POST',
          agent: this.agent,
          signal,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': payload.length },
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxReplyBytes) response.destroy(new Error(`The head's reply is larger than ${maxReplyBytes} bytes.`));
            else chunks.push(chunk);
          });
          response.on('error', reject);
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  /** Closes every connection. */
  close(): void {
    this.agent.destroy();
  }
}

/**
 * Another agent's error reply as a `HopsError` with that agent's code and words; `who`
 * ("The head", "Host gpu-2") names it when the reply is not one of ours.
 */
export function replyError(status: number, text: string, who: string): HopsError {
  let wire: Partial<WireError> = {};
  try {
    wire = JSON.parse(text) as Partial<WireError>;
  } catch {
    // Not one of ours (a proxy's error page); the status says enough.
  }
  const code: ErrorCode = wire.code !== undefined && wire.code in errorCodes ? wire.code : 'AGENT_UNREACHABLE';
  return new HopsError(code, wire.message ?? `${who} answered HTTP ${status}.`, wire.hint === undefined ? {} : { hint: wire.hint });
}
