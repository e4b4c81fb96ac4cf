/// <reference lib="dom" />
/**
 * The Electron window, driven by Playwright's _electron where an Electron binary exists.
 * The npm package cannot download its binary on machines without internet; there the test
 * reports itself skipped with the reason findElectronBinary() gives.
 */
import { _electron as electron, expect, test } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findElectronBinary } from '../main/electron/find-electron.ts';
import { repoRoot } from './fixtures/app.ts';

const binary = findElectronBinary();

test('the Electron window loads the local cluster with isolation on', async () => {
  test.skip('missing' in binary, 'missing' in binary ? `no Electron window here: ${binary.missing}` : '');
  if (!('path' in binary)) return;
  const workspace = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-electron-'));
  const app = await electron.launch({
    executablePath: binary.path,
    args: [path.join(repoRoot, 'dist', 'electron', 'main.cjs'), '--workspace', workspace],
  });
  try {
    const window = await app.firstWindow();
    await expect(window.locator('#root')).toHaveAttribute('data-app-state', 'ready');
    await expect(window.getByTestId('host-card')).toHaveCount(1);
    const isolated = await window.evaluate(() => typeof (globalThis as { require?: unknown }).require === 'undefined');
    expect(isolated).toBe(true);
    expect(await window.evaluate(() => typeof (window as unknown as { hops: unknown }).hops)).toBe('object');
  } finally {
    await app.close();
    await rm(workspace, { recursive: true, force: true });
  }
});
