import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HopsError } from '../../protocol/errors.ts';
import { sampleHost, tempWorkspace } from './fixtures.ts';

const isCode = (code: string) => (err: unknown) => err instanceof HopsError && err.code === code;

test('clusters are created, listed oldest first, read and removed', (t) => {
  const { clusters } = tempWorkspace(t);
  assert.deepEqual(clusters.list(), []);
  const local = clusters.create({ name: 'local', kind: 'local', config: {} });
  clusters.create({ name: 'lab-2.gpu_a', kind: 'ssh', config: { host: 'gpu1.lab', port: 22, user: 'ada' } });
  assert.equal(local.name, 'local');
  assert.ok(Math.abs(local.createdAtMs - Date.now()) < 60_000);
  assert.deepEqual(
    clusters.list().map((c) => [c.name, c.kind]),
    [
      ['local', 'local'],
      ['lab-2.gpu_a', 'ssh'],
    ],
  );
  assert.deepEqual(clusters.get('lab-2.gpu_a')?.config, { host: 'gpu1.lab', port: 22, user: 'ada' });
  assert.equal(clusters.get('missing'), undefined);
  assert.equal(clusters.remove('local'), true);
  assert.equal(clusters.remove('local'), false);
  assert.deepEqual(
    clusters.list().map((c) => c.name),
    ['lab-2.gpu_a'],
  );
});

test('a taken name is refused, naming the field', (t) => {
  const { clusters } = tempWorkspace(t);
  clusters.create({ name: 'lab', kind: 'ssh', config: {} });
  assert.throws(
    () => clusters.create({ name: 'lab', kind: 'local', config: {} }),
    (err: unknown) => isCode('VALIDATION')(err) && (err as HopsError).field === '/name' && /already exists/.test((err as Error).message),
  );
});

test('malformed names, kinds and configs are refused before they reach SQLite', (t) => {
  const { clusters } = tempWorkspace(t);
  for (const name of ['', ' lab', 'lab/1', '-lab', 'läb', 'x'.repeat(129)]) {
    assert.throws(() => clusters.create({ name, kind: 'ssh', config: {} }), isCode('VALIDATION'), name);
  }
  assert.throws(() => clusters.create({ name: 'a', kind: 'slurm' as 'ssh', config: {} }), isCode('VALIDATION'));
  assert.throws(() => clusters.create({ name: 'a', kind: 'ssh', config: [] as unknown as Record<string, unknown> }), isCode('VALIDATION'));
  assert.deepEqual(clusters.list(), []);
});

test('the active cluster is set, moved, and cleared when it is removed', (t) => {
  const { clusters, hosts } = tempWorkspace(t);
  assert.equal(clusters.active(), undefined);
  clusters.create({ name: 'local', kind: 'local', config: {} });
  clusters.create({ name: 'lab', kind: 'ssh', config: {} });
  clusters.setActive('local');
  assert.equal(clusters.active(), 'local');
  clusters.setActive('lab');
  assert.equal(clusters.active(), 'lab');
  assert.throws(() => clusters.setActive('nowhere'), isCode('CLUSTER_NOT_FOUND'));
  assert.equal(clusters.active(), 'lab');

  hosts.replace('lab', [sampleHost('h1')]);
  clusters.remove('lab');
  assert.equal(clusters.active(), undefined);
  assert.deepEqual(hosts.list('lab'), [], 'cached hosts go with their cluster');
});
