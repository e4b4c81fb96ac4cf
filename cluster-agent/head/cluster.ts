/**
 * The head's view of the cluster: hosts register and heartbeat here, their health is
 * derived from how long ago the head last heard from them, and every change is
 * published as an `AgentEvent` to subscribers (the events WebSocket).
 *
 * Registrations and samples live in the cluster database; `hostMetrics` reads samples
 * from there rather than from a second in-memory copy, because the table already holds
 * the retained samples, survives a head restart, and the indexed query is bounded by
 * `limits.maxMetricsSamples`. Only each host's latest sample and reported health are
 * kept in memory, for the host list and for change detection.
 *
 * A host is `unreachable` while silent, else `draining` once drained (until forgotten,
 * across heartbeats, re-registrations and head restarts), else `healthy`. A host silent
 * past `deadHostAfterMs` is also declared dead (`deadSinceMs`): the filesystem stops
 * counting its replicas and copies its blocks elsewhere. It is published as a
 * `host.state` event like any other change, and undone by its next heartbeat.
 */
import {
  AGENT_PROTOCOL_VERSION,
  type AgentEvent,
  type HeartbeatRequest,
  type RegisterReply,
  type RegisterRequest,
} from '../../protocol/agent-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { ClusterHost, HostState, MetricsSample } from '../../protocol/host.ts';
import { limits } from '../../protocol/limits.ts';
import type { AgentLog } from '../log.ts';
import type { ClusterDb, HostRecord } from './cluster-db.ts';

/** What the head needs from the configuration. */
export interface ClusterSettings {
  heartbeatIntervalMs: number;
  unreachableAfterMs: number;
  /** Samples kept per host. */
  metricsRetention: number;
  /** Silence after which a host is declared dead; never when absent. */
  deadHostAfterMs?: number;
}

export type ClusterListener = (event: AgentEvent) => void;

interface KnownHost {
  record: HostRecord;
  latest: MetricsSample | null;
  /** The state last published, to publish only changes. */
  reported: HostState;
  /** Whether the host was last published as dead. */
  reportedDead: boolean;
}

/** The registry of hosts kept by the head. */
export class Cluster {
  private readonly db: ClusterDb;
  private readonly settings: ClusterSettings;
  private readonly log: AgentLog;
  private readonly now: () => number;
  private readonly known = new Map<string, KnownHost>();
  private readonly listeners = new Set<ClusterListener>();
  private healthTimer: NodeJS.Timeout | undefined;
  /**
   * Whether the head wants a host's full block report with its next heartbeat reply (the
   * filesystem sets it: after a head restart, or when a dead host is back).
   */
  blockReportWanted: (hostId: string) => boolean = () => false;

  constructor(db: ClusterDb, settings: ClusterSettings, log: AgentLog, now: () => number = Date.now) {
    this.db = db;
    this.settings = settings;
    this.log = log;
    this.now = now;
    for (const record of db.hosts()) {
      const latest = db.samples(record.hostId, 0, 1)[0] ?? null;
      this.known.set(record.hostId, { record, latest, reported: this.stateOf(record), reportedDead: this.isDead(record) });
    }
  }

  /** Starts watching for hosts that stop heartbeating. */
  start(): void {
    if (this.healthTimer !== undefined) return;
    const everyMs = Math.max(50, Math.min(this.settings.heartbeatIntervalMs, this.settings.unreachableAfterMs / 4));
    this.healthTimer = setInterval(() => this.checkHealth(), everyMs);
  }

  /** Stops the health watch and drops every subscriber. */
  stop(): void {
    clearInterval(this.healthTimer);
    this.healthTimer = undefined;
    this.listeners.clear();
  }

  /**
   * Registers (or re-registers) a host. Throws `AGENT_VERSION_MISMATCH` when the host
   * speaks another protocol version.
   */
  register(request: RegisterRequest): RegisterReply {
    if (request.protocolVersion !== AGENT_PROTOCOL_VERSION) {
      throw new HopsError(
        'AGENT_VERSION_MISMATCH',
        `Host ${request.hostId} runs agent ${request.agentVersion} speaking protocol ${request.protocolVersion}; this head speaks protocol ${AGENT_PROTOCOL_VERSION}.`,
      );
    }
    const nowMs = this.now();
    const previous = this.known.get(request.hostId);
    if (previous !== undefined && previous.record.hostname !== request.hostname) {
      // Two machines configured with one host id would overwrite each other here.
      this.log.warn('host id registered again by another machine', {
        hostId: request.hostId,
        before: previous.record.hostname,
        now: request.hostname,
      });
    }
    const record: HostRecord = {
      hostId: request.hostId,
      hostname: request.hostname,
      address: request.address,
      roles: [...request.roles],
      agentVersion: request.agentVersion,
      inventory: request.inventory,
      // A host that registers again (agent restart, head lost track) keeps its first date.
      registeredAtMs: previous?.record.registeredAtMs ?? nowMs,
      lastHeartbeatMs: nowMs,
      // Restarting its agent does not put a drained host back into service.
      draining: previous?.record.draining ?? false,
    };
    this.db.upsertHost(record);
    const host: KnownHost = { record, latest: previous?.latest ?? null, reported: this.stateOf(record), reportedDead: false };
    this.known.set(request.hostId, host);
    this.log.info('host registered', { hostId: record.hostId, hostname: record.hostname, address: record.address });
    this.publish({ type: 'host.state', host: this.view(host) });
    return { heartbeatIntervalMs: this.settings.heartbeatIntervalMs };
  }

  /**
   * Records a heartbeat; false when the host is unknown (it must register first). A
   * heartbeat repeating the sample already held (the host samples less often than it
   * heartbeats) counts for liveness only, so no sample is stored or published twice.
   */
  heartbeat(request: HeartbeatRequest): boolean {
    const host = this.known.get(request.hostId);
    if (host === undefined) return false;
    const nowMs = this.now();
    if (host.latest?.atMs === request.sample.atMs) {
      this.db.touchHost(request.hostId, nowMs);
    } else {
      this.db.recordHeartbeat(request.hostId, nowMs, request.sample, this.settings.metricsRetention);
      host.latest = request.sample;
      this.publish({ type: 'host.metrics', hostId: request.hostId, sample: request.sample });
    }
    host.record.lastHeartbeatMs = nowMs;
    const state = this.stateOf(host.record);
    if (host.reported !== state || host.reportedDead) {
      if (host.reportedDead) this.log.info('host back after it was declared dead', { hostId: request.hostId });
      host.reported = state;
      host.reportedDead = false;
      this.log.info(`host ${state}`, { hostId: request.hostId });
      this.publish({ type: 'host.state', host: this.view(host) });
    }
    return true;
  }

  /**
   * Takes a host out of scheduling: it stays `draining` until forgotten. Returns the
   * host as it is now; undefined for an unknown host. Draining twice changes nothing.
   */
  drain(hostId: string): ClusterHost | undefined {
    const host = this.known.get(hostId);
    if (host === undefined) return undefined;
    if (!host.record.draining) {
      this.db.setDraining(hostId, true);
      host.record.draining = true;
      this.log.info('host drained', { hostId });
    }
    const state = this.stateOf(host.record);
    if (host.reported !== state) {
      host.reported = state;
      this.publish({ type: 'host.state', host: this.view(host) });
    }
    return this.view(host);
  }

  /**
   * Forgets a host and its samples; false when it was not known. A host whose agent
   * still runs is told so by the 404 its next heartbeat gets, and registers again.
   */
  forget(hostId: string): boolean {
    if (!this.known.delete(hostId)) return false;
    this.db.deleteHost(hostId);
    this.log.info('host forgotten', { hostId });
    this.publish({ type: 'host.removed', hostId });
    return true;
  }

  /** Every host with its current health. */
  hosts(): ClusterHost[] {
    return [...this.known.values()].map((host) => this.view(host));
  }

  /** A host's samples after `sinceMs`, oldest first; undefined for an unknown host. */
  hostSamples(hostId: string, sinceMs = 0): MetricsSample[] | undefined {
    if (!this.known.has(hostId)) return undefined;
    return this.db.samples(hostId, sinceMs, limits.maxMetricsSamples);
  }

  /** Calls `listener` with every event; returns a function that stops it. */
  subscribe(listener: ClusterListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private checkHealth(): void {
    for (const host of this.known.values()) {
      const state = this.stateOf(host.record);
      const dead = this.isDead(host.record);
      if (dead !== host.reportedDead) {
        host.reportedDead = dead;
        host.reported = state;
        if (dead) this.log.warn('host declared dead', { hostId: host.record.hostId, silentForMs: this.now() - host.record.lastHeartbeatMs });
        this.publish({ type: 'host.state', host: this.view(host) });
        continue;
      }
      if (state === host.reported) continue;
      host.reported = state;
      this.log.write(state === 'unreachable' ? 'warn' : 'info', `host ${state}`, {
        hostId: host.record.hostId,
        silentForMs: this.now() - host.record.lastHeartbeatMs,
      });
      this.publish({ type: 'host.state', host: this.view(host) });
    }
  }

  private isDead(record: HostRecord): boolean {
    const after = this.settings.deadHostAfterMs;
    return after !== undefined && this.now() - record.lastHeartbeatMs > after;
  }

  private stateOf(record: HostRecord): HostState {
    if (this.now() - record.lastHeartbeatMs > this.settings.unreachableAfterMs) return 'unreachable';
    return record.draining ? 'draining' : 'healthy';
  }

  private view(host: KnownHost): ClusterHost {
    // `draining` is told by the state; the wire shape has no field for it.
    const { draining: _draining, ...record } = host.record;
    const after = this.settings.deadHostAfterMs;
    const deadSince = after !== undefined && this.isDead(host.record) ? { deadSinceMs: host.record.lastHeartbeatMs + after } : {};
    return { ...record, roles: [...record.roles], state: this.stateOf(host.record), ...deadSince, latest: host.latest };
  }

  private publish(event: AgentEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.error('event subscriber failed', { err });
      }
    }
  }
}
