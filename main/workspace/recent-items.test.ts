import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecentItem } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { limits } from '../../protocol/limits.ts';
import { tempWorkspace } from './fixtures.ts';

const refsOf = (items: Array<{ ref: string }>) => items.map((i) => i.ref);

test('recent items come back newest first, even within one millisecond', (t) => {
  const { recent } = tempWorkspace(t);
  assert.deepEqual(recent.list(), []);
  recent.add({ kind: 'host', ref: 'h1', title: 'gpu1' });
  recent.add({ kind: 'cluster', ref: 'lab', title: 'Lab' });
  recent.add({ kind: 'view', ref: 'jobs', title: 'Jobs' });
  const items = recent.list();
  assert.deepEqual(refsOf(items), ['jobs', 'lab', 'h1']);
  assert.deepEqual(
    items.map((i) => i.kind),
    ['view', 'cluster', 'host'],
  );
  assert.ok(items[0]!.openedAtMs > items[1]!.openedAtMs);
});

test('adding an item again moves it to the top with its new title', (t) => {
  const { recent } = tempWorkspace(t);
  recent.add({ kind: 'host', ref: 'h1', title: 'gpu1' });
  recent.add({ kind: 'host', ref: 'h2', title: 'gpu2' });
  recent.add({ kind: 'host', ref: 'h1', title: 'gpu1 (renamed)' });
  assert.deepEqual(
    recent.list().map((i) => [i.ref, i.title]),
    [
      ['h1', 'gpu1 (renamed)'],
      ['h2', 'gpu2'],
    ],
  );
  recent.add({ kind: 'cluster', ref: 'h1', title: 'a cluster called h1' });
  assert.equal(recent.list().length, 3, 'the same ref of another kind is another item');
});

test(`at most ${limits.maxRecentItems} items are kept, dropping the oldest`, (t) => {
  const { recent } = tempWorkspace(t);
  const total = limits.maxRecentItems + 7;
  for (let i = 0; i < total; i++) recent.add({ kind: 'view', ref: `v${i}`, title: `View ${i}` });
  const refs = refsOf(recent.list());
  assert.equal(refs.length, limits.maxRecentItems);
  assert.equal(refs[0], `v${total - 1}`);
  assert.equal(refs.at(-1), `v${total - limits.maxRecentItems}`);
});

test('invalid items are refused', (t) => {
  const { recent } = tempWorkspace(t);
  const bad: unknown[] = [
    { kind: 'file', ref: 'x', title: 'x' },
    { kind: 'host', ref: '', title: 'x' },
    { kind: 'host', ref: 'x', title: 'x'.repeat(257) },
  ];
  for (const item of bad) {
    assert.throws(
      () => recent.add(item as RecentItem),
      (err: unknown) => err instanceof HopsError && err.code === 'VALIDATION',
      JSON.stringify(item).slice(0, 60),
    );
  }
  assert.deepEqual(recent.list(), []);
});
