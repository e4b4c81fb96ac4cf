/**
 * The dataset explorer's round trip at the sizes where blocks split: files of one byte less
 * than a block, exactly a block, one byte more, and 1 GiB (sixteen blocks), uploaded with the
 * Upload picker and downloaded with the Download button, all through the page in web mode on
 * the local cluster. Off-by-one mistakes at a block edge and misplaced blocks in a long file
 * both show up as a SHA-256 that differs from the original.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startApp, type RunningApp } from './fixtures/app.ts';
import { sha256File, writeSeededFile } from './fixtures/seeded-file.ts';

const MiB = 1024 * 1024;
/** The agent's default block size. */
const blockBytes = 64 * MiB;
const files = [
  { name: 'block-minus-one.bin', size: blockBytes - 1 },
  { name: 'block.bin', size: blockBytes },
  { name: 'block-plus-one.bin', size: blockBytes + 1 },
  { name: 'one-gib.bin', size: 1024 * MiB },
];

let app: RunningApp;
/** Holds the originals and one downloaded copy at a time (at most about 2.2 GiB); removed after the run. */
let scratch: string;
const originals = new Map<string, string>();

test.beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-roundtrip-'));
  for (const file of files) originals.set(file.name, await writeSeededFile(path.join(scratch, file.name), file.size, file.name));
  app = await startApp();
});
test.afterEach(async ({}, info) => {
  if (info.status !== info.expectedStatus) await info.attach('hopsdesk stderr', { body: app.stderr() });
});
test.afterAll(async () => {
  await app?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const row = (page: Page, name: string) => page.locator(`[data-testid="file-row"][data-name="${name}"]`);

test('files at a block edge and of 1 GiB upload with the picker and download with the same bytes', async ({ page }) => {
  // Measured here: about 65 s (35 s to upload all four, 18 s to download the 1 GiB file);
  // the rest is headroom for a machine busy with other work.
  test.setTimeout(150_000);
  await page.goto(app.url);
  await expect(page.locator('#root')).toHaveAttribute('data-app-state', 'ready');

  await page.locator('#activity-projects').click();
  await page.getByTestId('new-project').first().click();
  await page.getByTestId('project-name-input').fill('edges');
  await page.getByTestId('project-create').click();
  await expect(page.locator('[data-testid="project-item"][data-name="edges"]')).toHaveAttribute('data-role', 'data-owner');

  await page.locator('#activity-datasets').click();
  await page.locator('[data-testid="dataset-tree-item"][data-path="/Projects/edges"]').click();
  await page.getByTestId('new-folder').click();
  await page.getByTestId('name-input').fill('blocks');
  await page.getByTestId('name-input').press('Enter');
  await row(page, 'blocks').dblclick();
  await expect(page.getByTestId('crumb-current')).toHaveText('blocks');

  // All four at once through the picker, as a user selecting them together would.
  await test.step('upload', async () => {
    await page.getByTestId('file-picker').setInputFiles(files.map((file) => path.join(scratch, file.name)));
    for (const file of files) {
      const transfer = page.locator(`[data-testid="transfer-row"][data-path="/Projects/edges/blocks/${file.name}"]`);
      await expect(transfer).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
    }
    await expect(page.getByTestId('transfers-summary')).toContainText(`${files.length} done`);
  });

  for (const file of files) {
    await expect(row(page, file.name).getByTestId('file-size')).toHaveAttribute('data-bytes', String(file.size));
  }

  for (const file of files) {
    await test.step(`download ${file.name}`, async () => {
      await row(page, file.name).click();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
      expect(download.suggestedFilename()).toBe(file.name);
      const copy = path.join(scratch, `downloaded-${file.name}`);
      await download.saveAs(copy);
      expect(await sha256File(copy), `${file.name} (${file.size} bytes) came back changed`).toBe(originals.get(file.name));
      // The copy is only needed for the comparison; keep the disk use to one copy at a time.
      await rm(copy);
      await download.delete();
    });
  }
});
