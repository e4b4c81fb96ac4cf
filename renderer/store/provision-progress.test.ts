import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProvisionProgress } from '../../protocol/cluster-setup.ts';
import { applyProgress, progressKey, progressPercent, rowsOfCluster, uploadSecondsLeft, withoutCluster, type ProvisionRows } from './provision-progress.ts';

const event = (atMs: number, phase: ProvisionProgress['phase'], overrides: Partial<ProvisionProgress> = {}): ProvisionProgress => ({
  cluster: 'lab',
  target: 'ubuntu@gpu-1',
  phase,
  detail: phase,
  atMs,
  ...overrides,
});

const fold = (events: ProvisionProgress[], from: ProvisionRows = {}) => events.reduce(applyProgress, from);
const row = (rows: ProvisionRows, target = 'ubuntu@gpu-1', cluster = 'lab') => rows[progressKey(cluster, target)]!;

describe('provision progress', () => {
  it('keeps one row per cluster and target with the newest phase and detail', () => {
    const rows = fold([
      event(1, 'connecting'),
      event(2, 'checking', { detail: 'Debian 13, x86_64' }),
      event(3, 'connecting', { target: 'ubuntu@gpu-2' }),
      event(4, 'connecting', { cluster: 'other' }),
    ]);
    assert.equal(Object.keys(rows).length, 3);
    assert.deepEqual([row(rows).phase, row(rows).detail, row(rows).startedAtMs], ['checking', 'Debian 13, x86_64', 1]);
  });

  it('ignores an event older than the row it would overwrite', () => {
    const rows = fold([event(5, 'installing')]);
    assert.equal(applyProgress(rows, event(4, 'uploading')), rows);
  });

  it('works out the upload rate and time left from the byte counts', () => {
    const rows = fold([
      event(1_000, 'uploading', { bytesDone: 0, bytesTotal: 40_000_000 }),
      event(3_000, 'uploading', { bytesDone: 10_000_000, bytesTotal: 40_000_000 }),
    ]);
    const r = row(rows);
    assert.equal(r.bytesPerSecond, 5_000_000);
    assert.equal(uploadSecondsLeft(r), 6);
    // Steps before the upload count whole; the upload fills its own step by bytes.
    assert.ok(progressPercent(r) > 2 * (100 / 6) && progressPercent(r) < 3 * (100 / 6));
  });

  it('keeps the host id once known and carries the error of a failure', () => {
    const rows = fold([
      event(1, 'joining', { hostId: 'gpu-1' }),
      event(2, 'failed', { error: { code: 'AGENT_START_FAILED', message: 'agent exited', hint: 'see the log' } }),
    ]);
    assert.equal(row(rows).hostId, 'gpu-1');
    assert.equal(row(rows).error?.message, 'agent exited');
    // A failed row still shows how far it got.
    assert.equal(row(rows).lastStep, 'joining');
    assert.equal(Math.round(progressPercent(row(rows))), Math.round((5 * 100) / 6));
  });

  it('starts a new run when a finished host is worked on again', () => {
    const rows = fold([event(1, 'connecting'), event(2, 'failed', { error: { code: 'X', message: 'm', hint: 'h' } }), event(9, 'connecting')]);
    assert.equal(row(rows).startedAtMs, 9);
    assert.equal(row(rows).error, undefined);
    assert.equal(row(rows).lastStep, 'connecting');
  });

  it('is complete when healthy and accepts phases it does not know', () => {
    assert.equal(progressPercent(row(fold([event(1, 'healthy')]))), 100);
    assert.equal(row(fold([event(1, 'rebooting' as ProvisionProgress['phase'])])).phase, 'rebooting');
  });

  it('lists a cluster in start order and forgets it on request', () => {
    const rows = fold([event(2, 'connecting', { target: 'b@h2' }), event(1, 'connecting', { target: 'a@h1' }), event(3, 'connecting', { cluster: 'x' })]);
    assert.deepEqual(
      rowsOfCluster(rows, 'lab').map((r) => r.target),
      ['a@h1', 'b@h2'],
    );
    assert.deepEqual(Object.keys(withoutCluster(rows, 'lab')), [progressKey('x', 'ubuntu@gpu-1')]);
  });
});
