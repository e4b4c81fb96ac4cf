import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import tls from 'node:tls';
import { test } from 'node:test';
import { createClusterCa, issueAgentCertificate, issueDesktopCertificate } from './cluster-ca.ts';

test('agent certificates chain to the cluster CA and carry the host id', async () => {
  const ca = await createClusterCa('lab');
  const agent = await issueAgentCertificate(ca, 'gpu-a');
  const caCert = new X509Certificate(ca.certPem);
  const cert = new X509Certificate(agent.certPem);
  assert.equal(caCert.ca, true);
  assert.equal(cert.ca, false);
  assert.ok(cert.checkIssued(caCert));
  assert.ok(cert.verify(caCert.publicKey));
  assert.equal(cert.subject, 'CN=gpu-a');
  assert.ok(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(agent.keyPem)));
});

test('two agents of one CA complete mutual TLS; an agent of another CA cannot', async () => {
  const ca = await createClusterCa('lab');
  const head = await issueAgentCertificate(ca, 'head');
  const worker = await issueAgentCertificate(ca, 'worker');
  const stranger = await issueAgentCertificate(await createClusterCa('other'), 'worker');
  const server = tls.createServer(
    { ca: head.caPem, cert: head.certPem, key: head.keyPem, requestCert: true, rejectUnauthorized: true },
    (socket) => socket.end(`hello ${socket.getPeerCertificate().subject.CN}`),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const connect = (creds: { caPem: string; certPem: string; keyPem: string }) =>
    new Promise<string>((resolve, reject) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        ca: creds.caPem,
        cert: creds.certPem,
        key: creds.keyPem,
        checkServerIdentity: (_host, cert) => (cert.subject.CN === 'head' ? undefined : new Error('not the head')),
      });
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
  try {
    assert.equal(await connect(worker), 'hello worker');
    await assert.rejects(connect(stranger));
  } finally {
    server.close();
  }
});

test('a desktop certificate chains to the cluster CA, is a TLS client only and can never pass for a host', async () => {
  const ca = await createClusterCa('lab');
  const desktop = await issueDesktopCertificate(ca);
  const cert = new X509Certificate(desktop.certPem);
  assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
  assert.equal(cert.subject, 'CN=Hopsdesk desktop\nOU=desktop');
  // Only clientAuth: it cannot stand in for an agent's listener.
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.ok(Date.parse(cert.validTo) - Date.now() <= 8 * 86_400_000, 'short-lived');
});
