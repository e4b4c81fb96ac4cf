/**
 * The embedded default as a user meets it: web mode starts a local one-host cluster and the
 * Cluster view shows this machine, live.
 */
import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startApp, type RunningApp } from './fixtures/app.ts';

let app: RunningApp;

test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(async () => {
  await app?.stop();
});

test('the local host shows this machine’s cores and memory', async ({ page }) => {
  await page.goto(app.url);
  await expect(page.locator('#root')).toHaveAttribute('data-app-state', 'ready');
  const card = page.getByTestId('host-card');
  await expect(card).toHaveCount(1);
  await expect(card.getByTestId('host-cpu-cores')).toContainText(`${os.cpus().length} core`);
  const bytes = Number(await card.getByTestId('host-memory-total').getAttribute('data-bytes'));
  expect(bytes).toBe(os.totalmem());
  // A connected local cluster reads "Local" in the status bar.
  await expect(page.getByTestId('status-connection')).toHaveAttribute('data-state', 'local');
});

test('live charts move as samples arrive', async ({ page }) => {
  await page.goto(app.url);
  await expect(page.locator('#root')).toHaveAttribute('data-app-state', 'ready');
  for (const chart of ['chart-cpu', 'chart-memory']) {
    const locator = page.getByTestId(chart).first();
    const before = Number(await locator.getAttribute('data-points'));
    await expect.poll(async () => Number(await locator.getAttribute('data-points')), { timeout: 20_000 }).toBeGreaterThan(before);
  }
});

test('the command palette reaches every section by keyboard', async ({ page }) => {
  await page.goto(app.url);
  await expect(page.locator('#root')).toHaveAttribute('data-app-state', 'ready');
  await page.keyboard.press('Control+Shift+P');
  const palette = page.getByRole('dialog', { name: 'Command palette' });
  await expect(palette).toBeVisible();
  // A section still to come: it opens on its empty state, which says what it will hold.
  await page.keyboard.type('Experiments');
  await page.keyboard.press('Enter');
  await expect(palette).toBeHidden();
  await expect(page.getByTestId('empty-state').getByRole('heading', { name: 'Experiments' })).toBeVisible();
});

test('closing the app stops its agent; the next start reuses the cluster', async ({ page }) => {
  const reused = await startApp();
  const runFile = path.join(reused.workspace, 'clusters', 'local', 'agent', 'run.json');
  const first = JSON.parse(await readFile(runFile, 'utf8')) as { pid: number; hostId: string };
  const workspace = reused.workspace;
  reused.process.kill('SIGTERM');
  await new Promise((resolve) => reused.process.once('exit', resolve));
  expect(isAlive(first.pid)).toBe(false);

  const again = await startApp({ workspace });
  try {
    await page.goto(again.url);
    await expect(page.locator('#root')).toHaveAttribute('data-app-state', 'ready');
    await expect(page.getByTestId('host-card')).toHaveAttribute('data-host-id', first.hostId);
    const second = JSON.parse(await readFile(runFile, 'utf8')) as { pid: number };
    expect(second.pid).not.toBe(first.pid);
  } finally {
    await again.stop();
    await reused.stop();
  }
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
