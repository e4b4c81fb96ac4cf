/** Reconnect delays: quick first retries for a blip, capped so a long outage costs nothing. */
export const BACKOFF = { initialMs: 250, factor: 2, maxMs: 10_000 } as const;

/** The wait before reconnect attempt `attempt` (0-based). */
export function backoffDelay(attempt: number): number {
  return Math.min(BACKOFF.maxMs, BACKOFF.initialMs * BACKOFF.factor ** Math.max(0, attempt));
}
