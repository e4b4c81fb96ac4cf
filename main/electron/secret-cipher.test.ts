import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SafeStorage } from 'electron';
import { safeStorageCipher } from './secret-cipher.ts';

/** A stand-in with safeStorage's shape: Electron itself cannot run here (no binary). */
function fakeSafeStorage(backend: ReturnType<SafeStorage['getSelectedStorageBackend']>, available = true): SafeStorage {
  return {
    isAsyncEncryptionAvailable: async () => available,
    getSelectedStorageBackend: () => backend,
    encryptStringAsync: async (plain: string) => Buffer.from([...Buffer.from(plain)].reverse()),
    decryptStringAsync: async (sealed: Buffer) => ({ result: Buffer.from([...sealed].reverse()).toString(), shouldReEncrypt: false }),
  } as unknown as SafeStorage;
}

test('a real key store gives a strong cipher that round-trips', async () => {
  const cipher = (await safeStorageCipher(fakeSafeStorage('gnome_libsecret'), 'linux'))!;
  assert.equal(cipher.strong, true);
  assert.equal(await cipher.decrypt(await cipher.encrypt('token')), 'token');
});

test('basic_text on Linux is named weak, and no encryption at all gives no cipher', async () => {
  assert.equal((await safeStorageCipher(fakeSafeStorage('basic_text'), 'linux'))!.strong, false);
  assert.equal(await safeStorageCipher(fakeSafeStorage('unknown', false), 'linux'), undefined);
});
