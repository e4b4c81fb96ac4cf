/**
 * Exponential backoff for every retry loop in Hopsdesk: the desktop reconnecting to an
 * agent, a window reconnecting to the core, a worker re-registering with its head.
 */
export interface BackoffSchedule {
  /** Delay before the first retry. */
  firstMs: number;
  /** The delay never grows past this. */
  maxMs: number;
  /**
   * Spread each delay over the upper half of its range, so many clients that lost the same
   * server do not all come back at the same instant.
   */
  jitter?: boolean;
}

/** The delay before retry number `attempt` (0 for the first retry). */
export function backoffDelayMs(attempt: number, schedule: BackoffSchedule, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 0), 30);
  const ceiling = Math.min(schedule.maxMs, schedule.firstMs * 2 ** exponent);
  return schedule.jitter ? Math.round(ceiling / 2 + random() * (ceiling / 2)) : ceiling;
}
