import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jobProcessGpuMemoryMiB } from './gpu-use.ts';

test("GPU memory of the job's own processes is summed from --query-compute-apps output", () => {
  // As `nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits` prints it.
  const output = '4242, 10240\n4243, 2048\n999, 30000\n4244, [N/A]\n';
  assert.equal(jobProcessGpuMemoryMiB(output, new Set([4242, 4243, 4244])), 12288);
  assert.equal(jobProcessGpuMemoryMiB('', new Set([4242])), 0);
});
