/** The host inventory: slow-changing facts about this machine, collected on demand. */
import os from 'node:os';
import type { HostInventory } from '../../protocol/host.ts';
import { readDisks } from './disks.ts';
import { inventoryGpuFields, queryGpus, toGpus } from './nvidia-smi.ts';
import { readOsRelease } from './os-release.ts';

/** What the inventory needs from the configuration. */
export interface InventorySettings {
  hostId: string;
  dataDir: string;
  labels: readonly string[];
  nvidiaSmi: string;
}

/** Collects the inventory of this host now. */
export async function collectInventory(settings: InventorySettings): Promise<HostInventory> {
  const [osRelease, disks, gpuQuery] = await Promise.all([
    readOsRelease(),
    readDisks(settings.dataDir),
    queryGpus(settings.nvidiaSmi, inventoryGpuFields),
  ]);
  const cpus = os.cpus();
  const inventory: HostInventory = {
    hostId: settings.hostId,
    hostname: os.hostname(),
    os: { ...osRelease, platform: os.platform(), arch: os.arch() },
    kernel: os.release(),
    // os.cpus() can be empty in some sandboxes; availableParallelism() never is.
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown CPU', cores: Math.max(cpus.length, os.availableParallelism()) },
    memory: { totalBytes: os.totalmem() },
    disks,
    gpus: toGpus(gpuQuery.rows),
    labels: [...settings.labels],
    collectedAtMs: Date.now(),
  };
  if (gpuQuery.note !== undefined) inventory.gpuNote = gpuQuery.note;
  return inventory;
}

/**
 * Returns a reader that collects the inventory at most once per `maxAgeMs`: callers in
 * a burst share one collection instead of each spawning nvidia-smi.
 */
export function cachedInventory(settings: InventorySettings, maxAgeMs: number): () => Promise<HostInventory> {
  let pending: Promise<HostInventory> | undefined;
  let takenAtMs = 0;
  return () => {
    if (pending === undefined || Date.now() - takenAtMs > maxAgeMs) {
      takenAtMs = Date.now();
      const collecting = collectInventory(settings);
      // A failed collection is not cached.
      collecting.catch(() => {
        if (pending === collecting) pending = undefined;
      });
      pending = collecting;
    }
    return pending;
  };
}
