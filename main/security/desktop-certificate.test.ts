import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createClusterCa, type ClusterCa } from './cluster-ca.ts';
import { desktopCertificate } from './desktop-certificate.ts';
import { createSecretStore, type SecretStore } from './secret-store.ts';

let dir: string;
let secrets: SecretStore;
let ca: ClusterCa;
const day = 24 * 3_600_000;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-desktop-cert-'));
  secrets = createSecretStore(dir);
  ca = await createClusterCa('lab');
});
after(() => rm(dir, { recursive: true, force: true }));

test('the certificate is issued once and kept for the next command', async () => {
  const first = await desktopCertificate(secrets, 'lab', ca);
  assert.ok(new X509Certificate(first.certPem).checkIssued(new X509Certificate(ca.certPem)));
  const again = await desktopCertificate(createSecretStore(dir), 'lab', ca);
  assert.equal(again.certPem, first.certPem);
  assert.equal(again.keyPem, first.keyPem);
});

test('a certificate a day from expiring, of another CA, or damaged is issued again', async () => {
  const kept = await desktopCertificate(secrets, 'lab', ca);
  const expiresMs = Date.parse(new X509Certificate(kept.certPem).validTo);
  const late = await desktopCertificate(secrets, 'lab', ca, new Date(expiresMs - day / 2));
  assert.notEqual(late.certPem, kept.certPem, 'renewed within a day of expiry');

  const other = await createClusterCa('lab');
  const renewed = await desktopCertificate(secrets, 'lab', other);
  assert.ok(new X509Certificate(renewed.certPem).checkIssued(new X509Certificate(other.certPem)), 'issued by the new CA');

  await secrets.set('clusters/lab/desktop-certificate', '{"certPem": "not a certificate"');
  const repaired = await desktopCertificate(secrets, 'lab', other);
  assert.ok(new X509Certificate(repaired.certPem).checkIssued(new X509Certificate(other.certPem)));
  assert.equal((await desktopCertificate(secrets, 'lab', other)).certPem, repaired.certPem, 'the damage was overwritten');
});
