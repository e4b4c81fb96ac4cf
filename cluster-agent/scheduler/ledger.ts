/**
 * Who holds what on each host, and when: every claim is a time window on one host's GPUs,
 * CPUs and memory. Running jobs hold from the past to their time limit (or forever without
 * one), jobs started in this round from now, and reservations from their expected start.
 * One window model serves starting now, backfill and reservations alike: a job may use
 * what no claim overlapping its own window holds.
 */
import type { HostShare, SchedulerGpu, SchedulerHost } from './cluster-snapshot.ts';

export type ClaimKind = 'running' | 'started' | 'reserved';

export interface Claim {
  jobId: string;
  kind: ClaimKind;
  fromMs: number;
  /** Infinity when the holder has no time limit. */
  untilMs: number;
  share: HostShare;
}

/** What a host has left over a window. */
export interface HostAvailability {
  host: SchedulerHost;
  gpus: SchedulerGpu[];
  cpus: number;
  memoryBytes: number;
}

export class Ledger {
  readonly #claims = new Map<string, Claim[]>();
  #version = 0;

  /** Changes with every claim added: what was computed at one version holds until the next. */
  get version(): number {
    return this.#version;
  }

  /** Records a claim (on a host the ledger may not know: it then holds nothing placeable). */
  add(claim: Claim): void {
    this.#version += 1;
    const list = this.#claims.get(claim.share.hostId);
    if (list === undefined) this.#claims.set(claim.share.hostId, [claim]);
    else list.push(claim);
  }

  /**
   * What `host` has free over [fromMs, untilMs), counting every claim that overlaps it
   * except those `ignore` picks. CPUs and memory of overlapping claims are summed even when
   * the claims do not overlap each other: never over-committing matters more than the last
   * core.
   */
  free(host: SchedulerHost, fromMs: number, untilMs: number, ignore?: (claim: Claim) => boolean): HostAvailability {
    let cpus = host.cpus;
    let memoryBytes = host.memoryBytes;
    const held = new Set<number>();
    for (const claim of this.#claims.get(host.hostId) ?? []) {
      if (claim.fromMs >= untilMs || claim.untilMs <= fromMs) continue;
      if (ignore?.(claim) === true) continue;
      cpus -= claim.share.cpus;
      memoryBytes -= claim.share.memoryBytes;
      for (const index of claim.share.gpus) held.add(index);
    }
    return { host, gpus: held.size === 0 ? host.gpus : host.gpus.filter((gpu) => !held.has(gpu.index)), cpus, memoryBytes };
  }

  /** The distinct finite ends of claims after `afterMs`, earliest first: when something frees up. */
  endsAfter(afterMs: number): number[] {
    const ends = new Set<number>();
    for (const list of this.#claims.values()) {
      for (const claim of list) if (claim.untilMs > afterMs && Number.isFinite(claim.untilMs)) ends.add(claim.untilMs);
    }
    return [...ends].sort((a, b) => a - b);
  }
}
