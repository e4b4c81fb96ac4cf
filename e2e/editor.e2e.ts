/**
 * The editor in web mode on the local cluster's demo project: a script uploaded to the
 * explorer opens in Monaco from its menu, typing marks the tab unsaved and keeps a draft,
 * a reload of the page brings the changes back with the "restored" bar, Ctrl+S writes the
 * file to the cluster (read back through the explorer's preview), Run as job opens the job
 * form with the script as the argument, and a JSON file gets the JSON worker's validation.
 * Monaco's workers load under the app's CSP: no console error mentions the policy.
 */
import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import { appPerFile } from './fixtures/app.ts';

const app = appPerFile(test);

const dataset = '/Projects/demo/penguins';
const row = (page: Page, name: string) => page.locator(`[data-testid="file-row"][data-name="${name}"]`);
const tab = (page: Page, name: string) => page.locator(`[data-testid="editor-tab"][data-path="${dataset}/${name}"]`);
const shot = (page: Page, name: string) => page.screenshot({ path: path.join('docs', 'screenshots', `editor-${name}.png`) });

/** The demo project is seeded in the background after start: waits for its dataset, then opens it. */
async function openDemoDataset(page: Page) {
  await page.locator('#activity-datasets').click();
  const demo = page.locator('[data-testid="dataset-tree-item"][data-path="/Projects/demo"]');
  await expect(async () => {
    await page.getByTestId('datasets-reload').click();
    await expect(demo).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await demo.click();
  await expect(async () => {
    await page.getByTestId('datasets-reload').click();
    await expect(row(page, 'penguins')).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await row(page, 'penguins').dblclick();
  await expect(row(page, 'penguins.csv')).toBeVisible({ timeout: 30_000 });
}

async function upload(page: Page, name: string, text: string) {
  await page.getByTestId('file-picker').setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });
  await expect(page.locator(`[data-testid="transfer-row"][data-path="${dataset}/${name}"]`)).toHaveAttribute('data-state', 'done');
  await expect(row(page, name)).toBeVisible();
}

test('editor: open from the explorer, type, draft survives a reload, save, read back; workers under the CSP', async ({ page }) => {
  test.setTimeout(180_000);
  const policyErrors: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) policyErrors.push(message.text());
  });
  page.on('pageerror', (err) => {
    if (/Content Security Policy|Refused to/i.test(err.message)) policyErrors.push(err.message);
  });

  await page.goto(app().url);
  await expect(page.locator('#root')).toHaveAttribute('data-app-state', 'ready');
  await openDemoDataset(page);
  await upload(page, 'train.py', 'import sys\n\nprint("hello from", sys.argv[0])\n');

  // Open in editor, from the row's menu.
  await row(page, 'train.py').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Open in editor' }).click();
  await expect(page.locator('#main-area')).toHaveAttribute('data-view', 'editor');
  await expect(tab(page, 'train.py')).toBeVisible();
  const monaco = page.getByTestId('monaco-pane');
  await expect(monaco.locator('.view-lines')).toContainText('hello from', { timeout: 30_000 });
  // Python is highlighted: keywords get a token colour class of their own.
  await expect(monaco.locator('.view-lines span[class*="mtk"]').first()).toBeVisible();

  // Type at the end: the tab is marked unsaved, and says once its draft is kept.
  await monaco.locator('.view-lines').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('print("edited in Hopsdesk")');
  await expect(tab(page, 'train.py').getByTestId('editor-dirty')).toBeVisible();
  await expect(page.getByTestId('editor-status')).toHaveAttribute('data-draft', 'kept');
  await shot(page, 'dirty');

  // A reload loses nothing: the draft comes back with the bar that offers to discard it.
  page.once('dialog', (dialog) => void dialog.accept());
  await page.reload();
  await expect(page.locator('#root')).toHaveAttribute('data-app-state', 'ready');
  await page.locator('#activity-editor').click();
  await expect(tab(page, 'train.py').getByTestId('editor-dirty')).toBeVisible();
  await expect(page.getByTestId('editor-restored')).toContainText('Restored unsaved changes from');
  await expect(monaco.locator('.view-lines')).toContainText('edited in Hopsdesk', { timeout: 30_000 });
  await shot(page, 'restored');

  // Ctrl+S writes it to the cluster: clean again, the bar gone.
  await monaco.locator('.view-lines').click();
  await page.keyboard.press('Control+S');
  await expect(page.getByTestId('editor-status')).toHaveText('Saved');
  await expect(tab(page, 'train.py').getByTestId('editor-dirty')).toHaveCount(0);
  await expect(page.getByTestId('editor-restored')).toHaveCount(0);

  // Discard on the restored bar: the file as the cluster has it, nothing unsaved.
  await monaco.locator('.view-lines').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('# not wanted');
  await expect(page.getByTestId('editor-status')).toHaveAttribute('data-draft', 'kept');
  await page.reload();
  await expect(page.locator('#root')).toHaveAttribute('data-app-state', 'ready');
  await expect(page.getByTestId('editor-restored')).toBeVisible();
  await expect(monaco.locator('.view-lines')).toContainText('not wanted', { timeout: 30_000 });
  await page.getByTestId('editor-discard').click();
  await expect(page.getByTestId('editor-status')).toHaveText('Saved');
  await expect(monaco.locator('.view-lines')).toContainText('edited in Hopsdesk', { timeout: 30_000 });
  await expect(monaco.locator('.view-lines')).not.toContainText('not wanted');

  // Run as job: the job form opens with the script as python3's argument.
  await page.getByTestId('editor-run-as-job').click();
  await expect(page.locator('#main-area')).toHaveAttribute('data-view', 'jobs');
  await expect(page.getByTestId('job-form-argv')).toHaveText(JSON.stringify(['python3', `${dataset}/train.py`]));

  // Read back through the explorer's preview.
  await openDemoDataset(page);
  await row(page, 'train.py').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Preview' }).click();
  await expect(page.getByTestId('preview-pane')).toHaveAttribute('data-path', `${dataset}/train.py`);
  await expect(page.getByTestId('file-preview')).toContainText('print("edited in Hopsdesk")');

  // A JSON file, opened by double-click: the JSON worker marks the error in it.
  await upload(page, 'config.json', '{\n  "epochs": 10,\n  "lr": \n}\n');
  await row(page, 'config.json').dblclick();
  await expect(tab(page, 'config.json')).toHaveAttribute('data-selected', 'true');
  await expect(monaco.locator('.view-lines')).toContainText('epochs', { timeout: 30_000 });
  await expect(monaco.locator('.squiggly-error').first()).toBeAttached({ timeout: 30_000 });

  // Closing a tab with unsaved changes asks first; Cancel keeps it.
  await monaco.locator('.view-lines').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' ');
  await page.getByRole('button', { name: 'Close config.json' }).click();
  await expect(page.getByTestId('editor-close-dialog')).toContainText('Save the changes to config.json?');
  await shot(page, 'close-guard');
  await page.getByTestId('editor-close-discard').click();
  await expect(tab(page, 'config.json')).toHaveCount(0);
  await expect(tab(page, 'train.py')).toBeVisible();

  // The dark theme follows the system, Monaco's with it.
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(monaco.locator('.monaco-editor.vs-dark')).toBeVisible();
  await shot(page, 'dark');

  expect(policyErrors).toEqual([]);
});
