/**
 * One cluster's live connection: handshake, host list, event stream (pinged, so a frozen
 * agent is noticed), and reconnection with capped backoff. Its state is what the status
 * bar shows; its detail says why it is not connected.
 */
import type { AgentEvent } from '../../protocol/agent-api.ts';
import { backoffDelayMs, type BackoffSchedule } from '../../protocol/backoff.ts';
import type { Connection, ConnectionState } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import type { Job } from '../../protocol/jobs-api.ts';
import { AgentClient, type AgentEndpoint } from './agent-client.ts';

export interface ClusterConnectionOptions {
  cluster: string;
  /** Finds (or starts) the head and returns how to reach it. */
  resolveEndpoint: () => Promise<AgentEndpoint>;
  onState: (connection: Connection) => void;
  onHosts: (hosts: ClusterHost[]) => void;
  onMetrics: (hostId: string, sample: Extract<AgentEvent, { type: 'host.metrics' }>['sample']) => void;
  /** A job of the user's projects changed state (the head's `job.changed`). */
  onJob?: (job: Job) => void;
  log: (line: string) => void;
  /** How often the event stream is pinged, and how long a pong may take before the agent counts as gone. */
  liveness?: { pingEveryMs: number; pongWithinMs: number };
}

/**
 * A frozen agent (stopped, or its host cut off) leaves the socket open and silent; only an
 * unanswered ping tells. A few seconds each: a busy agent still answers well within that.
 */
const defaultLiveness = { pingEveryMs: 5_000, pongWithinMs: 5_000 };

/** One desktop per agent: no jitter needed, and a short cap so a restarted agent is found fast. */
const reconnectBackoff: BackoffSchedule = { firstMs: 250, maxMs: 5_000 };

export class ClusterConnection {
  private readonly options: ClusterConnectionOptions;
  private current: Connection;
  private agent: AgentClient | undefined;
  private closeStream: (() => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;
  private firstAttempt: Promise<void> | undefined;
  private agentVersion: string | null = null;
  /** Why the last attempt failed or the stream ended, kept in the detail while retrying. */
  private problem = '';

  constructor(options: ClusterConnectionOptions) {
    this.options = options;
    this.current = { state: 'offline', detail: 'not connected yet', sinceMs: Date.now() };
  }

  get connection(): Connection {
    return this.current;
  }

  get version(): string | null {
    return this.agentVersion;
  }

  /** Connects once; resolves after the first attempt, whether it succeeded or not. */
  start(): Promise<void> {
    this.stopped = false;
    this.firstAttempt ??= this.connect();
    return this.firstAttempt;
  }

  /** The head's client, or a clear error when the cluster is not connected. */
  client(): AgentClient {
    if (!this.agent || this.current.state !== 'connected') {
      throw new HopsError('AGENT_UNREACHABLE', `Cluster "${this.options.cluster}" is ${this.current.state}: ${this.current.detail}.`);
    }
    return this.agent;
  }

  /** Closes the stream and cancels reconnection. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.closeStream?.();
    this.closeStream = undefined;
    this.agent = undefined;
    this.setState('offline', 'disconnected');
  }

  /** Fetches the host list now and publishes it. */
  async refreshHosts(): Promise<ClusterHost[]> {
    const { hosts } = await this.client().hosts();
    this.options.onHosts(hosts);
    return hosts;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.setState(this.attempt === 0 ? 'starting' : 'reconnecting', this.attempt === 0 ? 'connecting' : `retry ${this.attempt} after: ${this.problem}`);
    try {
      const endpoint = await this.options.resolveEndpoint();
      const agent = new AgentClient(endpoint);
      const hello = await agent.hello();
      if (this.stopped) return;
      this.agent = agent;
      this.agentVersion = hello.agentVersion;
      this.closeStream = agent.streamEvents(
        (event) => this.onEvent(event),
        (reason) => this.onStreamClosed(reason),
        this.options.liveness ?? defaultLiveness,
      );
      this.attempt = 0;
      this.setState('connected', `agent ${hello.agentVersion} at ${endpoint.baseUrl.replace(/^https?:\/\//, '')}`);
      await this.refreshHosts();
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.problem = error;
      this.agent = undefined;
      const fatal = err instanceof HopsError && err.code === 'AGENT_VERSION_MISMATCH';
      this.setState(fatal ? 'version-mismatch' : 'reconnecting', fatal ? `${error} Upgrade the agents: hopsdesk host upgrade.` : error);
      if (!fatal) this.scheduleRetry();
    }
  }

  private onEvent(event: AgentEvent): void {
    if (this.stopped) return;
    if (event.type === 'host.metrics') this.options.onMetrics(event.hostId, event.sample);
    else if (event.type === 'job.changed') this.options.onJob?.(event.job);
    else this.refreshHosts().catch((err: unknown) => this.options.log(`host refresh failed: ${String(err)}`));
  }

  private onStreamClosed(reason: string): void {
    if (this.stopped) return;
    this.agent = undefined;
    this.closeStream = undefined;
    this.problem = reason;
    this.options.log(`cluster ${this.options.cluster}: ${reason}; reconnecting`);
    this.setState('reconnecting', reason);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const delay = backoffDelayMs(this.attempt, reconnectBackoff);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private setState(state: ConnectionState, detail: string): void {
    if (this.current.state === state && this.current.detail === detail) return;
    this.current = { state, detail, sinceMs: Date.now() };
    this.options.onState(this.current);
  }
}
