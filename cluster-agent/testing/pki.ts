/**
 * Test certificates made the way the desktop makes real ones: a cluster CA (ECDSA
 * P-256) and one certificate per agent with CN = hostId, extKeyUsage serverAuth and
 * clientAuth, no SANs. Made with the `openssl` CLI, so the agent's own code never
 * checks itself.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestHostCert {
  certFile: string;
  /** 0600. */
  keyFile: string;
  cert: string;
  key: string;
}

export interface TestPki {
  caFile: string;
  ca: string;
  hosts: Record<string, TestHostCert>;
  /** A desktop's certificate (OU=desktop, a TLS client only), as the desktop makes its own. */
  desktop: TestHostCert;
}

const desktopExtensions = [
  'basicConstraints = critical, CA:FALSE',
  'keyUsage = critical, digitalSignature',
  'extendedKeyUsage = clientAuth',
  'authorityKeyIdentifier = keyid',
].join('\n');

const hostExtensions = [
  'basicConstraints = critical, CA:FALSE',
  'keyUsage = critical, digitalSignature',
  'extendedKeyUsage = serverAuth, clientAuth',
  'subjectKeyIdentifier = hash',
  'authorityKeyIdentifier = keyid',
].join('\n');

/** A CA in `dir` and a certificate for each of `hostIds`, valid from now for two days. */
export async function makeTestPki(dir: string, hostIds: readonly string[], caName = 'Hopsdesk test cluster CA'): Promise<TestPki> {
  await mkdir(dir, { recursive: true });
  const caKey = path.join(dir, 'ca.key');
  const caFile = path.join(dir, 'ca.crt');
  await newKey(caKey);
  await run('openssl', [
    'req', '-x509', '-new', '-key', caKey, '-subj', `/CN=${caName}`, '-days', '2', '-sha256', '-out', caFile,
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const extFile = path.join(dir, 'host.ext');
  await writeFile(extFile, `${hostExtensions}\n`);

  const desktopExtFile = path.join(dir, 'desktop.ext');
  await writeFile(desktopExtFile, `${desktopExtensions}\n`);

  const issue = async (name: string, subject: string, extensions: string): Promise<TestHostCert> => {
    const keyFile = path.join(dir, `${name}.key`);
    const certFile = path.join(dir, `${name}.crt`);
    const csr = path.join(dir, `${name}.csr`);
    await newKey(keyFile);
    await run('openssl', ['req', '-new', '-key', keyFile, '-subj', subject, '-out', csr]);
    await run('openssl', [
      'x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-days', '2', '-sha256',
      '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-extfile', extensions, '-out', certFile,
    ]);
    return { certFile, keyFile, cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
  };
  const hosts: Record<string, TestHostCert> = {};
  for (const hostId of hostIds) hosts[hostId] = await issue(hostId, `/CN=${hostId}`, extFile);
  const desktop = await issue('desktop', '/CN=Hopsdesk desktop/OU=desktop', desktopExtFile);
  return { caFile, ca: await readFile(caFile, 'utf8'), hosts, desktop };
}

async function newKey(file: string): Promise<void> {
  await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
  await chmod(file, 0o600);
}

/** The cert of `hostId` in `pki`; throws when there is none. */
export function hostCert(pki: TestPki, hostId: string): TestHostCert {
  const cert = pki.hosts[hostId];
  if (cert === undefined) throw new Error(`The test PKI has no certificate for ${hostId}.`);
  return cert;
}
