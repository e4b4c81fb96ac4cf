import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OfflineCopy } from '../../protocol/previews.ts';
import { copyHolding, isClusterUnreachable, isOfflineConnection, offlineAgeOf, offlinePage } from './datasets-offline.ts';

const copy = (path: string, copiedAtMs: number, sampleRows: number | null = null): OfflineCopy => ({
  cluster: 'lab',
  path,
  type: 'dir',
  bytes: 10,
  files: 1,
  sampleRows,
  copiedAtMs,
});

describe('explorer offline', () => {
  it('reads the copies when the core says the cluster is not connected, not before it has said', () => {
    assert.equal(isOfflineConnection(null), false);
    assert.equal(isOfflineConnection({ state: 'connected', detail: '', sinceMs: 1 }), false);
    for (const state of ['starting', 'reconnecting', 'offline', 'error', 'version-mismatch'] as const) {
      assert.equal(isOfflineConnection({ state, detail: '', sinceMs: 1 }), true, state);
    }
  });

  it('takes only a lost link for unreachable, not a refusal', () => {
    assert.equal(isClusterUnreachable({ code: 'AGENT_UNREACHABLE', message: '', hint: '' }), true);
    assert.equal(isClusterUnreachable({ code: 'SSH_UNREACHABLE', message: '', hint: '' }), true);
    assert.equal(isClusterUnreachable({ code: 'PERMISSION_DENIED', message: '', hint: '' }), false);
    assert.equal(isClusterUnreachable({ code: 'PATH_NOT_FOUND', message: '', hint: '' }), false);
  });

  it('finds the copy holding a path: itself or a folder above, never a sibling with the same prefix', () => {
    const copies = [copy('/Projects/p/d', 5), copy('/Projects/q/e/f.csv', 7)];
    assert.equal(copyHolding(copies, '/Projects/p/d')?.path, '/Projects/p/d');
    assert.equal(copyHolding(copies, '/Projects/p/d/x/y.csv')?.path, '/Projects/p/d');
    assert.equal(copyHolding(copies, '/Projects/p/dd'), undefined);
    assert.equal(copyHolding(copies, '/Projects/q/e'), undefined);
  });

  it('ages a folder above several copies by the oldest, and a sampled one says so', () => {
    const copies = [copy('/Projects/p/a', 300), copy('/Projects/p/b', 100, 50), copy('/Projects/q/c', 1)];
    assert.deepEqual(offlineAgeOf(copies, '/Projects/p/a/x'), { copiedAtMs: 300, sampleRows: null });
    assert.deepEqual(offlineAgeOf(copies, '/Projects/p'), { copiedAtMs: 100, sampleRows: 50 });
    assert.deepEqual(offlineAgeOf([copy('/Projects/p/a', 300)], '/Projects'), { copiedAtMs: 300, sampleRows: null });
    assert.equal(offlineAgeOf(copies, '/Projects/r'), undefined);
  });

  it('turns a directory of the copies into a listing page with nothing made up', () => {
    const page = offlinePage([{ path: '/Projects/p/d/a.csv', name: 'a.csv', type: 'file', size: 3, mtimeMs: 9 }]);
    assert.equal(page.nextCursor, null);
    assert.deepEqual(page.entries, [{ path: '/Projects/p/d/a.csv', name: 'a.csv', type: 'file', size: 3, mtimeMs: 9, replication: 0, blockSize: 0, complete: true, createdBy: '' }]);
  });
});
