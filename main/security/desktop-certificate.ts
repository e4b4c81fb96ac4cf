/**
 * This desktop's certificate for the head's cluster listener (direct file content,
 * main/cluster/direct-content.ts), kept with the cluster's secrets and issued again when it
 * is a day from expiring or the cluster's CA changed.
 *
 * Issuing one loads the certificate library and makes a key: about 0.1 s of CPU at the
 * start of every `dataset put` or `get`, when the SSH login wants it (docs/benchmarks.md).
 * The key is no more sensitive than the CA key kept beside it, which can issue any number.
 */
import { X509Certificate } from 'node:crypto';
import type { AgentCredentials, ClusterCa } from './cluster-ca.ts';
import type { SecretStore } from './secret-store.ts';

/** How long before its expiry a kept certificate is replaced. */
const renewBeforeMs = 24 * 3_600_000;

/** The kept certificate of `cluster` while good for another day, else a new one, then kept. */
export async function desktopCertificate(secrets: SecretStore, cluster: string, ca: ClusterCa, now = new Date()): Promise<AgentCredentials> {
  const name = `clusters/${cluster}/desktop-certificate`;
  const kept = keptCertificate(await secrets.get(name), ca, now);
  if (kept !== undefined) return kept;
  // Loaded only here: the certificate library is large.
  const { issueDesktopCertificate } = await import('./cluster-ca.ts');
  const own = await issueDesktopCertificate(ca, now);
  await secrets.set(name, JSON.stringify(own));
  return own;
}

/** The certificate in `text` when it is whole, of this CA, and good for another day. */
function keptCertificate(text: string | undefined, ca: ClusterCa, now: Date): AgentCredentials | undefined {
  if (text === undefined) return undefined;
  try {
    const kept = JSON.parse(text) as Partial<AgentCredentials>;
    if (typeof kept.certPem !== 'string' || typeof kept.keyPem !== 'string' || kept.caPem !== ca.certPem) return undefined;
    const cert = new X509Certificate(kept.certPem);
    if (!cert.checkIssued(new X509Certificate(ca.certPem))) return undefined;
    if (Date.parse(cert.validTo) - now.getTime() < renewBeforeMs) return undefined;
    return { caPem: kept.caPem, certPem: kept.certPem, keyPem: kept.keyPem };
  } catch {
    // Damaged: issued again, and the damage overwritten.
    return undefined;
  }
}
