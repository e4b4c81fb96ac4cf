/**
 * GPUs in the Cluster view. No GPU exists on the machines that build and test Hopsdesk, so
 * these GPUs are declared: an `nvidia-smi` test executable first on the agent's PATH prints
 * real `--query-gpu` output for two cards of different models.
 */
import { expect, test } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startApp, type RunningApp } from './fixtures/app.ts';
import { installFakeNvidiaSmi } from './fixtures/nvidia-smi.ts';

let app: RunningApp;
let gpuDir: string;

test.beforeAll(async () => {
  gpuDir = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-gpus-'));
  await installFakeNvidiaSmi(gpuDir, [
    { name: 'NVIDIA A100-SXM4-80GB', memoryTotalMiB: 81920, memoryUsedMiB: 20480, utilizationPct: 70, temperatureC: 61, powerW: 250 },
    { name: 'NVIDIA GeForce RTX 4090', memoryTotalMiB: 24564, memoryUsedMiB: 1024, utilizationPct: 30, temperatureC: 45, powerW: null },
  ]);
  app = await startApp({ pathPrepend: [gpuDir] });
});
test.afterAll(async () => {
  await app?.stop();
  await rm(gpuDir, { recursive: true, force: true });
});

test('declared GPUs appear on the host with model, memory and utilization', async ({ page }) => {
  await page.goto(app.url);
  await expect(page.locator('#root')).toHaveAttribute('data-app-state', 'ready');
  const rows = page.getByTestId('host-card').getByTestId('gpu-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0).getByTestId('gpu-name')).toHaveText('NVIDIA A100-SXM4-80GB');
  await expect(rows.nth(0).getByTestId('gpu-memory')).toContainText('80.0 GiB');
  await expect(rows.nth(1).getByTestId('gpu-name')).toHaveText('NVIDIA GeForce RTX 4090');
  await expect(rows.nth(1).getByTestId('gpu-utilization')).toContainText('%');
  await expect(page.getByTestId('status-gpus')).toContainText('2 GPUs');
});

test('the GPU utilization chart moves as samples arrive', async ({ page }) => {
  await page.goto(app.url);
  await expect(page.locator('#root')).toHaveAttribute('data-app-state', 'ready');
  const chart = page.getByTestId('chart-gpu').first();
  const before = Number(await chart.getAttribute('data-points'));
  await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 20_000 }).toBeGreaterThan(before);
});

test('without nvidia-smi the host says why it shows no GPUs', async ({ page }) => {
  const holdsNvidiaSmi = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => dir && existsSync(path.join(dir, 'nvidia-smi')));
  const plain = await startApp({ pathRemove: holdsNvidiaSmi });
  try {
    await page.goto(plain.url);
    await expect(page.locator('#root')).toHaveAttribute('data-app-state', 'ready');
    await expect(page.getByTestId('gpu-empty')).toContainText('nvidia-smi');
  } finally {
    await plain.stop();
  }
});
