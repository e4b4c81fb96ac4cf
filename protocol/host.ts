/**
 * What an agent knows about its host: the inventory (slow-changing facts) and metrics
 * samples (taken periodically). Shared by the agent API and the desktop API.
 */
import { Type, type Static } from '@sinclair/typebox';

export const Gpu = Type.Object({
  index: Type.Integer({ minimum: 0 }),
  uuid: Type.String(),
  name: Type.String(),
  memoryTotalMiB: Type.Number({ minimum: 0 }),
  memoryUsedMiB: Type.Number({ minimum: 0 }),
  /** Null where the driver reports `[N/A]`. */
  utilizationPct: Type.Union([Type.Number(), Type.Null()]),
  temperatureC: Type.Union([Type.Number(), Type.Null()]),
  powerW: Type.Union([Type.Number(), Type.Null()]),
});
export type Gpu = Static<typeof Gpu>;

export const Disk = Type.Object({
  mount: Type.String(),
  fsType: Type.String(),
  totalBytes: Type.Number({ minimum: 0 }),
  freeBytes: Type.Number({ minimum: 0 }),
});
export type Disk = Static<typeof Disk>;

export const HostInventory = Type.Object({
  hostId: Type.String(),
  hostname: Type.String(),
  os: Type.Object({
    name: Type.String(),
    version: Type.String(),
    platform: Type.String(),
    arch: Type.String(),
  }),
  kernel: Type.String(),
  cpu: Type.Object({ model: Type.String(), cores: Type.Integer({ minimum: 1 }) }),
  memory: Type.Object({ totalBytes: Type.Number({ minimum: 0 }) }),
  disks: Type.Array(Disk),
  gpus: Type.Array(Gpu),
  /** Why GPU discovery found nothing, when it did not run cleanly (e.g. no nvidia-smi). */
  gpuNote: Type.Optional(Type.String()),
  labels: Type.Array(Type.String()),
  collectedAtMs: Type.Number(),
});
export type HostInventory = Static<typeof HostInventory>;

export const GpuSample = Type.Object({
  index: Type.Integer({ minimum: 0 }),
  utilizationPct: Type.Union([Type.Number(), Type.Null()]),
  memoryUsedMiB: Type.Number({ minimum: 0 }),
});
export type GpuSample = Static<typeof GpuSample>;

export const MetricsSample = Type.Object({
  atMs: Type.Number(),
  /** Busy share of all cores since the previous sample, 0–100. */
  cpuPct: Type.Number({ minimum: 0, maximum: 100 }),
  memUsedBytes: Type.Number({ minimum: 0 }),
  memTotalBytes: Type.Number({ minimum: 0 }),
  gpus: Type.Array(GpuSample),
});
export type MetricsSample = Static<typeof MetricsSample>;

export const HostRole = Type.Union([Type.Literal('head'), Type.Literal('worker')]);
export type HostRole = Static<typeof HostRole>;

/**
 * `unreachable`: the head has not heard from the host for `unreachableAfterMs`.
 * `draining`: taken out of scheduling on request (it stays so, heartbeats or not, until
 * forgotten); a draining host that goes silent shows as `unreachable` until it is back.
 */
export const HostState = Type.Union([Type.Literal('healthy'), Type.Literal('draining'), Type.Literal('unreachable')]);
export type HostState = Static<typeof HostState>;

/** A host as the head sees it: registration, health and the latest sample. */
export const ClusterHost = Type.Object({
  hostId: Type.String(),
  hostname: Type.String(),
  address: Type.String(),
  roles: Type.Array(HostRole),
  agentVersion: Type.String(),
  state: HostState,
  /**
   * Set once an unreachable host has been silent past the head's `deadHostAfterMs`: it is
   * declared dead, its replicas no longer count and its blocks are copied elsewhere.
   */
  deadSinceMs: Type.Optional(Type.Number()),
  registeredAtMs: Type.Number(),
  lastHeartbeatMs: Type.Number(),
  inventory: HostInventory,
  latest: Type.Union([MetricsSample, Type.Null()]),
});
export type ClusterHost = Static<typeof ClusterHost>;
