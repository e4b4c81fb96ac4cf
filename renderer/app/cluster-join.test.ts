import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostKeyScan } from '../../protocol/cluster-setup.ts';
import type { ClusterSummary } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { createAppStore } from '../store/app-state.ts';
import { fakeHops, flush } from '../testing/fake-hops.ts';
import { project, user } from '../testing/projects.ts';
import { createClusterJoin } from './cluster-join.ts';

const fp = `SHA256:${'k'.repeat(43)}`;
const code = 'AbCdEfGhIjKlMnOp_qr-12345';
const summary = (name: string): ClusterSummary => ({ name, kind: 'ssh', active: true, createdAtMs: 1, connection: { state: 'connected', detail: '', sinceMs: 1 } });

function setup(keyStatus: HostKeyScan['status'] = 'new') {
  const hops = fakeHops();
  const store = createAppStore();
  const switched: string[] = [];
  let refreshed = 0;
  hops.answer('host.scanKey', (params) => ({ target: (params as { target: string }).target, fingerprint: fp, keyType: 'ssh-ed25519', status: keyStatus }));
  hops.answer('cluster.join', () => ({ cluster: summary('lab'), user: user('ana'), project: 'vision' }));
  const join = createClusterJoin({
    hops: hops.api,
    store,
    useCluster: async (name) => {
      switched.push(name);
      store.getState().switchDone(name);
    },
    refreshClusters: async () => {
      refreshed += 1;
    },
  });
  join.open();
  const fill = () => store.getState().joinEdited({ name: 'lab', head: 'ana@gpu-head', code, user: 'ana' });
  return { hops, store, join, fill, switched, refreshed: () => refreshed };
}

describe('joining a cluster with an invite', () => {
  it('shows the form’s problems before calling anything', async () => {
    const { hops, store, join } = setup();
    await join.submit();
    assert.equal(store.getState().join?.showErrors, true);
    assert.equal(hops.calls.length, 0);
  });

  it('reads the head’s key, waits for the user to compare it, then joins with it accepted', async () => {
    const { hops, store, join, fill, switched, refreshed } = setup('new');
    fill();
    await join.submit();
    assert.deepEqual(hops.calls.map((c) => c.method), ['host.scanKey']);
    assert.equal(store.getState().join?.step, 'confirm-key');
    await join.submit();
    assert.equal(hops.calls.length, 1, 'not without the confirmation');
    store.getState().joinKeyConfirmed(fp, true);
    await join.submit();
    assert.deepEqual(hops.calls.at(-1), {
      method: 'cluster.join',
      params: { name: 'lab', head: 'ana@gpu-head', code, user: 'ana', clientPort: 7870, acceptHostKeys: [fp] },
    });
    assert.equal(store.getState().join, null);
    assert.deepEqual(switched, ['lab']);
    assert.equal(refreshed(), 1);
    assert.deepEqual([store.getState().layout.activeView, store.getState().selectedProject], ['projects', 'vision']);
    assert.match(store.getState().notices.at(-1)?.message ?? '', /Joined cluster lab as ana, member of project vision/);
    store.getState().projectsLoadStarted('lab');
    store.getState().projectsLoaded('lab', [project('audio'), project('vision')], user('ana'));
    assert.equal(store.getState().selectedProject, 'vision', 'the invite’s project stays selected once the list is read');
  });

  it('joins at once when the head’s key is already trusted', async () => {
    const { hops, join, fill } = setup('trusted');
    fill();
    await join.submit();
    assert.deepEqual(hops.calls.map((c) => c.method), ['host.scanKey', 'cluster.join']);
    assert.equal((hops.calls[1]?.params as { acceptHostKeys?: string[] }).acceptHostKeys, undefined);
  });

  it('stops for good on a changed host key', async () => {
    const { hops, store, join, fill } = setup('changed');
    fill();
    await join.submit();
    await join.submit();
    assert.deepEqual(hops.calls.map((c) => c.method), ['host.scanKey']);
    assert.equal(store.getState().join?.step, 'form');
  });

  it('keeps the dialog open with the head’s refusal, and tries again with the same key', async () => {
    const { hops, store, join, fill } = setup('trusted');
    fill();
    hops.answer('cluster.join', () => {
      throw new HopsError('FORBIDDEN', 'The invite code is unknown, used or expired.', { hint: 'Ask for a new invite.' });
    });
    await join.submit();
    const j = store.getState().join;
    assert.deepEqual([j?.step, j?.problem?.code, j?.problem?.hint], ['form', 'FORBIDDEN', 'Ask for a new invite.']);
    hops.answer('cluster.join', () => ({ cluster: summary('lab'), user: user('ana'), project: null }));
    await join.submit();
    await flush();
    assert.deepEqual(hops.calls.map((c) => c.method), ['host.scanKey', 'cluster.join', 'cluster.join']);
    assert.equal(store.getState().join, null);
  });

  it('says why the host key could not be read', async () => {
    const { hops, store, join, fill } = setup();
    fill();
    hops.answer('host.scanKey', () => {
      throw new HopsError('SSH_UNREACHABLE', 'gpu-head:22 did not answer.');
    });
    await join.submit();
    assert.deepEqual([store.getState().join?.step, store.getState().join?.problem?.code], ['form', 'SSH_UNREACHABLE']);
  });
});
