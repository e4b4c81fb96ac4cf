/**
 * The cluster's mutual TLS. Every agent holds a certificate of the cluster CA whose
 * subject CN is its hostId (issued by the desktop: ECDSA P-256, extKeyUsage serverAuth
 * and clientAuth). Hosts are dialled at whatever address the cluster network gives
 * them, so certificates carry no IP SANs: a peer is trusted by its chain to the cluster
 * CA alone (never the system roots) and identified by its CN.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { ConnectionOptions, PeerCertificate, TlsOptions } from 'node:tls';
import { TLSSocket } from 'node:tls';

/** The PEM texts an agent needs for the cluster, read from the configured files. */
export interface ClusterTlsMaterial {
  /** One or more CA certificates (several while a CA is being replaced). */
  ca: string;
  cert: string;
  key: string;
}

/** Both ends are Hopsdesk agents on current runtimes; nothing older is needed. */
const minVersion = 'TLSv1.3';

const serverAuthOid = '1.3.6.1.5.5.7.3.1';
const clientAuthOid = '1.3.6.1.5.5.7.3.2';

/** Options for the cluster listener: a client certificate of the cluster CA is required. */
export function clusterServerTls(material: ClusterTlsMaterial): TlsOptions {
  return { ...material, requestCert: true, rejectUnauthorized: true, minVersion };
}

/**
 * Options for dialling another agent (a worker its head): this agent's certificate is
 * presented, and the peer's is accepted only when it chains to the cluster CA and its
 * CN is `expectedHostId`; the address dialled plays no part.
 */
export function clusterClientTls(material: ClusterTlsMaterial, expectedHostId: string): ConnectionOptions {
  return {
    ...material,
    rejectUnauthorized: true,
    minVersion,
    checkServerIdentity: (_host, cert) => {
      const cn = commonName(cert);
      if (cn === expectedHostId) return undefined;
      return new Error(`The peer's certificate is for host ${cn ?? '(no CN)'}, not the expected ${expectedHostId}.`);
    },
  };
}

/**
 * The hostId of the peer on a cluster-listener connection (its certificate's CN);
 * undefined on a plain connection, where no certificate says who the peer is.
 * Null when a TLS peer's certificate has no CN.
 */
export function peerHostId(socket: unknown): string | null | undefined {
  if (!(socket instanceof TLSSocket)) return undefined;
  return commonName(socket.getPeerCertificate()) ?? null;
}

/**
 * The OU of a desktop's certificate (main/security/cluster-ca.ts `desktopSubject`): the
 * cluster listener serves it the file content routes, with a user's token, and nothing else.
 */
export const desktopOu = 'desktop';

/** Whether the peer on a cluster-listener connection presented a desktop's certificate. */
export function peerIsDesktop(socket: unknown): boolean {
  if (!(socket instanceof TLSSocket)) return false;
  const ou: unknown = socket.getPeerCertificate().subject?.OU;
  return ou === desktopOu;
}

/**
 * What is wrong with this agent's cluster certificate, naming the file at fault, or
 * undefined when the key matches the certificate, the certificate is signed by the
 * cluster CA, is good for both ends of a connection, and names `hostId`.
 */
export function certificateProblem(material: ClusterTlsMaterial, hostId: string): { file: 'caFile' | 'certFile' | 'keyFile'; message: string } | undefined {
  let cas: X509Certificate[];
  try {
    cas = pemCertificates(material.ca).map((pem) => new X509Certificate(pem));
  } catch (err) {
    return { file: 'caFile', message: `is not a PEM certificate: ${(err as Error).message}` };
  }
  if (cas.length === 0) return { file: 'caFile', message: 'holds no PEM certificate' };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(material.cert);
  } catch (err) {
    return { file: 'certFile', message: `is not a PEM certificate: ${(err as Error).message}` };
  }
  try {
    if (!cert.checkPrivateKey(createPrivateKey(material.key))) return { file: 'keyFile', message: 'is not the key of the certificate in certFile' };
  } catch (err) {
    return { file: 'keyFile', message: `is not a PEM private key: ${(err as Error).message}` };
  }
  if (!cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey))) {
    return { file: 'certFile', message: 'is not signed by the cluster CA in caFile' };
  }
  // keyUsage lists the extended key usages; without the extension any use is allowed.
  const usages = cert.keyUsage;
  if (usages !== undefined && !(usages.includes(serverAuthOid) && usages.includes(clientAuthOid))) {
    return { file: 'certFile', message: 'must allow both serverAuth and clientAuth (extendedKeyUsage)' };
  }
  const cn = subjectCommonName(cert.subject);
  if (cn !== hostId) return { file: 'certFile', message: `is for host ${cn ?? '(no CN)'}, but this agent's hostId is ${hostId}` };
  return undefined;
}

function pemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function commonName(cert: PeerCertificate | undefined): string | undefined {
  // Node gives an array when the subject repeats CN; a certificate of ours has one.
  const cn: unknown = cert?.subject?.CN;
  return typeof cn === 'string' ? cn : undefined;
}

/** The CN of an `X509Certificate.subject` ("C=…\nCN=…"). */
function subjectCommonName(subject: string): string | undefined {
  const line = subject.split('\n').find((part) => part.startsWith('CN='));
  return line?.slice('CN='.length);
}
