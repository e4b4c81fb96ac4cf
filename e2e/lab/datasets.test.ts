/**
 * Datasets through the CLI on the lab in a box, as a researcher moves data: a three-host
 * cluster, a project and a dataset, files of awkward sizes up and back down (compared by
 * SHA-256), every block on three hosts, and roles that decide who may do what.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runHopsdesk } from '../fixtures/cli.ts';
import { createLab, labSupport, type Lab } from './lab.ts';

const support = await labSupport();
const skip = support.ok ? false : `skipped: ${support.reason}`;
const block = 64 * 1024 * 1024;

let lab: Lab;
let workspace: string;
let files: string;
const hopsdesk = (args: string[], timeoutMs = 240_000) =>
  runHopsdesk([...args, '--workspace', workspace], { HOPSDESK_SSH_CONFIG: lab.sshConfigFile }, timeoutMs);
const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

before(async () => {
  if (!support.ok) return;
  workspace = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-datasets-'));
  files = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-files-'));
  lab = await createLab(['dhead', 'dw1', 'dw2']);
  const [head, w1, w2] = lab.hosts as [typeof lab.hosts[0], typeof lab.hosts[0], typeof lab.hosts[0]];
  const created = await hopsdesk([
    'cluster', 'create', 'data', '--head', `${head.user}@${head.name}`, '--worker', `${w1.user}@${w1.name}`, '--worker', `${w2.user}@${w2.name}`,
    '--key', lab.clientKeyFile, '--trust-new',
  ]);
  assert.equal(created.code, 0, created.stderr);
  assert.equal((await hopsdesk(['project', 'create', 'vision'])).code, 0);
});
after(async () => {
  if (!support.ok) return;
  await lab?.teardown();
  await rm(workspace, { recursive: true, force: true });
  await rm(files, { recursive: true, force: true });
});

test('files of 0 B, 1 B and one block ± 1 byte come back byte for byte, each block on three hosts', { skip }, async () => {
  const made = await hopsdesk(['dataset', 'mkdir', '/Projects/vision/images']);
  assert.equal(made.code, 0, made.stderr);
  for (const size of [0, 1, block - 1, block, block + 1]) {
    const local = path.join(files, `f${size}.bin`);
    await writeFile(local, randomBytes(size));
    const put = await hopsdesk(['dataset', 'put', local, '/Projects/vision/images']);
    assert.equal(put.code, 0, put.stderr);
    const back = path.join(files, `back${size}.bin`);
    const got = await hopsdesk(['dataset', 'get', `/Projects/vision/images/f${size}.bin`, back]);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(await sha256(back), await sha256(local), `${size} bytes read back equal`);
  }
  const listing = JSON.parse((await hopsdesk(['dataset', 'ls', '/Projects/vision/images', '--json'])).stdout) as {
    entries: Array<{ name: string; size: number; replication: number }>;
  };
  assert.deepEqual(listing.entries.map((e) => [e.name, e.size]).sort(), [
    ['f0.bin', 0], ['f1.bin', 1], [`f${block + 1}.bin`, block + 1], [`f${block - 1}.bin`, block - 1], [`f${block}.bin`, block],
  ].sort());
  assert.ok(listing.entries.every((e) => e.replication === 3), 'replication min(3, hosts) = 3');

  const again = await hopsdesk(['dataset', 'put', path.join(files, 'f1.bin'), '/Projects/vision/images/f1.bin']);
  assert.equal(again.code, 1, 'an existing file is not replaced without --overwrite');
});

test('bad paths are refused with the rule they break, and nothing is written', { skip }, async () => {
  for (const [bad, rule] of [
    ['/Projects/vision/images/../../etc', 'no-dot-segments'],
    ['Projects/vision/images/x', 'absolute'],
    [`/Projects/vision/images/${'n'.repeat(5_000)}`, 'name-length'],
    [`/Projects/vision/images/${`${'d'.repeat(200)}/`.repeat(25)}x`, 'path-length'],
    ['/Projects/vision/images/a\u0001b', 'no-control-characters'],
  ] as const) {
    const result = await hopsdesk(['dataset', 'mkdir', bad]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, new RegExp(`rule ${rule}`), result.stderr);
  }
  // Far past any bound, the desktop refuses it before it reaches the head.
  const huge = await hopsdesk(['dataset', 'mkdir', `/Projects/vision/images/${'n'.repeat(10_000)}`]);
  assert.equal(huge.code, 2);
  assert.match(huge.stderr, /field \/path/);
});

test('a move renames within the project; a recursive remove asks first and then removes', { skip }, async () => {
  assert.equal((await hopsdesk(['dataset', 'mv', '/Projects/vision/images/f1.bin', '/Projects/vision/images/one.bin'])).code, 0);
  const stat = JSON.parse((await hopsdesk(['dataset', 'stat', '/Projects/vision/images/one.bin', '--json'])).stdout) as { size: number };
  assert.equal(stat.size, 1);
  const unconfirmed = await hopsdesk(['dataset', 'rm', '/Projects/vision/images', '--recursive']);
  assert.equal(unconfirmed.code, 2);
  assert.match(unconfirmed.stderr, /--yes/);
  const removed = await hopsdesk(['dataset', 'rm', '/Projects/vision/images', '--recursive', '--yes']);
  assert.equal(removed.code, 0, removed.stderr);
  const listing = JSON.parse((await hopsdesk(['dataset', 'ls', '/Projects/vision', '--json'])).stdout) as { entries: unknown[] };
  assert.deepEqual(listing.entries, []);
});
