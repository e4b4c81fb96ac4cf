import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createSecretStore, type SecretCipher } from './secret-store.ts';

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'hopsdesk-secrets-'));

test('plain secrets are 0600 files, and the store says it has no key store', async () => {
  const dir = await tempDir();
  const store = createSecretStore(dir);
  await store.set('clusters/lab/ca-key', 'KEY');
  assert.equal(await store.get('clusters/lab/ca-key'), 'KEY');
  assert.equal(await store.get('clusters/lab/missing'), undefined);
  assert.equal((await stat(path.join(dir, 'clusters', 'lab', 'ca-key'))).mode & 0o777, 0o600);
  assert.match(store.warning ?? '', /no OS key store/);
  await store.removeAll('clusters/lab');
  assert.deepEqual(await readdir(path.join(dir, 'clusters')), []);
});

test('with a cipher nothing readable reaches the disk; a weak backend is named in a warning', async () => {
  const dir = await tempDir();
  const cipher: SecretCipher = {
    backend: 'basic_text',
    strong: false,
    encrypt: async (plain) => Buffer.from(Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a)),
    decrypt: async (sealed) => Buffer.from(sealed.map((b) => b ^ 0x5a)).toString('utf8'),
  };
  const store = createSecretStore(dir, cipher);
  await store.set('token', 'very-secret-token');
  assert.equal(await store.get('token'), 'very-secret-token');
  assert.ok(!(await readFile(path.join(dir, 'token.sealed'), 'utf8')).includes('very-secret'));
  assert.match(store.warning ?? '', /basic_text/);
  assert.equal(createSecretStore(dir, { ...cipher, strong: true }).warning, undefined);
});

test('names that could leave the directory are refused', async () => {
  const store = createSecretStore(await tempDir());
  await assert.rejects(store.set('../escape', 'x'), /Invalid secret name/);
  await assert.rejects(store.get('a//b'), /Invalid secret name/);
});
