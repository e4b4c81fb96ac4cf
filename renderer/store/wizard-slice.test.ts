import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyDraft } from '../app/new-cluster.ts';
import { keysVerdict, keyTargets, type KeyCheck, type Wizard } from './wizard-slice.ts';

const fp = (c: string) => `SHA256:${c.repeat(43)}`;

test('a bastion found by a scan (ProxyJump in ~/.ssh/config) is listed and must be confirmed too', () => {
  const draft = { ...emptyDraft(), name: 'lab', head: { ...emptyDraft().head, target: 'ana@gpu1' } };
  const keys: Record<string, KeyCheck> = {
    'ana@gpu1': {
      state: 'scanned',
      scan: { target: 'ana@gpu1', fingerprint: fp('a'), keyType: 'ssh-ed25519', status: 'new', via: { target: 'bastion', fingerprint: fp('b'), keyType: 'ssh-ed25519', status: 'new' } },
    },
    bastion: { state: 'scanned', scan: { target: 'bastion', fingerprint: fp('b'), keyType: 'ssh-ed25519', status: 'new' } },
  };
  assert.deepEqual(keyTargets(draft, keys), [
    { target: 'ana@gpu1', role: 'head' },
    { target: 'bastion', role: 'bastion' },
  ]);
  const wizard = { draft, keys, confirmed: { 'ana@gpu1': fp('a') } } as unknown as Wizard;
  assert.equal(keysVerdict(wizard).ready, false, 'the bastion is not confirmed yet');
  const both = { ...wizard, confirmed: { 'ana@gpu1': fp('a'), bastion: fp('b') } } as Wizard;
  assert.deepEqual(keysVerdict(both), { ready: true, changed: false, acceptHostKeys: [fp('a'), fp('b')] });
});
