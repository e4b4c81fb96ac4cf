/**
 * The dataset explorer with no cluster, in web mode on the local cluster: make the sample
 * dataset `penguins` available offline, then make the local agent unreachable for real
 * (stopped with SIGSTOP, so it neither answers nor is replaced by a fresh start), and see
 * what a user sees: penguins' files listed from the copy with an offline badge, the actions
 * that need the cluster off, a table preview of penguins.csv marked offline. Resumed, the
 * agent answers again and the explorer goes back to the live listing by itself.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startApp, type RunningApp } from './fixtures/app.ts';

let app: RunningApp;
/** The agent process stopped by the test; resumed whatever the outcome, or the app could not stop it. */
let stoppedPid: number | undefined;

test.beforeAll(async () => {
  app = await startApp();
});
test.afterEach(async ({}, info) => {
  if (stoppedPid !== undefined) resume(stoppedPid);
  if (info.status !== info.expectedStatus) await info.attach('hopsdesk stderr', { body: app.stderr() });
});
test.afterAll(async () => {
  await app?.stop();
});

const dataset = '/Projects/demo/penguins';
const row = (page: Page, name: string) => page.locator(`[data-testid="file-row"][data-name="${name}"]`);
const treeItem = (page: Page, fsPath: string) => page.locator(`[data-testid="dataset-tree-item"][data-path="${fsPath}"]`);

/** The local agent's pid, from the run file it writes under the workspace once it listens. */
async function localAgentPid(): Promise<number> {
  const runFile = path.join(app.workspace, 'clusters', 'local', 'agent', 'run.json');
  const run = JSON.parse(await readFile(runFile, 'utf8')) as { pid: unknown };
  if (typeof run.pid !== 'number') throw new Error(`${runFile} names no pid`);
  return run.pid;
}

function resume(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // Already gone: nothing to resume.
  }
  stoppedPid = undefined;
}

test('offline: copy a dataset, lose the cluster, explore and preview the copy, switch back when it answers', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(app.url);
  await expect(page.locator('#root')).toHaveAttribute('data-app-state', 'ready');

  // The demo project is seeded in the background after start: wait for its dataset.
  await page.locator('#activity-datasets').click();
  const demo = treeItem(page, '/Projects/demo');
  await expect(async () => {
    await page.getByTestId('datasets-reload').click();
    await expect(demo).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await demo.click();
  await expect(page.getByTestId('crumb-current')).toHaveText('demo');
  await expect(async () => {
    await page.getByTestId('datasets-reload').click();
    await expect(row(page, 'penguins')).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 60_000 });

  // Make it available offline from its context menu, the whole of it.
  await row(page, 'penguins').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Make available offline…' }).click();
  const dialog = page.getByTestId('make-offline-dialog');
  await expect(dialog).toContainText(dataset);
  await page.getByTestId('make-offline-whole').check();
  await page.getByTestId('make-offline-ok').click();
  await expect(dialog).toHaveCount(0);
  await expect(row(page, 'penguins').getByTestId('available-offline')).toBeVisible({ timeout: 30_000 });

  // Into the dataset while connected: the live rows, and the upload buttons on.
  await row(page, 'penguins').dblclick();
  await expect(page.getByTestId('crumb-current')).toHaveText('penguins');
  await expect(row(page, 'penguins.csv')).toBeVisible();
  await expect(row(page, 'penguins.csv')).toContainText('RF 1');
  await expect(page.getByTestId('upload-files')).toBeEnabled();

  // The cluster out of reach: the agent stopped, not killed, so the core cannot start another.
  // Its event stream stays open with nothing on it, so the status bar keeps its state; the
  // explorer learns from the listing that goes unanswered.
  const connection = page.getByTestId('status-connection');
  const liveState = await connection.getAttribute('data-state');
  stoppedPid = await localAgentPid();
  process.kill(stoppedPid, 'SIGSTOP');
  await page.getByTestId('datasets-reload').click();
  await expect(page.getByTestId('datasets-offline-note')).toBeVisible({ timeout: 30_000 });

  // penguins' files, from the copy, each with the copy's age; what needs the cluster is off.
  for (const name of ['penguins.csv', 'penguins.parquet', 'LICENSE.md']) {
    await expect(row(page, name).getByTestId('offline-badge')).toContainText('Offline copy');
  }
  await expect(row(page, 'penguins.csv')).not.toContainText('RF 1');
  await expect(page.getByTestId('upload-files')).toBeDisabled();
  await expect(page.getByTestId('upload-folder')).toBeDisabled();
  await expect(page.getByTestId('new-folder')).toBeDisabled();
  await expect(page.getByTestId('new-folder')).toHaveAttribute('title', /cannot be reached/);

  // penguins.csv previews as a table from the copy, marked offline.
  await row(page, 'penguins.csv').click();
  await page.getByTestId('file-list').press('Enter');
  await expect(page.getByTestId('preview-pane')).toHaveAttribute('data-path', `${dataset}/penguins.csv`);
  const preview = page.getByTestId('file-preview');
  await expect(preview).toHaveAttribute('data-kind', 'table', { timeout: 30_000 });
  await expect(preview).toContainText('species');
  await expect(preview).toContainText('bill_length_mm');
  await expect(preview).toContainText('Adelie');
  await expect(preview.getByTestId('offline-badge')).toBeVisible();
  await page.screenshot({ path: path.join('docs', 'screenshots', 'datasets-offline.png') });

  // Resumed, the agent answers again: the explorer returns to the live listing by itself.
  resume(await localAgentPid());
  await expect(connection).toHaveAttribute('data-state', liveState ?? 'connected', { timeout: 30_000 });
  await expect(page.getByTestId('datasets-offline-note')).toHaveCount(0, { timeout: 30_000 });
  await expect(row(page, 'penguins.csv')).toContainText('RF 1');
  await expect(row(page, 'penguins.csv').getByTestId('offline-badge')).toHaveCount(0);
  await expect(page.getByTestId('upload-files')).toBeEnabled();
});
