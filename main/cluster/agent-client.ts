/**
 * The desktop's client of a head agent's client API: token on every request, a timeout on
 * every step, and a versioned handshake so a mismatch is a clear error rather than a hang.
 */
import WebSocket from 'ws';
import {
  AGENT_PROTOCOL_VERSION,
  agentRoutes,
  type AgentEvent,
  type Hello,
  type HostsReply,
  type MetricsReply,
} from '../../protocol/agent-api.ts';
import { HopsError, type WireError } from '../../protocol/errors.ts';
import { projectRoutes } from '../../protocol/projects.ts';
import type { DirectContent } from './direct-content.ts';

export interface AgentEndpoint {
  /** e.g. `http://127.0.0.1:41234` — a loopback address or the local end of a tunnel. */
  baseUrl: string;
  token: string;
  /** The head's cluster listener, for file content beside the tunnel (`direct-content.ts`); only where the desktop holds the cluster CA. */
  direct?: DirectContent;
}

const requestTimeoutMs = 5_000;

export class AgentClient {
  readonly endpoint: AgentEndpoint;

  constructor(endpoint: AgentEndpoint) {
    this.endpoint = endpoint;
  }

  /** Handshake: who the agent is, and whether it speaks our protocol version. */
  async hello(): Promise<Hello> {
    const hello = await this.get<Hello>(agentRoutes.hello);
    if (hello.product !== 'hopsdesk-agent') {
      throw new HopsError('AGENT_UNREACHABLE', `${this.endpoint.baseUrl} is not a Hopsdesk agent.`);
    }
    if (hello.protocolVersion !== AGENT_PROTOCOL_VERSION) {
      throw new HopsError(
        'AGENT_VERSION_MISMATCH',
        `The agent speaks protocol ${hello.protocolVersion} (agent ${hello.agentVersion}); this desktop speaks ${AGENT_PROTOCOL_VERSION}.`,
      );
    }
    return hello;
  }

  /** Every host of the cluster as the head sees it. */
  async hosts(): Promise<HostsReply> {
    return this.get<HostsReply>(agentRoutes.hosts);
  }

  /** Samples the head kept for one host, optionally only those after `sinceMs`. */
  async hostMetrics(hostId: string, sinceMs?: number): Promise<MetricsReply> {
    const path = agentRoutes.hostMetrics.replace(':hostId', encodeURIComponent(hostId));
    const query = sinceMs === undefined ? '' : `?sinceMs=${sinceMs}`;
    return this.get<MetricsReply>(path + query);
  }

  /** Redeems an invite code (the one call made without a user token); returns the new user's token. */
  redeemInvite(code: string, user: string): Promise<{ user: { name: string; admin: boolean; createdAtMs: number }; token: string; project: string | null }> {
    return this.request('POST', projectRoutes.redeem, { user }, `Invite ${code}`);
  }

  /** Marks a host draining: nothing new is placed on it. */
  async drainHost(hostId: string): Promise<void> {
    await this.request('POST', agentRoutes.hostDrain.replace(':hostId', encodeURIComponent(hostId)));
  }

  /** Forgets a host the desktop has removed. */
  async forgetHost(hostId: string): Promise<void> {
    await this.request('DELETE', agentRoutes.host.replace(':hostId', encodeURIComponent(hostId)));
  }

  /**
   * Opens the event stream. `onEvent` gets each event; `onClose` fires once when the stream
   * ends for any reason. Returns a function that closes the stream. With `liveness`, the
   * agent is pinged every `pingEveryMs` and the stream ends when a pong takes longer than
   * `pongWithinMs`: a frozen agent keeps its socket open but answers nothing.
   */
  streamEvents(onEvent: (event: AgentEvent) => void, onClose: (reason: string) => void, liveness?: { pingEveryMs: number; pongWithinMs: number }): () => void {
    const url = this.endpoint.baseUrl.replace(/^http/, 'ws') + agentRoutes.events;
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${this.endpoint.token}` },
      handshakeTimeout: requestTimeoutMs,
    });
    let closed = false;
    let pingTimer: NodeJS.Timeout | undefined;
    let pongTimer: NodeJS.Timeout | undefined;
    const finish = (reason: string) => {
      clearInterval(pingTimer);
      clearTimeout(pongTimer);
      if (closed) return;
      closed = true;
      onClose(reason);
    };
    if (liveness !== undefined) {
      socket.on('open', () => {
        pingTimer = setInterval(() => {
          if (pongTimer !== undefined) return;
          socket.ping();
          pongTimer = setTimeout(() => {
            finish(`the agent answered no ping within ${liveness.pongWithinMs / 1000} s (frozen, or its machine unreachable)`);
            socket.terminate();
          }, liveness.pongWithinMs);
        }, liveness.pingEveryMs);
      });
      socket.on('pong', () => {
        clearTimeout(pongTimer);
        pongTimer = undefined;
      });
    }
    socket.on('message', (data) => {
      try {
        onEvent(JSON.parse(String(data)) as AgentEvent);
      } catch {
        // A malformed frame from the agent is dropped; the next sample replaces it.
      }
    });
    socket.on('error', (err) => finish(err.message));
    socket.on('close', (code) => finish(`event stream closed (${code})`));
    return () => {
      closed = true;
      clearInterval(pingTimer);
      clearTimeout(pongTimer);
      socket.terminate();
    };
  }

  /** A call to the head's project routes (protocol/projects.ts); `:project`/`:user` filled in. */
  call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', route: string, params: Record<string, string> = {}, body?: unknown): Promise<T> {
    const path = route.replace(/:(\w+)/g, (_m, key: string) => encodeURIComponent(params[key] ?? ''));
    return this.request<T>(method, path, body);
  }

  private get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  private async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, authorization = `Bearer ${this.endpoint.token}`): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.endpoint.baseUrl + path, {
        method,
        headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (err) {
      const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new HopsError('AGENT_UNREACHABLE', `Cannot reach the agent at ${this.endpoint.baseUrl}: ${cause}.`, {
        cause: err,
      });
    }
    const answer = (await response.json().catch(() => null)) as unknown;
    if (!response.ok) {
      const wire = answer as Partial<WireError> | null;
      if (wire && typeof wire.code === 'string' && typeof wire.message === 'string') {
        throw HopsError.fromWire({ code: wire.code, message: wire.message, hint: wire.hint ?? '', ...(typeof wire.field === 'string' ? { field: wire.field } : {}) } as WireError);
      }
      throw new HopsError('AGENT_UNREACHABLE', `The agent answered ${response.status} to ${path}.`);
    }
    return answer as T;
  }
}
