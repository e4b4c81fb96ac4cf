import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { openWorkspace, type Workspace } from '../workspace/workspace.ts';
import { fingerprintOf, keyTypeOf, verifyHostKey } from './host-keys.ts';

let dir: string;
let workspace: Workspace;
let key: Buffer;
let otherKey: Buffer;

/** A real ed25519 key from ssh-keygen, and the fingerprint OpenSSH itself prints for it. */
async function sshKey(name: string): Promise<{ blob: Buffer; fingerprint: string }> {
  const file = path.join(dir, name);
  await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  const blob = Buffer.from((await readFile(`${file}.pub`, 'utf8')).split(' ')[1]!, 'base64');
  const { stdout } = await promisify(execFile)('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`]);
  return { blob, fingerprint: stdout.split(' ')[1]! };
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-hostkeys-'));
  workspace = openWorkspace(dir);
  const first = await sshKey('a');
  key = first.blob;
  assert.equal(fingerprintOf(key), first.fingerprint, 'the fingerprint is the one OpenSSH prints');
  otherKey = (await sshKey('b')).blob;
});
after(async () => {
  workspace.close();
  await rm(dir, { recursive: true, force: true });
});

test('the key type is read from the blob', () => {
  assert.equal(keyTypeOf(key), 'ssh-ed25519');
  assert.equal(keyTypeOf(Buffer.from([0, 0])), 'unknown');
});

test('a new key is refused unless confirmed, and nothing is recorded', () => {
  assert.throws(() => verifyHostKey(workspace.knownHosts, { host: 'gpu-a', port: 22, key }, {}), (err: Error & { code: string }) => {
    assert.equal(err.code, 'HOST_KEY_UNKNOWN');
    assert.ok(err.message.includes(fingerprintOf(key)));
    return true;
  });
  assert.equal(workspace.knownHosts.get('gpu-a', 22), undefined);
});

test('--accept-host-key must name exactly the offered fingerprint', () => {
  assert.throws(
    () => verifyHostKey(workspace.knownHosts, { host: 'gpu-a', port: 22, key }, { acceptFingerprints: [fingerprintOf(otherKey)] }),
    { code: 'HOST_KEY_UNKNOWN' },
  );
  verifyHostKey(workspace.knownHosts, { host: 'gpu-a', port: 22, key }, { acceptFingerprints: [fingerprintOf(key)] });
  assert.equal(workspace.knownHosts.get('gpu-a', 22)?.fingerprint, fingerprintOf(key));
});

test('a known key passes; a changed one fails naming both fingerprints, even with --trust-new', () => {
  verifyHostKey(workspace.knownHosts, { host: 'gpu-a', port: 22, key }, {});
  assert.throws(
    () => verifyHostKey(workspace.knownHosts, { host: 'gpu-a', port: 22, key: otherKey }, { trustNew: true }),
    (err: Error & { code: string }) => {
      assert.equal(err.code, 'HOST_KEY_CHANGED');
      assert.ok(err.message.includes(fingerprintOf(key)) && err.message.includes(fingerprintOf(otherKey)));
      return true;
    },
  );
  assert.equal(workspace.knownHosts.get('gpu-a', 22)?.fingerprint, fingerprintOf(key), 'the old key stays on record');
});

test('keys are per host and port', () => {
  verifyHostKey(workspace.knownHosts, { host: 'gpu-a', port: 2222, key: otherKey }, { trustNew: true });
  assert.equal(workspace.knownHosts.get('gpu-a', 2222)?.fingerprint, fingerprintOf(otherKey));
});
