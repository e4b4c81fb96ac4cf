/**
 * The order in which placement considers pending jobs. Between projects, fair share: the
 * project using the fewest GPUs for its share goes next (then the fewest CPUs, then the one
 * whose next job was submitted first), re-judged after every start. Within a project,
 * higher priority first, then submit order.
 */
import type { HostShare, QueuedJob } from './cluster-snapshot.ts';
import type { JobDemand } from './demand.ts';

export interface Turn {
  job: QueuedJob;
  demand: JobDemand;
}

interface ProjectLine {
  project: string;
  share: number;
  gpus: number;
  cpus: number;
  turns: Turn[];
  next: number;
}

function byPriorityThenSubmit(a: Turn, b: Turn): number {
  return (b.job.spec.priority ?? 0) - (a.job.spec.priority ?? 0) || a.job.submitSeq - b.job.submitSeq;
}

export class TurnOrder {
  readonly #lines = new Map<string, ProjectLine>();
  readonly #shares: Readonly<Record<string, number>>;

  /** `shares`: each project's weight (1 when not named); a project with share 2 may hold twice the GPUs before it yields. */
  constructor(turns: Turn[], shares: Readonly<Record<string, number>>) {
    this.#shares = shares;
    for (const turn of turns) this.#line(turn.job.spec.project).turns.push(turn);
    for (const line of this.#lines.values()) line.turns.sort(byPriorityThenSubmit);
  }

  #line(project: string): ProjectLine {
    let line = this.#lines.get(project);
    if (line === undefined) {
      const share = this.#shares[project] ?? 1;
      line = { project, share: share > 0 ? share : 1, gpus: 0, cpus: 0, turns: [], next: 0 };
      this.#lines.set(project, line);
    }
    return line;
  }

  /** Counts what a project holds (running, or just started) toward its share. */
  charge(project: string, hosts: HostShare[]): void {
    const line = this.#line(project);
    for (const host of hosts) {
      line.gpus += host.gpus.length;
      line.cpus += host.cpus;
    }
  }

  /** The next job to consider, or undefined when every job had its turn. */
  next(): Turn | undefined {
    let best: ProjectLine | undefined;
    for (const line of this.#lines.values()) {
      if (line.next >= line.turns.length) continue;
      if (best === undefined || ahead(line, best)) best = line;
    }
    if (best === undefined) return undefined;
    best.next += 1;
    return best.turns[best.next - 1];
  }
}

function ahead(a: ProjectLine, b: ProjectLine): boolean {
  const gpus = a.gpus / a.share - b.gpus / b.share;
  if (gpus !== 0) return gpus < 0;
  const cpus = a.cpus / a.share - b.cpus / b.share;
  if (cpus !== 0) return cpus < 0;
  return a.turns[a.next]!.job.submitSeq < b.turns[b.next]!.job.submitSeq;
}
