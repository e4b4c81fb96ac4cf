/**
 * SSH host keys the user has trusted, one per host and port, for trust on first use: the
 * first key a host presents is recorded with its fingerprint, and a different key later
 * must fail the connection until the user forgets the old one.
 */
import type { Database, Statement, Transaction } from 'better-sqlite3';
import { HopsError } from '../../protocol/errors.ts';

export interface HostKey {
  /** Host name or address as the user wrote it; compared case-insensitively. */
  host: string;
  port: number;
  /** The SSH key algorithm, e.g. "ssh-ed25519". */
  keyType: string;
  /** OpenSSH's SHA-256 fingerprint: "SHA256:" and 43 characters of unpadded base64. */
  fingerprint: string;
}

export interface KnownHostKey extends HostKey {
  firstSeenMs: number;
}

interface KnownHostRow {
  host: string;
  port: number;
  key_type: string;
  fingerprint: string;
  first_seen: number;
}

const fingerprintPattern = /^SHA256:[A-Za-z0-9+/]{43}$/;

export class KnownHosts {
  private readonly select: Statement<[string, number], KnownHostRow>;
  private readonly remove: Statement<[string, number]>;
  private readonly trustOnce: Transaction<(key: HostKey) => KnownHostRow>;

  constructor(db: Database) {
    this.select = db.prepare('SELECT host, port, key_type, fingerprint, first_seen FROM known_hosts WHERE host = ? AND port = ?');
    this.remove = db.prepare('DELETE FROM known_hosts WHERE host = ? AND port = ?');
    const insert = db.prepare<[string, number, string, string, number]>(
      `INSERT INTO known_hosts (host, port, key_type, fingerprint, first_seen) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (host, port) DO NOTHING`,
    );
    this.trustOnce = db.transaction((key: HostKey) => {
      insert.run(key.host, key.port, key.keyType, key.fingerprint, Date.now());
      return this.select.get(key.host, key.port)!;
    });
  }

  /** The key trusted for `host`:`port`, if the user has connected there before. */
  get(host: string, port: number): KnownHostKey | undefined {
    const row = this.select.get(normalHost(host), port);
    return row && toKnownHostKey(row);
  }

  /**
   * Records `key` as trusted when its host and port have no key yet, and returns the key
   * on record. It never replaces a different key: the caller compares the returned
   * fingerprint with the offered one, and a mismatch means the host key changed.
   */
  trust(key: HostKey): KnownHostKey {
    checkHostKey(key);
    return toKnownHostKey(this.trustOnce.immediate({ ...key, host: normalHost(key.host) }));
  }

  /** Forgets the key of `host`:`port`, so the next connection trusts on first use again. */
  forget(host: string, port: number): boolean {
    return this.remove.run(normalHost(host), port).changes > 0;
  }
}

/** Host names are case-insensitive; one spelling per host keeps one key per host. */
function normalHost(host: string): string {
  return host.toLowerCase();
}

function checkHostKey(key: HostKey): void {
  if (typeof key.host !== 'string' || key.host.length === 0 || key.host.length > 255) {
    throw new HopsError('VALIDATION', 'A known host needs a host name of 1 to 255 characters.', { field: '/host' });
  }
  if (!Number.isInteger(key.port) || key.port < 1 || key.port > 65535) {
    throw new HopsError('VALIDATION', `Port ${String(key.port)} is not between 1 and 65535.`, { field: '/port' });
  }
  if (typeof key.keyType !== 'string' || key.keyType.length === 0 || key.keyType.length > 64) {
    throw new HopsError('VALIDATION', 'A known host needs its key type, e.g. "ssh-ed25519".', { field: '/keyType' });
  }
  if (!fingerprintPattern.test(key.fingerprint)) {
    const shown = String(key.fingerprint).slice(0, 80);
    throw new HopsError('VALIDATION', `"${shown}" is not a SHA-256 fingerprint ("SHA256:" and 43 base64 characters).`, {
      field: '/fingerprint',
    });
  }
}

function toKnownHostKey(row: KnownHostRow): KnownHostKey {
  return { host: row.host, port: row.port, keyType: row.key_type, fingerprint: row.fingerprint, firstSeenMs: row.first_seen };
}
