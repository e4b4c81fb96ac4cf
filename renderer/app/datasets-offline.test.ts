import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Connection } from '../../protocol/desktop-api.ts';
import type { FileStat } from '../../protocol/fs.ts';
import type { OfflineCopy } from '../../protocol/previews.ts';
import { createAppStore } from '../store/app-state.ts';
import { fakeHops, flush } from '../testing/fake-hops.ts';
import type { FileCarrier } from './datasets-carriers.ts';
import { createDatasetActions } from './datasets.ts';

const live = (path: string): FileStat => ({ path, name: path.slice(path.lastIndexOf('/') + 1), type: 'file', size: 1, replication: 3, blockSize: 4096, mtimeMs: 1, complete: true, createdBy: 'ana' });
const copy: OfflineCopy = { cluster: 'lab', path: '/Projects/p/d', type: 'dir', bytes: 1, files: 1, sampleRows: null, copiedAtMs: 1000 };
const carrier: FileCarrier = { upload: async () => live('/x'), download: async () => true, canDragOut: false, dragOut: async () => undefined };
const connection = (state: Connection['state']): Connection => ({ state, detail: '', sinceMs: 1 });
const unreachable = () => {
  throw Object.assign(new Error('no route to the agent'), { code: 'AGENT_UNREACHABLE', hint: 'retries by itself' });
};

/** An explorer on cluster lab whose cluster answers while `up` is true, with one offline copy of /Projects/p/d. */
function explorer() {
  const hops = fakeHops();
  const store = createAppStore();
  const link = { up: true };
  hops.answer('dataset.list', (params) => {
    if (!link.up) unreachable();
    return { entries: [live(`${(params as { path: string }).path}/live.csv`)], nextCursor: null };
  });
  hops.answer('dataset.shares', () => ({ incoming: [], outgoing: [] }));
  hops.answer('offline.listDir', (params) => ({ entries: [{ path: `${(params as { path: string }).path}/copied.csv`, name: 'copied.csv', type: 'file', size: 1, mtimeMs: 1 }] }));
  hops.answer('offline.list', () => ({ copies: [copy] }));
  store.getState().datasetsReset('lab');
  const actions = createDatasetActions({ hops: hops.api, store, carrier });
  const names = () => store.getState().listing?.entries.map((e) => e.name);
  return { hops, store, link, actions, names };
}

describe('explorer with no cluster', () => {
  it('lists the offline copy when the cluster does not answer, then the cluster again once connected', async () => {
    const { store, link, actions, names } = explorer();
    store.getState().clusterConnectionChanged(connection('connected'));
    link.up = false;
    await actions.open('/Projects/p/d');
    assert.deepEqual(names(), ['copied.csv']);
    assert.equal(store.getState().datasetsOffline, true);
    await flush();
    assert.deepEqual(store.getState().offlineCopies?.copies, [copy], 'the ages come with the copies');

    // The core notices the lost link, then finds it again: back to the cluster by itself.
    store.getState().clusterConnectionChanged(connection('reconnecting'));
    link.up = true;
    store.getState().clusterConnectionChanged(connection('connected'));
    await flush();
    await flush();
    assert.equal(store.getState().datasetsOffline, false);
    assert.deepEqual(names(), ['live.csv']);
  });

  it('reads only the copies while the core says the cluster is offline, tree included', async () => {
    const { hops, store, actions, names } = explorer();
    store.getState().clusterConnectionChanged(connection('offline'));
    await flush();
    await actions.open('/Projects/p/d');
    assert.deepEqual(names(), ['copied.csv']);
    assert.equal(hops.calls.filter((c) => c.method === 'dataset.list').length, 0, 'no call waits on the unreachable cluster');
    assert.ok(hops.calls.some((c) => c.method === 'offline.listDir' && (c.params as { path: string }).path === '/Projects/p'), 'the tree reads the copies too');
  });

  it('shows a refusal from the cluster as it is, without switching to the copies', async () => {
    const { hops, store, actions } = explorer();
    hops.answer('dataset.list', () => {
      throw Object.assign(new Error('not yours'), { code: 'PERMISSION_DENIED', hint: 'ask a Data Owner' });
    });
    await actions.open('/Projects/p/d');
    assert.equal(store.getState().datasetsOffline, false);
    assert.equal(store.getState().listing?.problem?.code, 'PERMISSION_DENIED');
  });

  it('removes the copy holding an entry and reads the copies again; making one reads them too', async () => {
    const { hops, store, actions } = explorer();
    store.getState().clustersLoaded([{ name: 'lab', kind: 'local', active: true, createdAtMs: 1, connection: connection('connected') }]);
    await actions.loadTree();
    assert.deepEqual(store.getState().offlineCopies, { cluster: 'lab', copies: [copy] }, 'read once for the cluster');
    hops.answer('offline.remove', () => copy);
    hops.answer('offline.make', () => copy);
    const before = hops.calls.filter((c) => c.method === 'offline.list').length;
    await actions.removeOffline(live('/Projects/p/d/sub/a.csv'));
    assert.deepEqual(hops.calls.find((c) => c.method === 'offline.remove')?.params, { cluster: 'lab', path: '/Projects/p/d' });
    await actions.makeOffline(live('/Projects/p/e'));
    assert.equal(hops.calls.filter((c) => c.method === 'offline.list').length, before + 2);
    assert.equal(store.getState().datasetProblem, null);
  });
});
