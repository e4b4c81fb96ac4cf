/**
 * Safe mode, as HDFS's NameNode has it: a head that just started does not yet know which
 * replicas its workers still hold, so the filesystem is read-only (writes answer 503
 * `SAFE_MODE` saying what it waits for) and nothing is re-replicated, until one of:
 *
 * - the blocks of complete files held by workers that reported since the start reach
 *   `threshold` of all of them (every block when the namespace is empty: a fresh cluster
 *   leaves at once);
 * - every registered worker has reported;
 * - `maxMs` has passed since the start (a worker that never comes back must not keep the
 *   cluster read-only for ever).
 *
 * Once left, it stays off until the head starts again. The same ledger of which workers
 * reported also tells the registry to ask a host for its report in a heartbeat reply
 * (after the start, or when a dead host is back).
 */
import { HopsError } from '../../protocol/errors.ts';
import type { SafeModeState } from '../../protocol/fsck.ts';
import type { AgentLog } from '../log.ts';
import type { ReplicationStore } from './replication-store.ts';

export interface SafeModeSettings {
  /** Share of blocks that must be reported, 0–1. */
  threshold: number;
  /** Longest stay in safe mode after the start. */
  maxMs: number;
}

export interface SafeModeDeps {
  store: Pick<ReplicationStore, 'reportedBlocks'>;
  /** Ids of the registered workers, dead or alive. */
  workers: () => string[];
  log: AgentLog;
  now?: () => number;
}

/** How often the exit conditions are looked at while in safe mode, besides at each report. */
const checkEveryMs = 1000;

export class SafeMode {
  private readonly settings: SafeModeSettings;
  private readonly deps: SafeModeDeps;
  private readonly now: () => number;
  private readonly sinceMs: number;
  private readonly reported = new Set<string>();
  private on = true;
  private reason = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly leaveListeners = new Set<() => void>();

  constructor(settings: SafeModeSettings, deps: SafeModeDeps) {
    this.settings = settings;
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.sinceMs = this.now();
  }

  /** Enters safe mode (leaving at once when nothing needs waiting for) and watches for its end. */
  start(): void {
    this.deps.log.info('filesystem in safe mode until workers report their blocks', { threshold: this.settings.threshold, maxMs: this.settings.maxMs });
    this.check();
    if (!this.on) return;
    this.timer = setInterval(() => this.check(), checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.leaveListeners.clear();
  }

  /** Whether the filesystem is read-only. */
  get active(): boolean {
    return this.on;
  }

  /** Calls `listener` once safe mode ends. */
  onLeave(listener: () => void): void {
    if (!this.on) listener();
    else this.leaveListeners.add(listener);
  }

  /** Notes a worker's full block report (the block map has recorded it). */
  hostReported(hostId: string): void {
    this.reported.add(hostId);
    if (this.on) this.check();
  }

  /** Whether the host has reported since the start, or since it came back from the dead. */
  hasReported(hostId: string): boolean {
    return this.reported.has(hostId);
  }

  /** Forgets a host's report: it was declared dead or forgotten, and its blocks are not trusted until it reports again. */
  forgetReport(hostId: string): void {
    this.reported.delete(hostId);
  }

  /** Hosts whose reports the head holds. */
  reportedHosts(): string[] {
    return [...this.reported];
  }

  /** Throws `SAFE_MODE` while the filesystem is read-only; `doing` names the refused call. */
  assertWritable(doing: string): void {
    if (!this.on) return;
    const state = this.state();
    throw new HopsError('SAFE_MODE', `The filesystem is read-only while the head starts (safe mode); ${doing} was refused. ${state.reason}`, {
      hint: `Wait until safe mode ends (at the latest ${Math.max(0, Math.ceil((state.untilMs - this.now()) / 1000))} s from now), then try again; reads work meanwhile.`,
    });
  }

  /** Safe mode as fsck and the status route show it. */
  state(): SafeModeState {
    const { total, reported } = this.deps.store.reportedBlocks(this.reportedHosts());
    const workers = this.deps.workers();
    const workersReported = workers.filter((id) => this.reported.has(id)).length;
    return {
      on: this.on,
      reason: this.on ? waiting(total, reported, this.settings.threshold, workers.length, workersReported) : this.reason,
      blocksTotal: total,
      blocksReported: reported,
      threshold: this.settings.threshold,
      workersReported,
      workersRegistered: workers.length,
      sinceMs: this.sinceMs,
      untilMs: this.sinceMs + this.settings.maxMs,
    };
  }

  private check(): void {
    if (!this.on) return;
    const { total, reported } = this.deps.store.reportedBlocks(this.reportedHosts());
    const workers = this.deps.workers();
    const elapsedMs = this.now() - this.sinceMs;
    let reason: string | undefined;
    if (total === 0 || reported / total >= this.settings.threshold) reason = `${reported} of ${total} blocks reported (threshold ${this.settings.threshold})`;
    else if (workers.length > 0 && workers.every((id) => this.reported.has(id))) reason = `all ${workers.length} workers reported (${reported} of ${total} blocks)`;
    else if (elapsedMs >= this.settings.maxMs) reason = `safeModeMaxMs (${this.settings.maxMs} ms) passed with ${reported} of ${total} blocks reported`;
    if (reason === undefined) return;
    this.on = false;
    this.reason = `Safe mode ended after ${elapsedMs} ms: ${reason}.`;
    clearInterval(this.timer);
    this.deps.log.info('filesystem left safe mode', { afterMs: elapsedMs, blocks: total, reported, workersReported: workers.filter((id) => this.reported.has(id)).length, workers: workers.length });
    for (const listener of this.leaveListeners) listener();
    this.leaveListeners.clear();
  }
}

function waiting(total: number, reported: number, threshold: number, workers: number, workersReported: number): string {
  const needed = Math.ceil(total * threshold);
  return `It waits for block reports: ${reported} of ${total} blocks reported (${needed} needed), ${workersReported} of ${workers} workers reported.`;
}
