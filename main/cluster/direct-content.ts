/**
 * File content straight to the head's cluster listener, beside the SSH tunnel.
 *
 * Through the tunnel every byte is encrypted by ssh2 in the desktop's one thread, which
 * costs about twice the CPU of OpenSSH's client and set the pace of a `dataset put` or
 * `get` (docs/benchmarks.md, bench/fs (a)). A desktop that holds the cluster CA (the
 * admin who formed the cluster) instead makes itself a client certificate of that CA and
 * sends the content requests, with the same user token, over mutual TLS to the head's
 * cluster listener, which serves a desktop's certificate the content routes only
 * (cluster-agent/server.ts). The head is known by its certificate (CN = its host id),
 * never by the address dialled. Everything else keeps to the tunnel.
 *
 * When the listener cannot be reached (a firewall, a bastion between desktop and
 * cluster), the request goes through the tunnel instead, and the direct path is not
 * tried again for a minute.
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { AgentEndpoint } from './agent-client.ts';

/** Where and how to reach the head's cluster listener directly. */
export interface DirectContent {
  host: string;
  port: number;
  /** The CN the head's certificate must carry. */
  headHostId: string;
  /** The cluster CA, and this desktop's certificate and key (PEM). */
  tls: { ca: string; cert: string; key: string };
}

/** How long dialling the listener may take before the tunnel is used instead. */
const connectWithinMs = 3_000;

/** How long a listener that could not be reached is left alone. */
const retryAfterMs = 60_000;

/** When each direct path was last found unreachable. */
const unreachableAtMs = new WeakMap<DirectContent, number>();

export interface ContentRequestOptions {
  method: 'GET' | 'PUT';
  /** Path and query, e.g. `/v1/fs/content?path=…`. */
  path: string;
  headers: http.OutgoingHttpHeaders;
  signal?: AbortSignal;
}

/**
 * A request for file content to the head: over the direct path when the endpoint has one
 * and it answers the handshake, otherwise through the tunnel. `where` names what was
 * reached, for errors.
 */
export async function contentRequest(endpoint: AgentEndpoint, options: ContentRequestOptions): Promise<{ request: http.ClientRequest; where: string }> {
  const { method, path, signal } = options;
  const headers = { ...options.headers, authorization: `Bearer ${endpoint.token}` };
  const direct = await directSocket(endpoint, signal);
  if (direct !== undefined) {
    const { socket, where, host, port } = direct;
    const request = http.request({ host, port, path, method, headers, ...(signal === undefined ? {} : { signal }), createConnection: () => socket });
    return { request, where };
  }
  return { request: http.request(`${endpoint.baseUrl}${path}`, { method, headers, ...(signal === undefined ? {} : { signal }) }), where: endpoint.baseUrl };
}

/**
 * A connection for one content request, reading with `onread` (receive-file.ts): to the
 * head's cluster listener when the endpoint has one that answers, otherwise to the tunnel.
 * `host` is for the request's `host` header.
 */
export async function contentConnection(endpoint: AgentEndpoint, onread: net.OnReadOpts, signal?: AbortSignal): Promise<{ socket: net.Socket; where: string; host: string }> {
  const direct = await directSocket(endpoint, signal, onread);
  if (direct !== undefined) return { socket: direct.socket, where: direct.where, host: `${direct.host}:${direct.port}` };
  const url = new URL(endpoint.baseUrl);
  if (url.protocol !== 'http:') throw new Error(`A content connection goes to a tunnel's http:// end, not ${endpoint.baseUrl}.`);
  const socket = net.connect({ host: url.hostname, port: Number(url.port), onread });
  await new Promise<void>((resolve, reject) => {
    const abort = () => socket.destroy(signal?.reason as Error);
    signal?.addEventListener('abort', abort, { once: true });
    socket.once('connect', () => (signal?.removeEventListener('abort', abort), socket.removeListener('error', reject), resolve()));
    socket.once('error', (err) => (signal?.removeEventListener('abort', abort), reject(err)));
  });
  return { socket, where: endpoint.baseUrl, host: url.host };
}

/** The direct path's socket and address, when the endpoint has one and it is not known unreachable; undefined to use the tunnel. */
async function directSocket(
  endpoint: AgentEndpoint,
  signal?: AbortSignal,
  onread?: net.OnReadOpts,
): Promise<{ socket: tls.TLSSocket; where: string; host: string; port: number } | undefined> {
  const direct = endpoint.direct;
  if (direct === undefined || Date.now() - (unreachableAtMs.get(direct) ?? -Infinity) <= retryAfterMs) return undefined;
  const socket = await dial(direct, signal, onread).catch(() => undefined);
  if (socket !== undefined) return { socket, where: `${direct.host}:${direct.port} (its cluster listener)`, host: direct.host, port: direct.port };
  if (signal?.aborted === true) throw signal.reason;
  unreachableAtMs.set(direct, Date.now());
  return undefined;
}

/** A TLS connection to the head's cluster listener, once its handshake is done. */
function dial(direct: DirectContent, signal = new AbortController().signal, onread?: net.OnReadOpts): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: direct.host,
      port: direct.port,
      ...direct.tls,
      ...(onread === undefined ? {} : { onread }),
      minVersion: 'TLSv1.3',
      rejectUnauthorized: true,
      // The head's certificate names its host id, not an address (cluster-agent/cluster-tls.ts).
      checkServerIdentity: (_host, cert) =>
        cert.subject?.CN === direct.headHostId ? undefined : new Error(`the listener's certificate is not the head's (${direct.headHostId})`),
    });
    const abort = () => socket.destroy(signal.reason as Error);
    signal.addEventListener('abort', abort, { once: true });
    const timer = setTimeout(() => socket.destroy(new Error(`no TLS handshake within ${connectWithinMs / 1000} s`)), connectWithinMs);
    const failed = (err: Error) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      reject(err);
    };
    socket.once('error', failed);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      socket.removeListener('error', failed);
      // The request takes the socket's errors over; until it does, none may go unheard.
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}
