/** Plausible hosts and samples for tests, with only what a test cares about overridden. */
import type { ClusterStatus } from '../../protocol/desktop-api.ts';
import type { ClusterHost, Gpu, MetricsSample } from '../../protocol/host.ts';

const GiB = 1024 ** 3;

export function gpu(index: number, overrides: Partial<Gpu> = {}): Gpu {
  return {
    index,
    uuid: `GPU-${index}`,
    name: 'NVIDIA A100-SXM4-80GB',
    memoryTotalMiB: 81920,
    memoryUsedMiB: 1024,
    utilizationPct: 10,
    temperatureC: 40,
    powerW: 90,
    ...overrides,
  };
}

export function host(hostId: string, overrides: Partial<ClusterHost> = {}): ClusterHost {
  return {
    hostId,
    hostname: hostId,
    address: '127.0.0.1',
    roles: ['worker'],
    agentVersion: '0.1.0',
    state: 'healthy',
    registeredAtMs: 1_000,
    lastHeartbeatMs: 2_000,
    inventory: {
      hostId,
      hostname: hostId,
      os: { name: 'Debian GNU/Linux', version: '13', platform: 'linux', arch: 'x64' },
      kernel: '6.12.0',
      cpu: { model: 'AMD EPYC 7763', cores: 8 },
      memory: { totalBytes: 32 * GiB },
      disks: [{ mount: '/', fsType: 'ext4', totalBytes: 100 * GiB, freeBytes: 40 * GiB }],
      gpus: [],
      labels: [],
      collectedAtMs: 1_000,
    },
    latest: null,
    ...overrides,
  };
}

export function sample(atMs: number, overrides: Partial<MetricsSample> = {}): MetricsSample {
  return { atMs, cpuPct: 25, memUsedBytes: 8 * GiB, memTotalBytes: 32 * GiB, gpus: [], ...overrides };
}

export function status(overrides: Partial<ClusterStatus> = {}): ClusterStatus {
  return {
    name: 'lab',
    kind: 'local',
    connection: { state: 'connected', detail: 'local agent on 127.0.0.1:41234', sinceMs: 1_000 },
    agentVersion: '0.1.0',
    hosts: { total: 1, healthy: 1 },
    cpuCores: 8,
    memoryTotalBytes: 32 * GiB,
    gpus: { total: 0 },
    ...overrides,
  };
}
