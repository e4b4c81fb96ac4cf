/** Capped exponential backoff with jitter, so workers of a restarted head do not retry in step. */

/**
 * Delay before retry number `failures` (1 for the first retry): `baseMs · 2^(failures−1)`
 * capped at `capMs`, then drawn from the upper half of that range.
 */
export function backoffDelayMs(failures: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const ceiling = Math.min(capMs, baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
