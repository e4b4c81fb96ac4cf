/** Bounds enforced at every boundary (IPC, WebSocket, HTTP, CLI). */
export const limits = {
  /** Largest request accepted from a renderer or a web-mode client. */
  maxRequestBytes: 256 * 1024,
  /** Largest body an agent accepts. */
  maxAgentBodyBytes: 1024 * 1024,
  /** Longest name of a cluster, host label or setting key. */
  maxNameLength: 128,
  /** Metrics samples returned in one call. */
  maxMetricsSamples: 1000,
  /** Requests a single web-mode socket may have in flight. */
  maxInFlightPerSocket: 64,
  /** Recent items kept in the workspace. */
  maxRecentItems: 50,
} as const;
