import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { findElectronBinary } from './find-electron.ts';

/** A fake `node_modules/electron` with as much of an install as asked for. */
function fakePackage(t: TestContext, install: { dist?: boolean; pathTxt?: string; binary?: boolean }): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'hopsdesk-electron-pkg-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = path.join(root, 'node_modules', 'electron');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{"name":"electron"}');
  if (install.dist) mkdirSync(path.join(dir, 'dist'));
  if (install.pathTxt !== undefined) writeFileSync(path.join(dir, 'path.txt'), install.pathTxt);
  if (install.binary) {
    writeFileSync(path.join(dir, 'dist', 'electron'), '#!/bin/sh\n');
    chmodSync(path.join(dir, 'dist', 'electron'), 0o755);
  }
  return dir;
}

const linux = { env: {}, platform: 'linux' as const };

test('an installed binary is found through path.txt', (t) => {
  const dir = fakePackage(t, { dist: true, pathTxt: 'electron', binary: true });
  assert.deepEqual(findElectronBinary({ ...linux, packageDir: dir }), { path: path.join(dir, 'dist', 'electron') });
});

test('a package without its binary says why in one sentence, without downloading', (t) => {
  const bare = findElectronBinary({ ...linux, packageDir: fakePackage(t, {}) });
  assert.ok('missing' in bare);
  assert.equal(
    bare.missing,
    "the Electron binary is not installed (node_modules/electron/dist is absent; `npx install-electron` fetches it where Electron's download server is reachable)",
  );
  const noPathTxt = findElectronBinary({ ...linux, packageDir: fakePackage(t, { dist: true }) });
  assert.ok('missing' in noPathTxt);
  assert.match(noPathTxt.missing, /path\.txt is absent/);
  const noBinary = findElectronBinary({ ...linux, packageDir: fakePackage(t, { dist: true, pathTxt: 'electron' }) });
  assert.ok('missing' in noBinary);
  assert.match(noBinary.missing, /node_modules\/electron\/dist\/electron is absent/);
});

test('ELECTRON_OVERRIDE_DIST_PATH wins when it holds the binary, and is named when it does not', (t) => {
  const dir = fakePackage(t, { dist: true, pathTxt: 'electron', binary: true });
  const distDir = path.join(dir, 'dist');
  assert.deepEqual(findElectronBinary({ env: { ELECTRON_OVERRIDE_DIST_PATH: distDir }, platform: 'linux', packageDir: undefined }), {
    path: path.join(distDir, 'electron'),
  });
  const empty = path.join(dir, 'nowhere');
  const result = findElectronBinary({ env: { ELECTRON_OVERRIDE_DIST_PATH: empty }, platform: 'linux', packageDir: dir });
  assert.ok('missing' in result);
  assert.match(result.missing, /ELECTRON_OVERRIDE_DIST_PATH is set but .*nowhere\/electron does not exist/);
});

test("this checkout's electron package is inspected without being loaded", () => {
  const result = findElectronBinary({ env: {} });
  assert.ok('path' in result || /Electron binary|electron package/.test(result.missing), JSON.stringify(result));
});
