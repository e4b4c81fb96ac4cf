/**
 * Round trips through the CLI on the lab in a box, as a researcher moves data, on a
 * two-host cluster (so every block has two replicas): a 1 GiB file (sixteen full blocks
 * of the default 64 MiB) and a folder of a few files, up with `hopsdesk dataset put` and
 * back with `get`, compared by SHA-256; and a file streamed up and down through the core
 * as web mode streams a browser's (beside the tunnel, to the head's cluster listener).
 * The block-boundary sizes (0 B, 1 B, 64 MiB and
 * 64 MiB ± 1) are covered on three hosts by datasets.test.ts; they are not repeated here.
 * Big files are made from a seeded keystream (e2e/fixtures/seeded-file.ts) and removed
 * as soon as they are compared.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createCore } from '../../main/core/create-core.ts';
import { runHopsdesk } from '../fixtures/cli.ts';
import { sha256File, writeSeededFile } from '../fixtures/seeded-file.ts';
import { createLab, labSupport, type Lab, type LabHost } from './lab.ts';

const support = await labSupport();
const skip = support.ok ? false : `skipped: ${support.reason}`;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

let lab: Lab;
let workspace: string;
let files: string;
const hopsdesk = (args: string[], timeoutMs = 240_000) =>
  runHopsdesk([...args, '--workspace', workspace], { HOPSDESK_SSH_CONFIG: lab.sshConfigFile }, timeoutMs);

before(async () => {
  if (!support.ok) return;
  workspace = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-roundtrip-'));
  files = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-roundtrip-files-'));
  lab = await createLab(['rthead', 'rtw1']);
  const [head, worker] = lab.hosts as [LabHost, LabHost];
  const created = await hopsdesk([
    'cluster', 'create', 'roundtrip', '--head', `${head.user}@${head.name}`, '--worker', `${worker.user}@${worker.name}`,
    '--key', lab.clientKeyFile, '--trust-new',
  ]);
  assert.equal(created.code, 0, created.stderr);
  assert.equal((await hopsdesk(['project', 'create', 'climate'])).code, 0);
  const made = await hopsdesk(['dataset', 'mkdir', '/Projects/climate/runs']);
  assert.equal(made.code, 0, made.stderr);
});
after(async () => {
  if (!support.ok) return;
  await lab?.teardown();
  await rm(workspace, { recursive: true, force: true });
  await rm(files, { recursive: true, force: true });
});

interface Listed {
  entries: Array<{ name: string; type: 'file' | 'dir'; size: number; replication: number; blockSize: number }>;
}

test('a 1 GiB file, sixteen 64 MiB blocks at two replicas, goes up and comes back byte for byte', { skip }, async () => {
  const local = path.join(files, 'era5.bin');
  const back = path.join(files, 'era5-back.bin');
  try {
    const digest = await writeSeededFile(local, GiB, 'fs-roundtrip 1 GiB');
    const put = await hopsdesk(['dataset', 'put', local, '/Projects/climate/runs']);
    assert.equal(put.code, 0, put.stderr);
    const stat = JSON.parse((await hopsdesk(['dataset', 'stat', '/Projects/climate/runs/era5.bin', '--json'])).stdout) as Listed['entries'][number];
    assert.deepEqual([stat.size, stat.blockSize, stat.replication], [GiB, 64 * MiB, 2]);
    const got = await hopsdesk(['dataset', 'get', '/Projects/climate/runs/era5.bin', back]);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(await sha256File(back), digest, '1 GiB read back equal');
  } finally {
    await rm(local, { force: true });
    await rm(back, { force: true });
  }
  // Nothing is left beside the download: it was written aside and renamed once complete.
  assert.deepEqual(await readdir(files), []);
});

test('a folder of a few files goes up file by file and comes back equal', { skip }, async () => {
  const folder = path.join(files, 'station-42');
  await mkdir(folder);
  const sizes: Record<string, number> = { 'empty.csv': 0, 'one.txt': 1, 'readings.csv': 4097, 'hourly.parquet': 3 * MiB + 5, 'notes.md': 300 };
  const digests = new Map<string, string>();
  for (const [name, size] of Object.entries(sizes)) digests.set(name, await writeSeededFile(path.join(folder, name), size, name));

  const made = await hopsdesk(['dataset', 'mkdir', '/Projects/climate/runs/station-42']);
  assert.equal(made.code, 0, made.stderr);
  const locals = (await readdir(folder)).map((name) => path.join(folder, name));
  const put = await hopsdesk(['dataset', 'put', ...locals, '/Projects/climate/runs/station-42']);
  assert.equal(put.code, 0, put.stderr);

  const listing = JSON.parse((await hopsdesk(['dataset', 'ls', '/Projects/climate/runs/station-42', '--json'])).stdout) as Listed;
  assert.deepEqual(
    listing.entries.map((e) => [e.name, e.type, e.size, e.replication]),
    Object.entries(sizes).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, size]) => [name, 'file', size, 2]),
  );

  const back = path.join(files, 'station-42-back');
  await mkdir(back);
  for (const name of Object.keys(sizes)) {
    const got = await hopsdesk(['dataset', 'get', `/Projects/climate/runs/station-42/${name}`, path.join(back, name)]);
    assert.equal(got.code, 0, got.stderr);
    assert.equal((await stat(path.join(back, name))).size, sizes[name]);
    assert.equal(await sha256File(path.join(back, name)), digests.get(name), `${name} read back equal`);
  }
});

test('a file streamed up and back as web mode streams a browser\'s comes back byte for byte', { skip }, async () => {
  const local = path.join(files, 'streamed.bin');
  const size = 80 * MiB + 7;
  const digest = await writeSeededFile(local, size, 'fs-roundtrip streamed');
  const core = await createCore({ mode: 'cli', workspaceDir: workspace, startLocalCluster: false, sshConfigFile: lab.sshConfigFile, log: () => undefined });
  try {
    await core.start();
    const remote = '/Projects/climate/runs/streamed.bin';
    const stat = await core.streams.upload({ cluster: 'roundtrip', path: remote, transferId: 'web-up', contentLength: size }, createReadStream(local));
    assert.equal(stat.size, size);
    const opened = await core.streams.download({ cluster: 'roundtrip', path: remote, transferId: 'web-down' });
    assert.equal(opened.size, size);
    const hash = createHash('sha256');
    for await (const chunk of opened.stream) hash.update(chunk as Buffer);
    assert.equal(hash.digest('hex'), digest, 'read back equal');
  } finally {
    await core.stop();
    await rm(local, { force: true });
  }
});
