/**
 * The metrics sampler on a host without `nvidia-smi`: samples keep coming, with no GPUs,
 * the missing tool is logged once, and it is not started again at every sample (each
 * start forks the whole agent) but looked for once a minute.
 */
import assert from 'node:assert/strict';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { MetricsSampler } from './metrics.ts';
import { memoryLog, tempDir, waitFor } from './testing/helpers.ts';

test('without nvidia-smi, samples go on without GPUs and the tool is not looked for at every sample', async () => {
  const { dir, remove } = await tempDir();
  const tool = path.join(dir, 'nvidia-smi');
  const calls = path.join(dir, 'calls');
  const log = memoryLog();
  const sampler = new MetricsSampler({ metricsIntervalMs: 100, metricsRetention: 100, nvidiaSmi: tool }, log);
  try {
    await sampler.start();
    assert.deepEqual(sampler.latest()?.gpus, []);
    // The tool appears after the first sample: a sampler that ran it every time would now call it.
    await writeFile(tool, `#!/bin/sh\necho called >> ${calls}\n`);
    await chmod(tool, 0o755);
    await waitFor('five more samples', () => sampler.samples().length >= 6);
    await assert.rejects(readFile(calls), { code: 'ENOENT' }, 'not started again within the minute');
    assert.equal(log.lines.filter((line) => line.includes('gpu metrics unavailable')).length, 1, 'the missing tool is logged once');
    assert.ok(sampler.samples().every((sample) => sample.gpus.length === 0 && sample.memTotalBytes > 0));
  } finally {
    await sampler.stop();
    await remove();
  }
});
