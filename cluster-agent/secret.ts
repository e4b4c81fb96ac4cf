/**
 * Secrets the agent mints or checks: tokens, invite codes. Only their SHA-256 digests are
 * stored or compared, and comparisons are constant-time on digests, so neither a secret's
 * content nor its length leaks through timing.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The SHA-256 digest of `text`. */
export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The digest as stored in the cluster database (hex). */
export function digestHex(text: string): string {
  return sha256(text).toString('hex');
}

/** Whether two SHA-256 digests are equal, compared in constant time. */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether `presented` is `expected`, compared on digests in constant time. */
export function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(sha256(presented), sha256(expected));
}

/** Whether `presented` hashes to the stored hex digest, compared in constant time. */
export function matchesDigest(presented: string, storedHex: string): boolean {
  const stored = Buffer.from(storedHex, 'hex');
  const digest = sha256(presented);
  return stored.length === digest.length && timingSafeEqual(stored, digest);
}

/** A fresh random secret of `bytes` bytes, base64url without padding (URL- and header-safe). */
export function randomSecret(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}
