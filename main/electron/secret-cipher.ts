/**
 * Cluster secrets sealed by the OS key store through Electron's safeStorage (its async
 * API). On Linux the `basic_text` backend means "no key store": the cipher says it is
 * weak, and the secret store warns rather than pretending.
 */
import type { SafeStorage } from 'electron';
import type { SecretCipher } from '../security/secret-store.ts';

/** A cipher over safeStorage, or undefined when the platform offers no encryption at all. */
export async function safeStorageCipher(safeStorage: SafeStorage, platform = process.platform): Promise<SecretCipher | undefined> {
  if (!(await safeStorage.isAsyncEncryptionAvailable())) return undefined;
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend() : platform === 'darwin' ? 'keychain' : 'dpapi';
  return {
    backend,
    strong: backend !== 'basic_text' && backend !== 'unknown',
    encrypt: (plain) => safeStorage.encryptStringAsync(plain),
    decrypt: async (sealed) => (await safeStorage.decryptStringAsync(sealed)).result,
  };
}
