import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { Value } from '@sinclair/typebox/value';
import { HostInventory } from '../../protocol/host.ts';
import { installFakeNvidiaSmi } from '../../e2e/fixtures/nvidia-smi.ts';
import { tempDir } from '../testing/helpers.ts';
import { cachedInventory, collectInventory } from './inventory.ts';

let dir: string;
let remove: () => Promise<void>;
before(async () => ({ dir, remove } = await tempDir()));
after(() => remove());

test('collects this host with declared GPUs and labels, matching the contract', async () => {
  const nvidiaSmi = await installFakeNvidiaSmi(dir, [{ name: 'NVIDIA L40S', memoryTotalMiB: 46068 }]);
  const inventory = await collectInventory({ hostId: 'h1', dataDir: dir, labels: ['infiniband'], nvidiaSmi });
  assert.ok(Value.Check(HostInventory, inventory), JSON.stringify([...Value.Errors(HostInventory, inventory)][0]));
  assert.equal(inventory.cpu.cores, os.cpus().length);
  assert.equal(inventory.memory.totalBytes, os.totalmem());
  assert.equal(inventory.kernel, os.release());
  assert.deepEqual(inventory.labels, ['infiniband']);
  assert.deepEqual(inventory.gpus.map((g) => g.name), ['NVIDIA L40S']);
  assert.equal(inventory.gpuNote, undefined);
  assert.ok(inventory.disks.length > 0);
});

test('without nvidia-smi there are no GPUs and a note saying why', async () => {
  const inventory = await collectInventory({ hostId: 'h1', dataDir: dir, labels: [], nvidiaSmi: 'nvidia-smi-not-installed' });
  assert.deepEqual(inventory.gpus, []);
  assert.equal(inventory.gpuNote, 'nvidia-smi-not-installed not found on PATH');
});

test('a burst of readers shares one collection', async () => {
  const read = cachedInventory({ hostId: 'h1', dataDir: dir, labels: [], nvidiaSmi: 'nvidia-smi-not-installed' }, 60_000);
  const [a, b] = await Promise.all([read(), read()]);
  assert.equal(a, b);
  assert.equal(await read(), a);
});
