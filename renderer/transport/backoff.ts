/** Reconnect delays: quick first retries for a blip, capped so a long outage costs nothing. */
import type { BackoffSchedule } from '../../protocol/backoff.ts';

export const reconnectBackoff: BackoffSchedule = { firstMs: 250, maxMs: 10_000 };
