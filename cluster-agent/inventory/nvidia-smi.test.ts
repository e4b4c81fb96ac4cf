import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { installFakeNvidiaSmi } from '../../e2e/fixtures/nvidia-smi.ts';
import { tempDir } from '../testing/helpers.ts';
import { inventoryGpuFields, parseGpuCsv, queryGpus, sampleGpuFields, toGpuSamples, toGpus } from './nvidia-smi.ts';

describe('nvidia-smi parser', () => {
  // As printed by a DGX-style box with one MIG-enabled card and a consumer card in a container.
  const realOutput = [
    '0, GPU-5d7c3f9e-1b2a-4c3d-9e8f-0a1b2c3d4e5f, NVIDIA A100-SXM4-80GB, 81920, 4, [N/A], 33, 61.52',
    '1, GPU-aa11bb22-cc33-dd44-ee55-ff6677889900, NVIDIA GeForce RTX 3090, 24576, 1093, 37, 52, [Not Supported]',
    '',
  ].join('\n');

  test('reads every field, names with spaces intact, bracketed values as null', () => {
    const { rows, skipped } = parseGpuCsv(realOutput, inventoryGpuFields);
    assert.deepEqual(skipped, []);
    assert.deepEqual(toGpus(rows), [
      {
        index: 0,
        uuid: 'GPU-5d7c3f9e-1b2a-4c3d-9e8f-0a1b2c3d4e5f',
        name: 'NVIDIA A100-SXM4-80GB',
        memoryTotalMiB: 81920,
        memoryUsedMiB: 4,
        utilizationPct: null,
        temperatureC: 33,
        powerW: 61.52,
      },
      {
        index: 1,
        uuid: 'GPU-aa11bb22-cc33-dd44-ee55-ff6677889900',
        name: 'NVIDIA GeForce RTX 3090',
        memoryTotalMiB: 24576,
        memoryUsedMiB: 1093,
        utilizationPct: 37,
        temperatureC: 52,
        powerW: null,
      },
    ]);
  });

  test('skips lines that are not GPUs, such as a card that fell off the bus', () => {
    const output = `Unable to determine the device handle for GPU0000:3B:00.0: Unknown Error\n0, 12, 300\n1, [Unknown Error], [Unknown Error]\r\n`;
    const { rows, skipped } = parseGpuCsv(output, sampleGpuFields);
    assert.deepEqual(skipped, ['Unable to determine the device handle for GPU0000:3B:00.0: Unknown Error']);
    assert.deepEqual(toGpuSamples(rows), [
      { index: 0, utilizationPct: 12, memoryUsedMiB: 300 },
      { index: 1, utilizationPct: null, memoryUsedMiB: 0 },
    ]);
  });

  test('drops rows without a usable index', () => {
    const { rows } = parseGpuCsv('[N/A], 1, 2\n-1, 1, 2\n', sampleGpuFields);
    assert.deepEqual(toGpuSamples(rows), []);
  });
});

describe('running nvidia-smi', () => {
  let dir: string;
  let remove: () => Promise<void>;
  before(async () => ({ dir, remove } = await tempDir()));
  after(() => remove());

  test('reads the declared GPUs of the test fixture', async () => {
    const smi = await installFakeNvidiaSmi(dir, [
      { name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559, memoryUsedMiB: 512, utilizationPct: 50, powerW: 120.5 },
      { name: 'NVIDIA GeForce RTX 4090', memoryTotalMiB: 24564, utilizationPct: null, temperatureC: null, powerW: null },
    ]);
    const result = await queryGpus(smi, inventoryGpuFields);
    assert.equal(result.note, undefined);
    const gpus = toGpus(result.rows);
    assert.deepEqual(
      gpus.map(({ index, name, memoryTotalMiB, memoryUsedMiB, temperatureC, powerW }) => ({ index, name, memoryTotalMiB, memoryUsedMiB, temperatureC, powerW })),
      [
        { index: 0, name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559, memoryUsedMiB: 512, temperatureC: 35, powerW: 120.5 },
        { index: 1, name: 'NVIDIA GeForce RTX 4090', memoryTotalMiB: 24564, memoryUsedMiB: 0, temperatureC: null, powerW: null },
      ],
    );
    const utilization = gpus[0]?.utilizationPct;
    assert.ok(typeof utilization === 'number' && utilization >= 40 && utilization <= 60);
    assert.equal(gpus[1]?.utilizationPct, null);
    assert.match(gpus[0]?.uuid ?? '', /^GPU-[0-9a-f]{8}-/);
  });

  test('explains a missing nvidia-smi', async () => {
    assert.deepEqual(await queryGpus('nvidia-smi-that-does-not-exist', sampleGpuFields), {
      rows: [],
      note: 'nvidia-smi-that-does-not-exist not found on PATH',
      missing: true,
    });
    const missing = path.join(dir, 'nope', 'nvidia-smi');
    assert.deepEqual(await queryGpus(missing, sampleGpuFields), { rows: [], note: `nvidia-smi not found at ${missing}`, missing: true });
  });

  test('passes on what a failing nvidia-smi says', async () => {
    await mkdir(path.join(dir, 'none'));
    const noCards = await installFakeNvidiaSmi(path.join(dir, 'none'), []);
    assert.deepEqual(await queryGpus(noCards, sampleGpuFields), { rows: [], note: `${noCards} failed (exit 6): No devices were found` });
  });

  test('gives up on an nvidia-smi that hangs', async () => {
    const hung = path.join(dir, 'hung-nvidia-smi');
    await writeFile(hung, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const result = await queryGpus(hung, sampleGpuFields, 200);
    assert.deepEqual(result, { rows: [], note: `${hung} did not answer within 0.2 s` });
  });
});
