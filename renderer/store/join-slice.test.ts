import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostKeyScan } from '../../protocol/cluster-setup.ts';
import { createAppStore } from './app-state.ts';
import { joinKeysVerdict, keysOf } from './join-slice.ts';

const fp = (c: string) => `SHA256:${c.repeat(43)}`;
const scan = (status: HostKeyScan['status'], via?: HostKeyScan['status']): HostKeyScan => ({
  target: 'ana@gpu-head',
  fingerprint: fp('a'),
  keyType: 'ssh-ed25519',
  status,
  ...(via === undefined ? {} : { via: { target: 'bastion', fingerprint: fp('b'), keyType: 'ssh-ed25519', status: via } }),
});

describe('join dialog', () => {
  it('goes on at once for a trusted key, after a confirmation for a new one, never for a changed one', () => {
    assert.deepEqual(joinKeysVerdict({ scan: null, confirmed: [] }), { ready: false, changed: false, acceptHostKeys: [] });
    assert.deepEqual(joinKeysVerdict({ scan: scan('trusted'), confirmed: [] }), { ready: true, changed: false, acceptHostKeys: [] });
    assert.equal(joinKeysVerdict({ scan: scan('new'), confirmed: [] }).ready, false);
    assert.deepEqual(joinKeysVerdict({ scan: scan('new'), confirmed: [fp('a')] }), { ready: true, changed: false, acceptHostKeys: [fp('a')] });
    assert.deepEqual(joinKeysVerdict({ scan: scan('changed'), confirmed: [fp('a')] }).changed, true);
    assert.equal(joinKeysVerdict({ scan: scan('changed'), confirmed: [fp('a')] }).ready, false);
  });

  it('asks for the bastion’s key too when the head is reached through one', () => {
    assert.deepEqual(keysOf(scan('trusted', 'new')).map((k) => [k.target, k.bastion]), [
      ['ana@gpu-head', false],
      ['bastion', true],
    ]);
    assert.equal(joinKeysVerdict({ scan: scan('trusted', 'new'), confirmed: [] }).ready, false);
    assert.deepEqual(joinKeysVerdict({ scan: scan('new', 'new'), confirmed: [fp('a'), fp('b')] }).acceptHostKeys, [fp('a'), fp('b')]);
  });

  it('forgets the scanned key and its confirmation when the head is edited', () => {
    const store = createAppStore();
    store.getState().joinOpened();
    const id = store.getState().join!.id;
    store.getState().joinEdited({ head: 'ana@gpu-head' });
    store.getState().joinKeyScanned(id, scan('new'));
    store.getState().joinKeyConfirmed(fp('a'), true);
    store.getState().joinStepChanged(id, 'confirm-key');
    store.getState().joinEdited({ user: 'ana' });
    assert.deepEqual(store.getState().join?.confirmed, [fp('a')], 'other fields keep it');
    store.getState().joinEdited({ head: 'ana@other-head' });
    const join = store.getState().join!;
    assert.deepEqual([join.scan, join.confirmed, join.step], [null, [], 'form']);
  });

  it('ignores answers meant for a dialog that was closed', () => {
    const store = createAppStore();
    store.getState().joinOpened();
    const first = store.getState().join!.id;
    store.getState().joinClosed();
    store.getState().joinOpened();
    store.getState().joinFailed(first, { code: 'SSH_UNREACHABLE', message: 'late', hint: '' });
    assert.equal(store.getState().join?.problem, null);
  });
});
