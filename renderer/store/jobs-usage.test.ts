import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasGpuSamples, jobUsageSeries } from './jobs-usage.ts';

const GiB = 1024 ** 3;
const hosts = [
  { hostId: 'h1', name: 'gpu-a', gpus: [0, 1], cpus: 4, memoryBytes: 8 * GiB, rank: 0 },
  { hostId: 'h2', name: 'gpu-b', gpus: [0], cpus: 2, memoryBytes: 4 * GiB, rank: 1 },
];

describe('job usage series', () => {
  it('gives one line per host, CPU and memory as shares of what the job holds there', () => {
    const samples = [
      { atMs: 1000, hostId: 'h1', cpuPercent: 200, memoryBytes: 2 * GiB, gpuPercent: 90 },
      { atMs: 1000, hostId: 'h2', cpuPercent: 100, memoryBytes: 4 * GiB, gpuPercent: 10 },
      { atMs: 2000, hostId: 'h1', cpuPercent: 400, memoryBytes: 4 * GiB, gpuPercent: 95 },
    ];
    assert.deepEqual(jobUsageSeries('cpu', samples, hosts), { columns: [[1, 2], [50, 100], [50, null]], labels: ['gpu-a', 'gpu-b'] });
    assert.deepEqual(jobUsageSeries('memory', samples, hosts).columns.slice(1), [[25, 50], [100, null]]);
    assert.deepEqual(jobUsageSeries('gpu', samples, hosts).columns.slice(1), [[90, 95], [10, null]]);
    assert.equal(hasGpuSamples(samples), true);
    assert.equal(hasGpuSamples([{ atMs: 1, hostId: 'h1', cpuPercent: 1, memoryBytes: 1 }]), false);
  });
});
