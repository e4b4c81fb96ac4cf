/**
 * Offline copies against a real local agent: a dataset copied whole and a table copied as
 * its first rows, then the agent gone and the copies listed and previewed from the disk,
 * with paths that try to leave the offline folder refused.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import type { EventPayload } from '../../protocol/desktop-api.ts';
import type { FilePreview, OfflineCopy, OfflineEntry } from '../../protocol/previews.ts';
import type { Core } from '../core/core.ts';
import { createCore } from '../core/create-core.ts';
import { ensureAgentBundle } from '../testing/agent-bundle.ts';

let dir: string;
let workspace: string;
let core: Core;

const put = async (fsPath: string, content: string) => {
  const file = path.join(dir, 'local', path.basename(fsPath));
  await writeFile(file, content);
  await core.dispatch('dataset.put', { localFile: file, path: fsPath });
};
const csvRows = (count: number) => ['n,square', ...Array.from({ length: count }, (_, i) => `${i},${i * i}`)].join('\n') + '\n';

before(async () => {
  await ensureAgentBundle();
  dir = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-offline-'));
  workspace = path.join(dir, 'workspace');
  await mkdir(path.join(dir, 'local'));
  core = await createCore({ mode: 'cli', workspaceDir: workspace, log: () => undefined });
  await core.start();
  await core.dispatch('project.create', { name: 'lab' });
  await core.dispatch('dataset.mkdir', { path: '/Projects/lab/scans/raw', parents: true });
  await put('/Projects/lab/scans/readme.md', '# Scans\n');
  await put('/Projects/lab/scans/raw/squares.csv', csvRows(5000));
  await core.dispatch('dataset.mkdir', { path: '/Projects/lab/big' });
  await put('/Projects/lab/big/squares.csv', csvRows(5000));
  const parquet = path.join(dir, 'local', 'cubes.parquet');
  const duck = await DuckDBInstance.create(':memory:');
  const connection = await duck.connect();
  await connection.run(`COPY (SELECT range AS n, range * range * range AS cube FROM range(50000)) TO '${parquet}' (FORMAT parquet, ROW_GROUP_SIZE 10000)`);
  connection.closeSync();
  duck.closeSync();
  await core.dispatch('dataset.put', { localFile: parquet, path: '/Projects/lab/big/cubes.parquet' });
});
after(async () => {
  await core?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('a dataset is copied whole into the workspace, with progress', async () => {
  const events: Array<EventPayload<'offline.progress'>> = [];
  const off = core.subscribe((name, payload) => {
    if (name === 'offline.progress') events.push(payload as EventPayload<'offline.progress'>);
  });
  const copy = (await core.dispatch('offline.make', { path: '/Projects/lab/scans' })) as OfflineCopy;
  off();
  const csvBytes = Buffer.byteLength(csvRows(5000));
  assert.deepEqual({ ...copy, copiedAtMs: 0 }, { cluster: 'local', path: '/Projects/lab/scans', type: 'dir', bytes: csvBytes + 8, files: 2, sampleRows: null, copiedAtMs: 0 });
  const local = path.join(workspace, 'offline', 'local', 'Projects', 'lab', 'scans');
  assert.equal(await readFile(path.join(local, 'raw', 'squares.csv'), 'utf8'), csvRows(5000));
  assert.equal(await readFile(path.join(local, 'readme.md'), 'utf8'), '# Scans\n');
  assert.deepEqual(events.at(-1), { cluster: 'local', path: '/Projects/lab/scans', bytesDone: csvBytes + 8, bytesTotal: csvBytes + 8, filesDone: 2, filesTotal: 2 });
  await assert.rejects(core.dispatch('offline.make', { path: '/Projects/lab/scans/raw' }), { code: 'OFFLINE_COPY_OVERLAPS' });
});

test('a sampled copy keeps the first rows of each table, written by DuckDB', async () => {
  const copy = (await core.dispatch('offline.make', { path: '/Projects/lab/big', sampleRows: 10 })) as OfflineCopy;
  assert.equal(copy.sampleRows, 10);
  const text = await readFile(path.join(workspace, 'offline', 'local', 'Projects', 'lab', 'big', 'squares.csv'), 'utf8');
  assert.equal(text, csvRows(10));
  // What the copy holds on this disk, not what the cluster holds.
  const sampledParquet = await stat(path.join(workspace, 'offline', 'local', 'Projects', 'lab', 'big', 'cubes.parquet'));
  assert.equal(copy.bytes, Buffer.byteLength(csvRows(10)) + sampledParquet.size);
  assert.equal(copy.files, 2);
  const { copies } = (await core.dispatch('offline.list', {})) as { copies: OfflineCopy[] };
  assert.deepEqual(copies.map((c) => [c.path, c.sampleRows]), [['/Projects/lab/big', 10], ['/Projects/lab/scans', null]]);
});

test('with the agent gone, copies are listed and previewed from the disk, marked offline', async () => {
  await core.stop();
  // The same workspace, with an agent that cannot start: the cluster cannot be reached.
  core = await createCore({ mode: 'cli', workspaceDir: workspace, agentBundlePath: path.join(dir, 'no-agent.mjs'), log: () => undefined });

  const preview = (await core.dispatch('dataset.preview', { path: '/Projects/lab/scans/raw/squares.csv', maxRows: 3 })) as FilePreview;
  assert.ok(preview.kind === 'table');
  assert.deepEqual(preview.rows, [['0', '0'], ['1', '1'], ['2', '4']]);
  assert.equal(preview.totalRows, 5000);
  assert.ok(preview.offline !== undefined && preview.offline.copiedAtMs <= Date.now());
  const cubes = (await core.dispatch('dataset.preview', { path: '/Projects/lab/big/cubes.parquet' })) as FilePreview;
  assert.ok(cubes.kind === 'table' && cubes.offline !== undefined);
  assert.equal(cubes.totalRows, 10, 'the sampled copy holds the first 10 rows only');
  assert.deepEqual(cubes.rows.at(-1), ['9', '729']);

  const listing = async (fsPath: string) => ((await core.dispatch('offline.listDir', { path: fsPath })) as { entries: OfflineEntry[] }).entries;
  assert.deepEqual((await listing('/Projects')).map((e) => [e.name, e.type]), [['lab', 'dir']]);
  assert.deepEqual((await listing('/Projects/lab')).map((e) => [e.name, e.type]), [['big', 'dir'], ['scans', 'dir']]);
  const scans = await listing('/Projects/lab/scans');
  assert.deepEqual(scans.map((e) => [e.path, e.type, e.size]), [
    ['/Projects/lab/scans/raw', 'dir', 0],
    ['/Projects/lab/scans/readme.md', 'file', 8],
  ]);
  await assert.rejects(core.dispatch('offline.listDir', { path: '/Projects/other' }), { code: 'OFFLINE_COPY_NOT_FOUND' });
  await assert.rejects(core.dispatch('dataset.preview', { path: '/Projects/lab/elsewhere.csv' }), (err: { code: string; message: string }) => {
    assert.equal(err.code, 'AGENT_UNREACHABLE');
    assert.match(err.message, /No offline copy of \/Projects\/lab\/elsewhere.csv is kept either/);
    return true;
  });
});

test('paths cannot leave the offline folder, by dots or by links', async () => {
  await assert.rejects(core.dispatch('offline.listDir', { path: '/Projects/lab/scans/../../../..' }), { code: 'PATH_INVALID' });
  const raw = path.join(workspace, 'offline', 'local', 'Projects', 'lab', 'scans', 'raw');
  await rm(raw, { recursive: true });
  await symlink('/etc', raw);
  await assert.rejects(core.dispatch('offline.listDir', { path: '/Projects/lab/scans/raw' }), { code: 'OFFLINE_PATH_UNSAFE' });
  await assert.rejects(core.dispatch('dataset.preview', { path: '/Projects/lab/scans/raw/passwd' }), { code: 'OFFLINE_PATH_UNSAFE' });
});

test('removing a copy deletes its files and its record', async () => {
  const removed = (await core.dispatch('offline.remove', { path: '/Projects/lab/scans' })) as OfflineCopy;
  assert.equal(removed.path, '/Projects/lab/scans');
  await assert.rejects(stat(path.join(workspace, 'offline', 'local', 'Projects', 'lab', 'scans')), { code: 'ENOENT' });
  assert.ok((await stat('/etc/passwd')).isFile(), 'the link was removed, not what it pointed to');
  const { copies } = (await core.dispatch('offline.list', {})) as { copies: OfflineCopy[] };
  assert.deepEqual(copies.map((c) => c.path), ['/Projects/lab/big']);
  await assert.rejects(core.dispatch('offline.remove', { path: '/Projects/lab/scans' }), { code: 'OFFLINE_COPY_NOT_FOUND' });
});
