/**
 * SSH host keys, trusted on first use: a new key is accepted only when the user confirmed
 * its fingerprint (or asked to trust new keys), a known key must match, and a changed key
 * is a hard failure naming both fingerprints — decided before anything is uploaded or run.
 */
import { createHash } from 'node:crypto';
import { HopsError } from '../../protocol/errors.ts';
import type { KnownHosts } from '../workspace/known-hosts.ts';

export interface HostKeyPolicy {
  /** Trust a key never seen before for this host (the CLI's `--trust-new`). */
  trustNew?: boolean;
  /** Trust a new key only if its fingerprint is one of these (`--accept-host-key`, the UI's confirmations). */
  acceptFingerprints?: readonly string[];
  /**
   * False to accept a confirmed new key for this connection without remembering it: used
   * to reach a host behind a bastion whose own key the user has yet to confirm.
   */
  remember?: boolean;
}

export interface OfferedHostKey {
  host: string;
  port: number;
  /** The key blob in SSH wire format, as the server sent it. */
  key: Buffer;
}

/** OpenSSH's fingerprint: "SHA256:" and the unpadded base64 of the blob's SHA-256. */
export function fingerprintOf(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/** The key type named at the start of an SSH public key blob, e.g. "ssh-ed25519". */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const length = key.readUInt32BE(0);
  return length > 0 && length <= 64 && key.length >= 4 + length ? key.subarray(4, 4 + length).toString('latin1') : 'unknown';
}

/**
 * Checks an offered key against the workspace's known hosts and the policy; records it
 * when it is trusted for the first time. Throws HOST_KEY_UNKNOWN or HOST_KEY_CHANGED.
 */
export function verifyHostKey(known: KnownHosts, offered: OfferedHostKey, policy: HostKeyPolicy): void {
  const fingerprint = fingerprintOf(offered.key);
  const where = offered.port === 22 ? offered.host : `${offered.host}:${offered.port}`;
  const recorded = known.get(offered.host, offered.port);
  if (recorded) {
    if (recorded.fingerprint === fingerprint) return;
    throw new HopsError(
      'HOST_KEY_CHANGED',
      `The host key of ${where} changed: it was ${recorded.fingerprint} (${recorded.keyType}) and is now ${fingerprint} (${keyTypeOf(offered.key)}). Nothing was sent to the host.`,
    );
  }
  const accepted = policy.acceptFingerprints ?? [];
  const confirmed = policy.trustNew === true || accepted.includes(fingerprint);
  if (!confirmed) {
    const asked = accepted.length === 0 ? '' : ` It matches none of the fingerprints you gave (${accepted.join(', ')}).`;
    throw new HopsError('HOST_KEY_UNKNOWN', `${where} offers a host key not seen before: ${fingerprint} (${keyTypeOf(offered.key)}).${asked}`);
  }
  if (policy.remember !== false) known.trust({ host: offered.host, port: offered.port, keyType: keyTypeOf(offered.key), fingerprint });
}
