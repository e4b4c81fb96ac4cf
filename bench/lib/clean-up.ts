/**
 * A benchmark's scratch directory and the steps that undo what it started (labs, daemons),
 * run once whether the benchmark ends, fails, or is interrupted: on SIGINT or SIGTERM the
 * steps run and the process exits with 130, so no namespace, user or daemon outlives it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface BenchCleanUp {
  /** This run's own directory under the system's temporary directory; removed last. */
  scratch: string;
  /** Adds a step; steps run last added first, so what was started later stops first. */
  add(step: () => unknown): void;
  /** Runs every step once (each even if an earlier one failed), then removes the scratch directory. */
  run(): Promise<void>;
}

/** Makes `hopsdesk-bench-<name>-XXXXXX` and arms the clean-up on SIGINT and SIGTERM. */
export async function benchCleanUp(name: string): Promise<BenchCleanUp> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), `hopsdesk-bench-${name}-`));
  const steps: Array<() => unknown> = [];
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= (async () => {
      for (const step of steps.splice(0).reverse()) {
        try {
          await step();
        } catch (err) {
          // Clean-up goes on: one failed step must not leave the others' parts behind.
          console.error(`clean-up step failed: ${(err as Error).message}`);
        }
      }
      await rm(scratch, { recursive: true, force: true });
    })();
    return running;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void run().finally(() => process.exit(130)));
  }
  return { scratch, add: (step) => void steps.push(step), run };
}
