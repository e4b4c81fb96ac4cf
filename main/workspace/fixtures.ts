/** Shared by the workspace tests and the crash-test writer: temp directories and sample rows. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { ClusterHost } from '../../protocol/host.ts';
import { openWorkspace, type Workspace } from './workspace.ts';

/** A fresh directory removed when the test ends. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hopsdesk-workspace-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A workspace in a fresh directory, closed and removed when the test ends. */
export function tempWorkspace(t: TestContext): Workspace {
  const workspace = openWorkspace(tempDir(t));
  t.after(() => workspace.close());
  return workspace;
}

/** A healthy host with one GPU, as a head reports it. */
export function sampleHost(hostId: string, hostname = `${hostId}.lab`): ClusterHost {
  return {
    hostId,
    hostname,
    address: '10.0.0.7',
    roles: ['worker'],
    agentVersion: '0.1.0',
    state: 'healthy',
    registeredAtMs: 1_700_000_000_000,
    lastHeartbeatMs: 1_700_000_005_000,
    inventory: {
      hostId,
      hostname,
      os: { name: 'Debian GNU/Linux', version: '12', platform: 'linux', arch: 'x64' },
      kernel: '6.1.0-18-amd64',
      cpu: { model: 'AMD EPYC 7313', cores: 32 },
      memory: { totalBytes: 256 * 2 ** 30 },
      disks: [{ mount: '/', fsType: 'ext4', totalBytes: 2 * 2 ** 40, freeBytes: 2 ** 40 }],
      gpus: [
        {
          index: 0,
          uuid: 'GPU-5a1c2d3e-0000-4000-8000-000000000000',
          name: 'NVIDIA A100-SXM4-40GB',
          memoryTotalMiB: 40960,
          memoryUsedMiB: 1024,
          utilizationPct: 12,
          temperatureC: 41,
          powerW: 88.5,
        },
      ],
      labels: ['infiniband'],
      collectedAtMs: 1_700_000_000_000,
    },
    latest: null,
  };
}
