import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HopsError } from '../../protocol/errors.ts';
import { tempWorkspace } from './fixtures.ts';

const key = (fingerprint: string, keyType = 'ssh-ed25519') => ({ host: 'GPU1.lab', port: 22, keyType, fingerprint });
const first = 'SHA256:' + 'a'.repeat(43);
const other = 'SHA256:' + 'B/+9'.repeat(10) + 'xyz';

test('the first key a host presents is trusted and kept', (t) => {
  const { knownHosts } = tempWorkspace(t);
  assert.equal(knownHosts.get('gpu1.lab', 22), undefined);
  const trusted = knownHosts.trust(key(first));
  assert.equal(trusted.fingerprint, first);
  assert.equal(trusted.host, 'gpu1.lab', 'host names are kept in one spelling');
  assert.ok(Math.abs(trusted.firstSeenMs - Date.now()) < 60_000);
  assert.deepEqual(knownHosts.get('gpu1.LAB', 22), trusted);
  assert.equal(knownHosts.get('gpu1.lab', 2222), undefined, 'another port is another host');
});

test('a changed key is never recorded over the trusted one', (t) => {
  const { knownHosts } = tempWorkspace(t);
  const trusted = knownHosts.trust(key(first));
  const answer = knownHosts.trust(key(other, 'ecdsa-sha2-nistp256'));
  assert.deepEqual(answer, trusted, 'the key on record comes back, so the caller sees the mismatch');
  assert.equal(knownHosts.get('gpu1.lab', 22)?.fingerprint, first);
});

test('forgetting a key lets the next one be trusted', (t) => {
  const { knownHosts } = tempWorkspace(t);
  knownHosts.trust(key(first));
  assert.equal(knownHosts.forget('gpu1.lab', 22), true);
  assert.equal(knownHosts.forget('gpu1.lab', 22), false);
  assert.equal(knownHosts.trust(key(other)).fingerprint, other);
});

test('malformed keys are refused, naming the field', (t) => {
  const { knownHosts } = tempWorkspace(t);
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ fingerprint: 'MD5:aa:bb' }, '/fingerprint'],
    [{ fingerprint: 'SHA256:short' }, '/fingerprint'],
    [{ port: 0 }, '/port'],
    [{ port: 70000 }, '/port'],
    [{ host: '' }, '/host'],
    [{ keyType: '' }, '/keyType'],
  ];
  for (const [change, field] of cases) {
    assert.throws(
      () => knownHosts.trust({ ...key(first), ...change }),
      (err: unknown) => err instanceof HopsError && err.code === 'VALIDATION' && err.field === field,
      JSON.stringify(change),
    );
  }
});
