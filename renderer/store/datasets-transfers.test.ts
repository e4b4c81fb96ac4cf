import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  percentOf,
  progressApplied,
  secondsLeft,
  transferChanged,
  transferQueued,
  transferRequeued,
  transfersSummary,
  transfersToDraw,
  TRANSFER_ROWS_KEPT,
  type TransferProgress,
} from './datasets-transfers.ts';

const event = (patch: Partial<TransferProgress>): TransferProgress => ({
  direction: 'upload',
  path: '/Projects/p/d/a.bin',
  localFile: '',
  bytesDone: 0,
  bytesTotal: 100,
  transferId: 't1',
  state: 'running',
  ...patch,
});
const queued = (key: string, path = '/Projects/p/d/a.bin') => transferQueued([], { key, direction: 'upload', path, label: 'a.bin', bytesTotal: 100 }, 0);

describe('transfers', () => {
  it('follows a queued upload by its transfer id, with a smoothed rate and time left', () => {
    let rows = transferChanged(queued('t1'), 't1', { state: 'running' }, 1_000);
    rows = progressApplied(rows, event({ bytesDone: 10 }), 2_000);
    rows = progressApplied(rows, event({ bytesDone: 30 }), 3_000);
    const row = rows[0]!;
    assert.equal(row.bytesDone, 30);
    assert.ok(row.rate > 10 && row.rate <= 20, `rate ${row.rate}`);
    assert.ok((secondsLeft(row) ?? 0) > 0);
    assert.equal(percentOf(row), 30);
  });

  it('falls back to the path for events without a known id, and adopts the id', () => {
    let rows = transferChanged(queued('mine'), 'mine', { state: 'running' }, 0);
    rows = progressApplied(rows, event({ transferId: 'core-1', bytesDone: 50 }), 10);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.transferId, 'core-1');
    assert.equal(rows[0]!.bytesDone, 50);
  });

  it('shows a retry with its reason and restarts the count at the offset the head committed', () => {
    let rows = progressApplied(transferChanged(queued('t1'), 't1', { state: 'running' }, 0), event({ bytesDone: 80 }), 10);
    rows = progressApplied(rows, event({ bytesDone: 64, state: 'retrying', reason: 'A block needs 2 healthy workers.' }), 20);
    assert.equal(rows[0]!.state, 'retrying');
    assert.equal(rows[0]!.bytesDone, 64);
    assert.equal(rows[0]!.rate, 0);
    assert.equal(rows[0]!.interruption, 'A block needs 2 healthy workers.');
    rows = progressApplied(rows, event({ bytesDone: 70 }), 30);
    assert.equal(rows[0]!.interruption, null, 'running again, the reason is gone');
  });

  it('gives a transfer started elsewhere a row of its own; a late event of a finished one changes nothing', () => {
    let rows = progressApplied([], event({ transferId: 'dl', direction: 'download', path: '/Projects/p/d/b.csv', bytesDone: 5 }), 0);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.label, 'b.csv');
    rows = transferChanged(queued('t1'), 't1', { state: 'done', bytesTotal: 100 }, 0);
    const after = progressApplied(rows, event({ bytesDone: 40 }), 5);
    assert.equal(after.length, 1);
    assert.equal(after[0]!.state, 'done');
    assert.equal(after[0]!.bytesDone, 100, 'a stale count does not undo a finished one');
  });

  it('a failed row queued again (Retry) starts over from no bytes, without its old cause, in the same row', () => {
    let rows = transferQueued([], { key: 'r', direction: 'upload', path: '/p/r', label: 'r', bytesTotal: 10 }, 0);
    rows = progressApplied(rows, event({ path: '/p/r', transferId: 'r', bytesDone: 6, bytesTotal: 10, state: 'running' }), 1000);
    rows = transferChanged(rows, 'r', { state: 'failed', problem: { code: 'AGENT_UNREACHABLE', message: 'gone', hint: 'retry' } }, 2000);
    rows = transferRequeued(rows, 'r', 3000);
    assert.equal(rows.length, 1);
    assert.deepEqual(
      (({ key, transferId, state, bytesDone, rate, problem, startedAtMs }) => ({ key, transferId, state, bytesDone, rate, problem, startedAtMs }))(rows[0]!),
      { key: 'r', transferId: 'r', state: 'queued', bytesDone: 0, rate: 0, problem: null, startedAtMs: 3000 },
    );
  });

  it('a 0-byte file is complete once done', () => {
    const rows = transferChanged(transferQueued([], { key: 'z', direction: 'upload', path: '/p', label: 'z', bytesTotal: 0 }, 0), 'z', { state: 'done' }, 1);
    assert.equal(percentOf(rows[0]!), 100);
  });

  it('sums what moves, draws the moving rows first, and keeps at most the cap', () => {
    let rows = queued('a');
    rows = transferQueued(rows, { key: 'b', direction: 'upload', path: '/b', label: 'b', bytesTotal: 10 }, 0);
    rows = transferChanged(rows, 'a', { state: 'failed', problem: { code: 'DISK_FULL', message: 'full', hint: 'free space' } }, 1);
    assert.deepEqual(transfersSummary(rows), { active: 1, failed: 1, done: 0, bytesDone: 0, bytesTotal: 10 });
    assert.deepEqual(transfersToDraw(rows).map((r) => r.key), ['b', 'a']);
    for (let i = 0; i < TRANSFER_ROWS_KEPT + 50; i++) rows = progressApplied(rows, event({ transferId: `x${i}`, path: `/f${i}`, state: 'done' }), 10_000 + i * 3_000);
    assert.ok(rows.length <= TRANSFER_ROWS_KEPT);
    assert.ok(rows.some((r) => r.key === 'b'), 'a moving row is never dropped');
  });
});
