import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HopsError } from '../protocol/errors.ts';
import { compileAgentConfig, loadAgentConfig } from './config.ts';
import { tempDir, testTokens } from './testing/helpers.ts';
import { makeTestPki } from './testing/pki.ts';

describe('agent config', () => {
  let dir: string;
  let remove: () => Promise<void>;
  before(async () => ({ dir, remove } = await tempDir()));
  after(() => remove());

  const origin = () => ({ source: path.join(dir, 'agent.json'), baseDir: dir });
  const minimal = { hostId: 'gpu-1', dataDir: 'data', roles: ['head', 'worker'], tokens: testTokens };

  /** Asserts `promise` rejects with a VALIDATION error naming `field`. */
  async function rejectsNaming(promise: Promise<unknown>, field: string, text: RegExp): Promise<void> {
    await assert.rejects(promise, (err: unknown) => {
      assert.ok(err instanceof HopsError);
      assert.equal(err.code, 'VALIDATION');
      assert.equal(err.field, field);
      assert.match(err.message, text);
      return true;
    });
  }

  test('fills every default and resolves paths against the config directory', async () => {
    const config = await compileAgentConfig(minimal, origin());
    assert.deepEqual(config, {
      hostId: 'gpu-1',
      dataDir: path.join(dir, 'data'),
      listen: { host: '127.0.0.1', port: 0 },
      roles: ['head', 'worker'],
      tokens: testTokens,
      adminUser: 'admin',
      head: undefined,
      cluster: undefined,
      filesystem: {
        blockSizeBytes: 64 * 1024 * 1024,
        replication: 3,
        reservedBytes: 0,
        blockReportIntervalMs: 3_600_000,
        scrubIntervalMs: 7 * 24 * 3_600_000,
        scrubBytesPerSecond: 8 * 1024 * 1024,
        reclaimIntervalMs: 30_000,
        uploadSessionTtlMs: 86_400_000,
        trashRetentionMs: 604_800_000,
        replicationIntervalMs: 10_000,
        replicationConcurrency: 4,
        safeModeThreshold: 0.999,
        safeModeMaxMs: 60_000,
      },
      jobs: { nodeLostAfterMs: 60_000, stageCacheBytes: 10 * 1024 ** 3 },
      labels: [],
      metricsIntervalMs: 2000,
      heartbeatIntervalMs: 2000,
      unreachableAfterMs: 6000,
      deadHostAfterMs: 600_000,
      metricsRetention: 900,
      nvidiaSmi: 'nvidia-smi',
      runFile: path.join(dir, 'data', 'run.json'),
      logFile: undefined,
      source: path.join(dir, 'agent.json'),
    });
  });

  test('unreachableAfterMs defaults to three heartbeats (three samples too for a head+worker)', async () => {
    const worker = { ...minimal, roles: ['worker'], head: { url: 'http://head:1' }, heartbeatIntervalMs: 500 };
    assert.equal((await compileAgentConfig(worker, origin())).unreachableAfterMs, 1500);
    assert.equal((await compileAgentConfig({ ...minimal, heartbeatIntervalMs: 500 }, origin())).unreachableAfterMs, 6000);
    assert.equal((await compileAgentConfig({ ...minimal, heartbeatIntervalMs: 3000 }, origin())).unreachableAfterMs, 9000);
  });

  test('a path-like nvidiaSmi is resolved, a bare name is left for PATH', async () => {
    const config = await compileAgentConfig({ ...minimal, nvidiaSmi: './bin/nvidia-smi' }, origin());
    assert.equal(config.nvidiaSmi, path.join(dir, 'bin', 'nvidia-smi'));
  });

  test('a worker-only agent needs head.url and keeps only its origin', async () => {
    await rejectsNaming(compileAgentConfig({ ...minimal, roles: ['worker'] }, origin()), '/head/url', /head\.url/);
    await rejectsNaming(compileAgentConfig({ ...minimal, roles: ['worker'], head: { url: 'ftp://x' } }, origin()), '/head/url', /http/);
    const config = await compileAgentConfig({ ...minimal, roles: ['worker'], head: { url: 'http://10.77.0.1:7070/x' } }, origin());
    assert.deepEqual(config.head, { url: 'http://10.77.0.1:7070' });
  });

  test('a head does not take head.url', async () => {
    await rejectsNaming(compileAgentConfig({ ...minimal, head: { url: 'http://h:1' } }, origin()), '/head', /head role/);
  });

  test('adminUser names the cluster admin: a user name, "admin" by default', async () => {
    assert.equal((await compileAgentConfig({ ...minimal, adminUser: 'ana' }, origin())).adminUser, 'ana');
    await rejectsNaming(compileAgentConfig({ ...minimal, adminUser: 'Ana Lopez' }, origin()), '/adminUser', /adminUser/);
    await rejectsNaming(compileAgentConfig({ ...minimal, adminUser: 'a'.repeat(65) }, origin()), '/adminUser', /adminUser/);
  });

  test('names the bad field and the file', async () => {
    await rejectsNaming(
      compileAgentConfig({ ...minimal, listen: { port: 70000 } }, origin()),
      '/listen/port',
      new RegExp(`${path.join(dir, 'agent.json')}.*listen\\.port`),
    );
    await rejectsNaming(compileAgentConfig({ ...minimal, metricsIntervalMs: 'fast' }, origin()), '/metricsIntervalMs', /metricsIntervalMs/);
    await rejectsNaming(compileAgentConfig({ ...minimal, lables: ['x'] }, origin()), '/lables', /lables/);
    await rejectsNaming(compileAgentConfig({ ...minimal, roles: ['head', 'head'] }, origin()), '/roles', /roles/);
    await rejectsNaming(compileAgentConfig({ ...minimal, hostId: undefined }, origin()), '/hostId', /hostId/);
    await rejectsNaming(compileAgentConfig({ ...minimal, tokens: { client: 'short', cluster: testTokens.cluster } }, origin()), '/tokens/client', /tokens\.client/);
  });

  test('intervals must leave room to miss a heartbeat', async () => {
    await rejectsNaming(
      compileAgentConfig({ ...minimal, heartbeatIntervalMs: 1000, unreachableAfterMs: 1000 }, origin()),
      '/unreachableAfterMs',
      /must exceed heartbeatIntervalMs/,
    );
    await rejectsNaming(
      compileAgentConfig({ ...minimal, metricsIntervalMs: 5000, heartbeatIntervalMs: 1000, unreachableAfterMs: 3000 }, origin()),
      '/unreachableAfterMs',
      /must exceed metricsIntervalMs/,
    );
  });

  test('tokens come from exactly one of tokens and tokenFile', async () => {
    const { tokens: _, ...noTokens } = minimal;
    await rejectsNaming(compileAgentConfig(noTokens, origin()), '/tokenFile', /tokenFile is required/);
    await rejectsNaming(compileAgentConfig({ ...minimal, tokenFile: 't.json' }, origin()), '/tokenFile', /not both/);
  });

  test('reads a 0600 token file and refuses one readable by group or others', async () => {
    const { tokens: _, ...noTokens } = minimal;
    const tokenFile = path.join(dir, 'tokens.json');
    await writeFile(tokenFile, JSON.stringify(testTokens), { mode: 0o600 });
    await chmod(tokenFile, 0o600);
    const config = await compileAgentConfig({ ...noTokens, tokenFile: 'tokens.json' }, origin());
    assert.deepEqual(config.tokens, testTokens);

    await chmod(tokenFile, 0o644);
    await assert.rejects(compileAgentConfig({ ...noTokens, tokenFile: 'tokens.json' }, origin()), (err: unknown) => {
      assert.ok(err instanceof HopsError);
      assert.equal(err.field, '/tokenFile');
      assert.match(err.message, /readable by group or others \(mode 644\)/);
      assert.match(err.hint, /chmod 600/);
      return true;
    });

    await writeFile(tokenFile, JSON.stringify({ client: testTokens.client }), { mode: 0o600 });
    await chmod(tokenFile, 0o600);
    await rejectsNaming(compileAgentConfig({ ...noTokens, tokenFile: 'tokens.json' }, origin()), '/cluster', /token file .*cluster/);
  });

  test('loadAgentConfig reads the file and names it when it is not JSON', async () => {
    const file = path.join(dir, 'agent.json');
    await writeFile(file, JSON.stringify(minimal));
    const config = await loadAgentConfig(file);
    assert.equal(config.dataDir, path.join(dir, 'data'));
    assert.equal(config.source, file);

    await writeFile(file, '{"hostId": ');
    await assert.rejects(loadAgentConfig(file), new RegExp(`${file} is not valid JSON`));
    await assert.rejects(loadAgentConfig(path.join(dir, 'missing.json')), /Cannot read the agent config .*missing\.json/);
  });

  describe('cluster listener', () => {
    const files = (hostId: string) => ({ caFile: 'pki/ca.crt', certFile: `pki/${hostId}.crt`, keyFile: `pki/${hostId}.key` });
    const withCluster = (hostId = 'gpu-1', overrides: Record<string, unknown> = {}) => ({
      ...minimal,
      cluster: { listen: { port: 7443 }, tls: files(hostId), ...overrides },
    });
    let otherCaFile: string;
    before(async () => {
      await makeTestPki(path.join(dir, 'pki'), ['gpu-1', 'gpu-2']);
      otherCaFile = (await makeTestPki(path.join(dir, 'other'), [], 'Other CA')).caFile;
    });

    test('listens on 0.0.0.0 by default and reads the CA, certificate and key (paths relative to the file)', async () => {
      const config = await compileAgentConfig(withCluster(), origin());
      assert.deepEqual(config.cluster?.listen, { host: '0.0.0.0', port: 7443 });
      assert.equal(config.cluster?.tls.certFile, path.join(dir, 'pki', 'gpu-1.crt'));
      assert.match(config.cluster?.tls.ca ?? '', /BEGIN CERTIFICATE/);
      assert.match(config.cluster?.tls.cert ?? '', /BEGIN CERTIFICATE/);
      assert.match(config.cluster?.tls.key ?? '', /PRIVATE KEY/);
      const host = await compileAgentConfig(withCluster('gpu-1', { listen: { host: '10.77.0.1', port: 0 } }), origin());
      assert.deepEqual(host.cluster?.listen, { host: '10.77.0.1', port: 0 });
    });

    test('the key file must be 0600, like the token file', async () => {
      const keyFile = path.join(dir, 'pki', 'gpu-1.key');
      await chmod(keyFile, 0o640);
      try {
        await assert.rejects(compileAgentConfig(withCluster(), origin()), (err: unknown) => {
          assert.ok(err instanceof HopsError);
          assert.equal(err.field, '/cluster/tls/keyFile');
          assert.match(err.message, /readable by group or others \(mode 640\)/);
          assert.equal(err.hint, `Run: chmod 600 ${keyFile}`);
          return true;
        });
      } finally {
        await chmod(keyFile, 0o600);
      }
    });

    test('refuses a certificate for another host, of another CA, or with the wrong key', async () => {
      await rejectsNaming(compileAgentConfig({ ...withCluster('gpu-2'), hostId: 'gpu-1' }, origin()), '/cluster/tls/certFile', /is for host gpu-2, but this agent's hostId is gpu-1/);
      await rejectsNaming(
        compileAgentConfig({ ...minimal, cluster: { listen: { port: 7443 }, tls: { ...files('gpu-1'), caFile: otherCaFile } } }, origin()),
        '/cluster/tls/certFile',
        /not signed by the cluster CA/,
      );
      await rejectsNaming(
        compileAgentConfig({ ...minimal, cluster: { listen: { port: 7443 }, tls: { ...files('gpu-1'), keyFile: 'pki/gpu-2.key' } } }, origin()),
        '/cluster/tls/keyFile',
        /not the key of the certificate/,
      );
      await rejectsNaming(
        compileAgentConfig({ ...minimal, cluster: { listen: { port: 7443 }, tls: { ...files('gpu-1'), certFile: 'pki/missing.crt' } } }, origin()),
        '/cluster/tls/certFile',
        /Cannot read cluster\.tls\.certFile .*missing\.crt/,
      );
      // A key file that is not a key at all (here, the CA certificate, made private).
      await copyFile(path.join(dir, 'pki', 'ca.crt'), path.join(dir, 'pki', 'not-a.key'));
      await chmod(path.join(dir, 'pki', 'not-a.key'), 0o600);
      await rejectsNaming(
        compileAgentConfig({ ...minimal, cluster: { listen: { port: 7443 }, tls: { ...files('gpu-1'), keyFile: 'pki/not-a.key' } } }, origin()),
        '/cluster/tls/keyFile',
        /not a PEM private key/,
      );
    });

    test('the schema is strict: port required, no unknown fields', async () => {
      await rejectsNaming(compileAgentConfig({ ...minimal, cluster: { listen: {}, tls: files('gpu-1') } }, origin()), '/cluster/listen/port', /cluster\.listen\.port/);
      await rejectsNaming(compileAgentConfig(withCluster('gpu-1', { tls: { ...files('gpu-1'), crl: 'x' } }), origin()), '/cluster/tls/crl', /crl/);
    });

    test('an https head needs head.hostId and cluster.tls; an http head needs neither', async () => {
      const worker = { ...minimal, roles: ['worker'] };
      await rejectsNaming(compileAgentConfig({ ...worker, head: { url: 'https://10.77.0.1:7443' } }, origin()), '/head/hostId', /head\.hostId/);
      await rejectsNaming(compileAgentConfig({ ...worker, head: { url: 'https://10.77.0.1:7443', hostId: 'head-1' } }, origin()), '/cluster', /cluster\.tls/);
      const secure = await compileAgentConfig({ ...withCluster(), roles: ['worker'], head: { url: 'https://10.77.0.1:7443/', hostId: 'head-1' } }, origin());
      assert.deepEqual(secure.head, { url: 'https://10.77.0.1:7443', hostId: 'head-1' });
      const plain = await compileAgentConfig({ ...worker, head: { url: 'http://10.77.0.1:7070', hostId: 'head-1' } }, origin());
      assert.deepEqual(plain.head, { url: 'http://10.77.0.1:7070', hostId: 'head-1' });
    });
  });
});
