/**
 * The dataset explorer in web mode on the local cluster: make a dataset, upload files by a
 * drop and by the file picker (0 B, 1 B, a few MiB), watch them complete, list them with
 * their sizes, download one with the Download button and compare SHA-256, preview, rename,
 * remove with a confirmation (to the trash, and back), search, move around with the
 * keyboard, share a dataset by dragging it onto another project, and scroll a folder of
 * 5,000 files with only a window of rows in the page.
 */
import { expect, test, type Page } from '@playwright/test';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { appPerFile } from './fixtures/app.ts';

const app = appPerFile(test);

const sha256 = (bytes: Buffer | Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const row = (page: Page, name: string) => page.locator(`[data-testid="file-row"][data-name="${name}"]`);
const shot = (page: Page, name: string) => page.screenshot({ path: path.join('docs', 'screenshots', `datasets-${name}.png`) });

async function createProject(page: Page, name: string) {
  await page.locator('#activity-projects').click();
  await page.getByTestId('new-project').first().click();
  await page.getByTestId('project-name-input').fill(name);
  await page.getByTestId('project-create').click();
  await expect(page.locator(`[data-testid="project-item"][data-name="${name}"]`)).toHaveAttribute('data-role', 'data-owner');
}

/** Drops files on `selector` the way a browser does: a DataTransfer carrying File objects. */
async function dropFiles(page: Page, selector: string, files: Array<{ name: string; base64: string }>) {
  await page.evaluate(
    ({ selector, files }) => {
      const transfer = new DataTransfer();
      for (const f of files) transfer.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name));
      const target = document.querySelector(selector)!;
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    },
    { selector, files },
  );
}

test('datasets: make, upload by drop and picker, list, download, preview, rename, remove to the trash, search, keyboard, share by drag', async ({ page }) => {
  await page.goto(app().url);
  await expect(page.locator('#root')).toHaveAttribute('data-app-state', 'ready');
  await createProject(page, 'vision');

  await page.locator('#activity-datasets').click();
  const project = page.locator('[data-testid="dataset-tree-item"][data-path="/Projects/vision"]');
  await project.click();
  await expect(page.getByTestId('folder-empty')).toContainText('No datasets in vision yet');
  await shot(page, 'empty-project');

  // A dataset, made from the empty state's button.
  await page.getByTestId('new-folder').click();
  await page.getByTestId('name-input').fill('images');
  await page.getByTestId('name-input').press('Enter');
  await expect(row(page, 'images')).toBeVisible();
  await page.getByTestId('file-list').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('crumb-current')).toHaveText('images');
  await expect(page.getByTestId('folder-empty')).toContainText('This folder is empty');

  // Upload by drop: 0 B and 1 B.
  const one = Buffer.from([0x2a]);
  await dropFiles(page, '[data-testid="datasets-view"]', [
    { name: 'empty.bin', base64: '' },
    { name: 'one.bin', base64: one.toString('base64') },
  ]);
  // Upload by the file picker: a few MiB.
  const big = randomBytes(5 * 1024 * 1024 + 123);
  await page.getByTestId('file-picker').setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer: big });

  const transfers = page.getByTestId('transfer-row');
  await expect(transfers).toHaveCount(3);
  for (const name of ['empty.bin', 'one.bin', 'big.bin']) {
    await expect(page.locator(`[data-testid="transfer-row"][data-path="/Projects/vision/images/${name}"]`)).toHaveAttribute('data-state', 'done');
  }
  const bigRow = page.locator('[data-testid="transfer-row"][data-path="/Projects/vision/images/big.bin"]');
  await expect(bigRow.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
  await expect(bigRow).toContainText('5.0 MiB of 5.0 MiB');
  await expect(page.getByTestId('transfers-summary')).toContainText('3 done');

  // Listed with their sizes.
  await expect(row(page, 'empty.bin').getByTestId('file-size')).toHaveAttribute('data-bytes', '0');
  await expect(row(page, 'one.bin').getByTestId('file-size')).toHaveAttribute('data-bytes', '1');
  await expect(row(page, 'big.bin').getByTestId('file-size')).toHaveAttribute('data-bytes', String(big.length));
  await expect(row(page, 'big.bin')).toContainText('RF 1');
  await shot(page, 'list');

  // Download through the Download button; the bytes are the ones uploaded.
  await row(page, 'big.bin').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
  expect(download.suggestedFilename()).toBe('big.bin');
  expect(sha256(await readFile((await download.path())!))).toBe(sha256(big));

  // Enter on a file opens the preview pane beside the list; Escape-free close by its button.
  await page.getByTestId('file-list').press('Enter');
  await expect(page.getByTestId('preview-pane')).toHaveAttribute('data-path', '/Projects/vision/images/big.bin');
  await expect(page.getByTestId('file-preview')).toBeVisible();
  await page.getByRole('button', { name: 'Close preview' }).click();
  await expect(page.getByTestId('preview-pane')).toHaveCount(0);

  // Rename with F2.
  await row(page, 'one.bin').click();
  await page.getByTestId('file-list').press('F2');
  await page.getByTestId('name-input').fill('uno.bin');
  await page.getByTestId('name-input').press('Enter');
  await expect(row(page, 'uno.bin')).toBeVisible();
  await expect(row(page, 'one.bin')).toHaveCount(0);

  // Remove with Delete, confirmed.
  await row(page, 'empty.bin').click();
  await page.getByTestId('file-list').press('Delete');
  await expect(page.getByTestId('confirm-dialog')).toContainText('/Projects/vision/images/empty.bin');
  await shot(page, 'remove-confirm');
  await page.getByTestId('confirm-ok').click();
  await expect(row(page, 'empty.bin')).toHaveCount(0);

  // It went to the project's trash, and comes back from there.
  await page.getByTestId('open-trash').click();
  await expect(page.locator('[data-testid="trash-row"][data-name="empty.bin"]')).toBeVisible();
  await shot(page, 'trash');
  await page.locator('[data-testid="trash-row"][data-name="empty.bin"]').getByTestId('trash-restore').click();
  await expect(page.locator('[data-testid="trash-row"][data-name="empty.bin"]')).toHaveCount(0);
  await page.getByRole('button', { name: 'Back to the files' }).click();
  await expect(row(page, 'empty.bin')).toBeVisible();

  // Search by name, results in the same list; Escape ends it.
  await page.getByTestId('dataset-search').fill('BIG');
  await page.getByTestId('dataset-search').press('Enter');
  await expect(page.getByTestId('search-note')).toContainText('1 name with “BIG”');
  await expect(page.getByTestId('file-row')).toHaveCount(1);
  await page.getByTestId('dataset-search').press('Escape');
  await expect(row(page, 'uno.bin')).toBeVisible();

  // Keyboard: a folder made here, opened with Enter, left with Backspace and Alt+Up.
  await page.getByTestId('new-folder').click();
  await page.getByTestId('name-input').fill('raw');
  await page.getByTestId('name-input').press('Enter');
  await expect(row(page, 'raw')).toBeVisible();
  const list = page.getByTestId('file-list');
  await list.focus();
  await list.press('Home');
  await expect(row(page, 'big.bin')).toHaveAttribute('aria-selected', 'true');
  await list.press('ArrowDown');
  await expect(row(page, 'empty.bin')).toHaveAttribute('aria-selected', 'true');
  await list.press('ArrowDown');
  await expect(row(page, 'raw')).toHaveAttribute('aria-selected', 'true');
  await list.press('Enter');
  await expect(page.getByTestId('crumb-current')).toHaveText('raw');
  await expect(page.getByTestId('folder-empty')).toBeVisible();
  await page.keyboard.press('Backspace');
  await expect(page.getByTestId('crumb-current')).toHaveText('images');
  await page.getByTestId('file-list').press('Alt+ArrowUp');
  await expect(page.getByTestId('crumb-current')).toHaveText('vision');
  // Breadcrumbs are buttons: back into the dataset from the tree, then up by a crumb.
  await page.locator('[data-testid="dataset-tree-item"][data-path="/Projects/vision/images"]').click();
  await expect(page.getByTestId('crumb-current')).toHaveText('images');
  await page.getByTestId('crumb').filter({ hasText: 'vision' }).click();
  await expect(page.getByTestId('crumb-current')).toHaveText('vision');

  // Share by drag: the dataset onto another project in the tree, confirmed read-only; that
  // project's Data Owner (here the same person) sees the offer and accepts it.
  await createProject(page, 'nlp');
  await page.locator('#activity-datasets').click();
  const nlp = page.locator('[data-testid="dataset-tree-item"][data-path="/Projects/nlp"]');
  await page.locator('[data-testid="dataset-tree-item"][data-path="/Projects/vision/images"]').dragTo(nlp);
  await expect(page.getByTestId('share-dialog')).toContainText('Share images with nlp?');
  await page.getByTestId('share-ok').click();
  await nlp.click();
  await expect(page.locator('[data-testid="share-offer"][data-path="/Projects/vision/images"]')).toContainText('read-only');
  await shot(page, 'share-offer');
  await page.getByTestId('share-accept').click();
  await expect(page.getByTestId('share-offer')).toHaveCount(0);
  await expect(row(page, 'vision::images')).toContainText('shared');

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.locator('[data-testid="dataset-tree-item"][data-path="/Projects/vision/images"]').click();
  await expect(row(page, 'big.bin')).toBeVisible();
  await shot(page, 'dark');
});

test('a folder of 5,000 files scrolls with only a window of rows in the page', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(app().url);
  await expect(page.locator('#root')).toHaveAttribute('data-app-state', 'ready');
  await createProject(page, 'scale');
  await page.locator('#activity-datasets').click();
  await page.locator('[data-testid="dataset-tree-item"][data-path="/Projects/scale"]').click();
  await page.getByTestId('new-folder').click();
  await page.getByTestId('name-input').fill('many');
  await page.getByTestId('name-input').press('Enter');
  await expect(row(page, 'many')).toBeVisible();

  // 5,000 one-byte files through the web server's upload route, several at a time, sent
  // from the test (with the page's session cookie) rather than the page, to be quick.
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  let next = 0;
  const failures: string[] = [];
  const send = async () => {
    while (next < 5000) {
      const name = `f${String(next++).padStart(5, '0')}.txt`;
      const query = new URLSearchParams({ path: `/Projects/scale/many/${name}` });
      const response = await fetch(`${app().origin}/transfer/upload?${query}`, {
        method: 'PUT',
        headers: { cookie, origin: app().origin, 'content-type': 'application/octet-stream' },
        body: 'x',
      });
      if (!response.ok) failures.push(`${name}: ${await response.text()}`);
      else await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 12 }, send));
  expect(failures).toEqual([]);

  await page.locator('[data-testid="dataset-tree-item"][data-path="/Projects/scale"]').click();
  await page.getByTestId('datasets-refresh').click();
  await row(page, 'many').dblclick();
  await expect(page.getByTestId('crumb-current')).toHaveText('many');
  const list = page.getByTestId('file-list');
  await expect(row(page, 'f00000.txt')).toBeVisible();

  // Scroll to the end in steps, as a wheel would; pages are read as the end nears.
  let mostRows = 0;
  for (let step = 0; step < 200; step++) {
    const done = await list.evaluate((el) => {
      el.scrollTop += el.clientHeight * 2;
      return el.scrollTop + el.clientHeight >= el.scrollHeight - 2 && el.getAttribute('data-rows') === '5000';
    });
    mostRows = Math.max(mostRows, await page.getByTestId('file-row').count());
    if (done) break;
  }
  await expect(list).toHaveAttribute('data-rows', '5000');
  await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(row(page, 'f04999.txt')).toBeVisible();
  expect(mostRows).toBeLessThan(120);
  expect(mostRows).toBeGreaterThan(5);

  // Keyboard over the whole folder: End, then Home.
  await list.focus();
  await list.press('Home');
  await expect(row(page, 'f00000.txt')).toHaveAttribute('aria-selected', 'true');
  await list.press('End');
  await expect(row(page, 'f04999.txt')).toHaveAttribute('aria-selected', 'true');
  await shot(page, '5000');
});
