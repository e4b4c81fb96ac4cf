/**
 * Secrets the desktop keeps for its clusters (the cluster CA key, tokens): one 0600 file
 * per secret under the workspace, encrypted with the OS key store where the shell offers
 * one (Electron's safeStorage), else stored as plain 0600 files with a warning that says
 * so — the CLI and web mode run in plain Node, which has no key store of its own.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Encryption by an OS key store; the Electron shell provides one built on safeStorage. */
export interface SecretCipher {
  /** The key store's name, e.g. "gnome_libsecret", "keychain". */
  readonly backend: string;
  /** False when the "key store" is a fixed key (Linux `basic_text`): encrypted in name only. */
  readonly strong: boolean;
  encrypt(plain: string): Promise<Buffer>;
  decrypt(sealed: Buffer): Promise<string>;
}

export interface SecretStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  /** Removes every secret whose name starts with `prefix`. */
  removeAll(prefix: string): Promise<void>;
  /** How secrets are protected at rest, in words; undefined when by a real key store. */
  readonly warning: string | undefined;
}

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

export function createSecretStore(dir: string, cipher?: SecretCipher): SecretStore {
  const fileOf = (name: string): string => {
    if (!namePattern.test(name)) throw new Error(`Invalid secret name "${name}".`);
    return path.join(dir, ...name.split('/')) + (cipher ? '.sealed' : '');
  };
  const warning =
    cipher === undefined
      ? `Secrets are kept in 0600 files under ${dir}: this mode has no OS key store. Use the desktop app to keep them in the system keyring.`
      : cipher.strong
        ? undefined
        : `The OS key store backend is "${cipher.backend}", which does not really encrypt; secrets are only as safe as the 0600 files under ${dir}.`;
  return {
    warning,
    async get(name) {
      const data = await readFile(fileOf(name)).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (data === undefined) return undefined;
      return cipher ? cipher.decrypt(data) : data.toString('utf8');
    },
    async set(name, value) {
      const file = fileOf(name);
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      const data = cipher ? await cipher.encrypt(value) : Buffer.from(value, 'utf8');
      // Written aside and renamed, so a crash never leaves half a key.
      const partial = `${file}.${process.pid}.partial`;
      await writeFile(partial, data, { mode: 0o600 });
      await rename(partial, file);
    },
    async removeAll(prefix) {
      if (!namePattern.test(prefix)) throw new Error(`Invalid secret prefix "${prefix}".`);
      await rm(path.join(dir, ...prefix.split('/')), { recursive: true, force: true });
    },
  };
}
