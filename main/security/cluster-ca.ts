/**
 * The cluster's certificate authority. The desktop creates it when it forms a cluster
 * and keeps its key; every agent gets a certificate signed by it (subject CN = the host
 * id, usable as TLS server and client), and agents accept agent↔agent connections only
 * from holders of such a certificate — mutual TLS with nothing trusted but this CA.
 */
// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs this polyfill loaded first.
import 'reflect-metadata';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const caLifetimeDays = 3650;
const agentLifetimeDays = 825;
/** A desktop's certificate is kept with the cluster's secrets and issued again before it expires (desktop-certificate.ts). */
const desktopLifetimeDays = 7;

/**
 * The subject of a desktop's certificate. Its OU marks it for the head (`desktopOu` in
 * cluster-agent/cluster-tls.ts), and its CN has a space, which no host id has, so it can
 * never pass for an agent.
 */
export const desktopSubject = 'CN=Hopsdesk desktop, OU=desktop';

/** A CA as stored: its certificate and its private key, both PEM. */
export interface ClusterCa {
  certPem: string;
  keyPem: string;
}

/** An agent's credentials: its certificate, its key and the CA certificate to trust. */
export interface AgentCredentials {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** Creates a new CA for the cluster `name`. */
export async function createClusterCa(name: string, now = new Date()): Promise<ClusterCa> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=Hopsdesk cluster CA ${name}`,
    notBefore: now,
    notAfter: daysAfter(now, caLifetimeDays),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

/** Issues the certificate of the agent `hostId`, signed by `ca`. */
export async function issueAgentCertificate(ca: ClusterCa, hostId: string, now = new Date()): Promise<AgentCredentials> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importPrivateKey(ca.keyPem);
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${hostId}`,
    issuer: caCert.subject,
    notBefore: now,
    notAfter: daysAfter(now, agentLifetimeDays),
    signingAlgorithm: algorithm,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: hostId }]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { caPem: ca.certPem, certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

/**
 * Issues a certificate for this desktop, signed by `ca`, good as a TLS client only: with
 * it and a user's token the desktop reaches the head's file content routes on the
 * cluster listener directly, without the SSH tunnel (docs/decisions.md).
 */
export async function issueDesktopCertificate(ca: ClusterCa, now = new Date()): Promise<AgentCredentials> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importPrivateKey(ca.keyPem);
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: desktopSubject,
    issuer: caCert.subject,
    // An hour back, so a desktop clock a little ahead of the head's does not fail the handshake.
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: daysAfter(now, desktopLifetimeDays),
    signingAlgorithm: algorithm,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { caPem: ca.certPem, certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
}

function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  return webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']) as Promise<CryptoKey>;
}

/** A positive 128-bit serial, as RFC 5280 asks (unique per CA, at most 20 bytes). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

function daysAfter(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}
