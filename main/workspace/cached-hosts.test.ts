import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HopsError } from '../../protocol/errors.ts';
import { sampleHost, tempWorkspace } from './fixtures.ts';

test('the cached host list is replaced as a whole and read back by hostname', (t) => {
  const { clusters, hosts } = tempWorkspace(t);
  clusters.create({ name: 'lab', kind: 'ssh', config: {} });
  clusters.create({ name: 'other', kind: 'ssh', config: {} });
  assert.deepEqual(hosts.list('lab'), []);

  const b = sampleHost('h-b', 'beta.lab');
  const a = sampleHost('h-a', 'alpha.lab');
  hosts.replace('lab', [b, a]);
  hosts.replace('other', [sampleHost('h-c')]);
  assert.deepEqual(hosts.list('lab'), [a, b]);

  const beta = { ...b, state: 'unreachable' as const };
  hosts.replace('lab', [beta]);
  assert.deepEqual(hosts.list('lab'), [beta]);
  assert.equal(hosts.list('other').length, 1, 'other clusters keep their hosts');
  hosts.replace('lab', []);
  assert.deepEqual(hosts.list('lab'), []);
});

test('hosts of an unknown cluster are refused and an unknown cluster has none', (t) => {
  const { hosts } = tempWorkspace(t);
  assert.throws(
    () => hosts.replace('nowhere', [sampleHost('h1')]),
    (err: unknown) => err instanceof HopsError && err.code === 'CLUSTER_NOT_FOUND',
  );
  assert.deepEqual(hosts.list('nowhere'), []);
});

test('a failed replace keeps the previous list', (t) => {
  const { clusters, hosts } = tempWorkspace(t);
  clusters.create({ name: 'lab', kind: 'ssh', config: {} });
  const kept = [sampleHost('h1')];
  hosts.replace('lab', kept);
  // The same host twice breaks the primary key halfway through the replacement.
  assert.throws(() => hosts.replace('lab', [sampleHost('h2'), sampleHost('h2')]));
  assert.deepEqual(hosts.list('lab'), kept);
});
