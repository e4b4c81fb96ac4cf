import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileStat } from '../../protocol/fs.ts';
import { createAppStore } from '../store/app-state.ts';
import { fakeHops, flush } from '../testing/fake-hops.ts';
import type { FileCarrier, UploadTarget } from './datasets-carriers.ts';
import type { UploadPlan } from './datasets-drop.ts';
import { createUploads, UPLOAD_CONCURRENCY } from './datasets-uploads.ts';

const stat = (path: string, size: number): FileStat => ({ path, name: path.slice(path.lastIndexOf('/') + 1), type: 'file', size, replication: 1, blockSize: 4096, mtimeMs: 1, complete: true, createdBy: 'ana' });

/** A carrier whose uploads finish when the test says. */
function heldCarrier() {
  const held = new Map<string, { resolve(stat: FileStat): void; reject(err: unknown): void; target: UploadTarget; signal: AbortSignal }>();
  let most = 0;
  const carrier: FileCarrier = {
    upload: (file, target, signal) =>
      new Promise<FileStat>((resolve, reject) => {
        held.set(target.path, { resolve, reject, target, signal });
        most = Math.max(most, held.size);
        signal.addEventListener('abort', () => {
          held.delete(target.path);
          reject(new Error('aborted'));
        });
      }).finally(() => held.delete(target.path)),
    download: async () => true,
    canDragOut: false,
    dragOut: async () => undefined,
  };
  return { carrier, held, most: () => most };
}

const plan = (names: string[], folders: string[] = []): UploadPlan<File> => ({
  folders,
  files: names.map((name) => ({ path: `/Projects/p/d/${name}`, label: name, file: { size: 4 } as File, size: 4 })),
  problems: [],
});

describe('upload queue', () => {
  it('makes folders first (one that exists is fine), then sends two files at a time to the end', async () => {
    const hops = fakeHops();
    const store = createAppStore();
    hops.answer('dataset.mkdir', (params) => {
      if ((params as { path: string }).path.endsWith('/old')) throw Object.assign(new Error('exists'), { code: 'PATH_EXISTS', hint: '' });
      return stat((params as { path: string }).path, 0);
    });
    const { carrier, held, most } = heldCarrier();
    const changed: string[] = [];
    let n = 0;
    const uploads = createUploads({ hops: hops.api, store, carrier, changedIn: (f) => changed.push(f), newId: () => `id${++n}` });
    const done = uploads.start('local', plan(['a', 'b', 'c', 'old/d'], ['/Projects/p/d/old', '/Projects/p/d/new']));
    await flush();
    assert.deepEqual(hops.calls.map((c) => c.method), ['dataset.mkdir', 'dataset.mkdir']);
    assert.equal(store.getState().transfers.length, 4);
    while (held.size > 0) {
      const [path, upload] = [...held.entries()][0]!;
      assert.equal(upload.target.transferId, store.getState().transfers.find((r) => r.path === path)?.key, 'the row is keyed by the id the events carry');
      upload.resolve(stat(path, 4));
      await flush();
    }
    await done;
    assert.equal(most(), UPLOAD_CONCURRENCY);
    assert.deepEqual(store.getState().transfers.map((r) => r.state), ['done', 'done', 'done', 'done']);
    assert.ok(changed.includes('/Projects/p/d/old'));
    uploads.dispose();
  });

  it('cancels a queued file without sending it and a running one by aborting it; a failure keeps its cause', async () => {
    const hops = fakeHops();
    const store = createAppStore();
    const { carrier, held } = heldCarrier();
    let n = 0;
    const uploads = createUploads({ hops: hops.api, store, carrier, changedIn: () => undefined, newId: () => `id${++n}` });
    const done = uploads.start('local', plan(['a', 'b', 'c']));
    await flush();
    uploads.cancel('id3');
    uploads.cancel('id1');
    await flush();
    held.get('/Projects/p/d/b')!.reject(Object.assign(new Error('The disk of w1 is full.'), { code: 'DISK_FULL', hint: 'Free space on w1.' }));
    await done;
    const rows = Object.fromEntries(store.getState().transfers.map((r) => [r.label, r]));
    assert.equal(rows.a!.state, 'cancelled');
    assert.equal(rows.c!.state, 'cancelled');
    assert.equal(rows.b!.state, 'failed');
    assert.deepEqual(rows.b!.problem, { code: 'DISK_FULL', message: 'The disk of w1 is full.', hint: 'Free space on w1.' });
    uploads.dispose();
  });

  it('retries a failed upload with the same file, in the same row, and lets it finish', async () => {
    const hops = fakeHops();
    const store = createAppStore();
    const sent: Array<{ file: File; target: UploadTarget }> = [];
    let failNext = true;
    const carrier: FileCarrier = {
      ...heldCarrier().carrier,
      upload: async (file, target) => {
        sent.push({ file, target });
        if (failNext) {
          failNext = false;
          throw Object.assign(new Error('Host w1 is unreachable.'), { code: 'AGENT_UNREACHABLE', hint: 'Retry later.' });
        }
        return stat(target.path, 4);
      },
    };
    const uploads = createUploads({ hops: hops.api, store, carrier, changedIn: () => undefined, newId: () => 'id1' });
    const file = { size: 4, name: 'a' } as File;
    await uploads.start('local', { folders: [], files: [{ path: '/Projects/p/d/a', label: 'a', file, size: 4 }], problems: [] });
    assert.equal(store.getState().transfers[0]!.state, 'failed');
    assert.equal(uploads.canRetry('id1'), true);
    assert.equal(uploads.canRetry('unknown'), false);

    // A progress event of the failed attempt still waiting must not land on the new attempt.
    hops.emit('transfer.progress', { direction: 'upload', path: '/Projects/p/d/a', localFile: '', bytesDone: 2, bytesTotal: 4, transferId: 'id1', state: 'failed' });
    uploads.retry('id1');
    assert.deepEqual(
      (({ state, bytesDone, problem }) => ({ state, bytesDone, problem }))(store.getState().transfers[0]!),
      { state: 'running', bytesDone: 0, problem: null },
      'queued again and started at once, its old cause gone',
    );
    await flush();
    assert.equal(sent.length, 2);
    assert.equal(sent[1]!.file, file, 'the same File object is sent again');
    assert.deepEqual(sent[1]!.target, { cluster: 'local', path: '/Projects/p/d/a', transferId: 'id1' });
    assert.equal(store.getState().transfers.length, 1, 'one row, retried in place');
    assert.equal(store.getState().transfers[0]!.state, 'done');
    assert.equal(uploads.canRetry('id1'), false, 'done: nothing to retry');
    uploads.retry('id1');
    assert.equal(sent.length, 2);
    uploads.dispose();
  });

  it('applies a burst of progress events in one change', async () => {
    const hops = fakeHops();
    const store = createAppStore();
    const uploads = createUploads({ hops: hops.api, store, carrier: heldCarrier().carrier, changedIn: () => undefined });
    let changes = 0;
    store.subscribe(() => changes++);
    for (let i = 0; i < 50; i++) hops.emit('transfer.progress', { direction: 'download', path: `/Projects/p/d/f${i}`, localFile: '', bytesDone: 1, bytesTotal: 1, transferId: `t${i}`, state: 'done' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(store.getState().transfers.length, 50);
    assert.equal(changes, 1);
    uploads.dispose();
  });
});
