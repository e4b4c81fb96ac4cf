/** Timers that run only when a test advances time, so backoff and debounce need no sleeps. */
import type { Timers } from '../transport/web-client.ts';

export interface ManualTimers extends Timers {
  advance(ms: number): void;
  readonly pending: number;
  /** Delays of the timers now waiting, in the order they were set. */
  readonly delays: number[];
}

export function manualTimers(): ManualTimers {
  let now = 0;
  let nextId = 1;
  const waiting = new Map<number, { at: number; delay: number; run: () => void }>();
  return {
    setTimeout(run, ms) {
      const id = nextId;
      nextId += 1;
      waiting.set(id, { at: now + ms, delay: ms, run });
      return id;
    },
    clearTimeout(handle) {
      waiting.delete(handle as number);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...waiting].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (due === undefined) break;
        waiting.delete(due[0]);
        now = due[1].at;
        due[1].run();
      }
      now = until;
    },
    get pending() {
      return waiting.size;
    },
    get delays() {
      return [...waiting.values()].map((t) => t.delay);
    },
  };
}
