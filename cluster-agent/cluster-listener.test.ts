/**
 * The mutual-TLS cluster listener, in-process: a worker joins its head over it, and
 * nobody without a certificate of the cluster CA and the cluster token gets anything;
 * a desktop's certificate gets the file content routes, with a user's token, only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import path from 'node:path';
import { agentRoutes, type HostsReply, type RegisterRequest } from '../protocol/agent-api.ts';
import { fsRoutes } from '../protocol/fs.ts';
import { startAgent, type AgentHandle } from './agent.ts';
import { hostCert, makeTestPki, type TestHostCert, type TestPki } from './testing/pki.ts';
import { memoryLog, tempDir, testConfig, testInventory, testTokens, waitFor } from './testing/helpers.ts';

interface Reply {
  status: number;
  body: string;
}

describe('the cluster listener (mutual TLS)', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let pki: TestPki;
  let otherPki: TestPki;
  let head: AgentHandle;
  const headLog = memoryLog();
  const agents: AgentHandle[] = [];

  const clusterSection = (hostId: string) => ({
    listen: { host: '127.0.0.1', port: 0 },
    tls: { caFile: pki.caFile, certFile: hostCert(pki, hostId).certFile, keyFile: hostCert(pki, hostId).keyFile },
  });
  const clusterPort = (agent: AgentHandle): number => {
    assert.ok(agent.cluster !== undefined, 'the agent has a cluster listener');
    return agent.cluster.port;
  };

  /** Lists the hosts through the head's client API (plain HTTP, client token). */
  async function hosts(): Promise<HostsReply['hosts']> {
    const response = await fetch(`http://127.0.0.1:${head.port}${agentRoutes.hosts}`, { headers: { authorization: `Bearer ${testTokens.client}` } });
    assert.equal(response.status, 200);
    return ((await response.json()) as HostsReply).hosts;
  }

  /**
   * One request to the head's cluster listener, presenting `cert` (or none) and trusting
   * the cluster CA; rejects when the TLS handshake fails.
   */
  function clusterRequest(options: { cert?: TestHostCert; token?: string; method?: string; route: string; body?: unknown; bytes?: Buffer }): Promise<Reply> {
    const payload = options.bytes ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    return new Promise((resolve, reject) => {
      const request = https.request(
        {
          host: '127.0.0.1',
          port: clusterPort(head),
          path: options.route,
          method: options.method ?? 'GET',
          agent: false,
          ca: pki.ca,
          ...(options.cert === undefined ? {} : { cert: options.cert.cert, key: options.cert.key }),
          // The head is checked by its CN elsewhere; these requests test the head's side.
          checkServerIdentity: () => undefined,
          headers: {
            ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
            ...(payload === undefined ? {} : { 'content-type': options.bytes === undefined ? 'application/json' : 'application/octet-stream' }),
          },
        },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  }

  const registration = (hostId: string): RegisterRequest => ({
    hostId,
    hostname: `${hostId}.lab`,
    address: '10.77.0.9:7443',
    roles: ['worker'],
    agentVersion: '0.1.0',
    protocolVersion: 1,
    inventory: testInventory(hostId),
  });

  async function startWorker(hostId: string, headHostId: string, log = memoryLog()): Promise<AgentHandle> {
    const { dir: workerDir, remove: removeWorker } = await tempDir();
    const config = await testConfig(workerDir, {
      hostId,
      roles: ['worker'],
      head: { url: `https://127.0.0.1:${clusterPort(head)}`, hostId: headHostId },
      cluster: clusterSection(hostId),
      nvidiaSmi: 'nvidia-smi-not-installed',
      unreachableAfterMs: 5000,
    });
    const worker = await startAgent(config, { log });
    agents.push({ ...worker, stop: () => worker.stop().then(removeWorker) });
    return worker;
  }

  before(async () => {
    ({ dir, remove } = await tempDir());
    pki = await makeTestPki(path.join(dir, 'pki'), ['head-1', 'worker-1', 'worker-2', 'intruder']);
    // Another CA issuing a certificate with a name the cluster knows.
    otherPki = await makeTestPki(path.join(dir, 'other-pki'), ['worker-1'], 'Some other CA');
    // Roomy liveness: what these tests check is who gets in, not how fast silence is seen.
    const config = await testConfig(dir, { hostId: 'head-1', cluster: clusterSection('head-1'), nvidiaSmi: 'nvidia-smi-not-installed', unreachableAfterMs: 5000 });
    head = await startAgent(config, { log: headLog });
  });
  after(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await head.stop();
    await remove();
  });

  test('a worker with a certificate of the cluster CA registers over mutual TLS and heartbeats', async () => {
    const worker = await startWorker('worker-1', 'head-1');
    const joined = await waitFor('worker-1 healthy with a sample', async () => {
      const host = (await hosts()).find((h) => h.hostId === 'worker-1');
      return host?.state === 'healthy' && host.latest !== null && host;
    });
    // The head stores the address other agents dial: the cluster listener, not the client API.
    assert.equal(joined.address, `127.0.0.1:${clusterPort(worker)}`);
    const firstBeatMs = joined.lastHeartbeatMs;
    await waitFor('a later heartbeat', async () => ((await hosts()).find((h) => h.hostId === 'worker-1')?.lastHeartbeatMs ?? 0) > firstBeatMs);
    assert.equal(worker.host, '127.0.0.1');
    assert.notEqual(worker.port, clusterPort(worker), 'two listeners');
  });

  test('no client certificate, or one of another CA: the handshake fails', async () => {
    await assert.rejects(clusterRequest({ token: testTokens.cluster, route: agentRoutes.hello }));
    await assert.rejects(clusterRequest({ cert: hostCert(otherPki, 'worker-1'), token: testTokens.cluster, route: agentRoutes.hello }));
    // Plain HTTP on the cluster port gets nothing either.
    await assert.rejects(fetch(`http://127.0.0.1:${clusterPort(head)}${agentRoutes.hello}`, { headers: { authorization: `Bearer ${testTokens.cluster}` } }));
    assert.ok(headLog.entries().some((e) => e['msg'] === 'TLS handshake refused on the cluster listener'));
  });

  test('a valid certificate without the cluster token is refused with 401', async () => {
    const cert = hostCert(pki, 'worker-2');
    for (const token of [undefined, 'forged-token-0123456789abcdef', testTokens.client]) {
      const reply = await clusterRequest({ cert, token, method: 'POST', route: agentRoutes.register, body: registration('worker-2') });
      assert.equal(reply.status, 401, reply.body);
      assert.equal((JSON.parse(reply.body) as { code: string }).code, 'UNAUTHORIZED');
    }
    assert.equal((await hosts()).some((h) => h.hostId === 'worker-2'), false);
  });

  test('the cluster listener serves no client route: never data, whatever the token', async () => {
    const cert = hostCert(pki, 'worker-2');
    for (const route of [agentRoutes.hosts, agentRoutes.inventory, agentRoutes.metrics, agentRoutes.hostMetrics.replace(':hostId', 'worker-1'), agentRoutes.events]) {
      for (const token of [testTokens.client, testTokens.cluster]) {
        const reply = await clusterRequest({ cert, token, route });
        assert.ok(reply.status === 401 || reply.status === 404, `${route}: ${reply.status} ${reply.body}`);
        assert.doesNotMatch(reply.body, /hostname|samples|inventory"/);
      }
    }
    for (const [method, route] of [['POST', agentRoutes.hostDrain], ['DELETE', agentRoutes.host]] as const) {
      const reply = await clusterRequest({ cert, token: testTokens.client, method, route: route.replace(':hostId', 'worker-1') });
      assert.equal(reply.status, 401);
    }
    const worker = (await hosts()).find((h) => h.hostId === 'worker-1');
    assert.ok(worker !== undefined && worker.state !== 'draining', 'nothing was drained or forgotten');
  });

  test('a desktop certificate opens the content routes with a user token, and nothing else', async () => {
    const desktop = pki.desktop;
    const content = `${fsRoutes.content}?${new URLSearchParams({ path: '/Projects/none/data/f.bin' })}`;
    // Let in: the head looks the file up for the admin (there is no such project).
    const missing = await clusterRequest({ cert: desktop, token: testTokens.client, route: content });
    assert.equal(missing.status, 404, missing.body);
    assert.equal((JSON.parse(missing.body) as { code: string }).code, 'PROJECT_NOT_FOUND');
    // Not the cluster token, and no agent route whatever the token.
    const clusterToken = await clusterRequest({ cert: desktop, token: testTokens.cluster, route: content });
    assert.equal(clusterToken.status, 401, clusterToken.body);
    for (const token of [testTokens.client, testTokens.cluster]) {
      const register = await clusterRequest({ cert: desktop, token, method: 'POST', route: agentRoutes.register, body: registration('desktop') });
      assert.equal(register.status, 401, register.body);
      assert.match(register.body, /desktop's certificate opens only the file content routes/);
    }
    // An agent's certificate never takes a user token, on these routes either.
    const agent = await clusterRequest({ cert: hostCert(pki, 'worker-2'), token: testTokens.client, route: content });
    assert.equal(agent.status, 401, agent.body);
  });

  test('a desktop certificate uploads a whole file and reads it back; a bad path is refused by its rule', async () => {
    const desktop = pki.desktop;
    const created = await fetch(`http://127.0.0.1:${head.port}/v1/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${testTokens.client}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'direct' }),
    });
    assert.equal(created.status, 200, await created.text());
    const made = await fetch(`http://127.0.0.1:${head.port}${fsRoutes.mkdir}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${testTokens.client}`, 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/Projects/direct/data' }),
    });
    assert.equal(made.status, 200, await made.text());
    const bytes = Buffer.from('bytes that went beside the tunnel\n');
    const route = `${fsRoutes.content}?${new URLSearchParams({ path: '/Projects/direct/data/f.txt' })}`;
    const put = await clusterRequest({ cert: desktop, token: testTokens.client, method: 'PUT', route, bytes });
    assert.equal(put.status, 200, put.body);
    assert.equal((JSON.parse(put.body) as { size: number }).size, bytes.length);
    const back = await clusterRequest({ cert: desktop, token: testTokens.client, route });
    assert.equal(back.status, 200, back.body);
    assert.equal(back.body, bytes.toString());
    // Checked by the path rules before the schema, as on the client listener: the rule names what to shorten.
    for (const bad of ['/Projects/direct/data/../../etc', `/Projects/direct/data/${'x'.repeat(9000)}`]) {
      const refused = await clusterRequest({ cert: desktop, token: testTokens.client, method: 'PUT', route: `${fsRoutes.content}?${new URLSearchParams({ path: bad })}`, bytes });
      assert.equal(refused.status, 400, refused.body);
      assert.equal((JSON.parse(refused.body) as { code: string }).code, 'PATH_INVALID', refused.body);
    }
  });

  test('a certificate speaks only for its own host', async () => {
    const intruder = hostCert(pki, 'intruder');
    const reply = await clusterRequest({ cert: intruder, token: testTokens.cluster, method: 'POST', route: agentRoutes.register, body: registration('worker-2') });
    assert.equal(reply.status, 401, reply.body);
    assert.match(reply.body, /certificate is for host intruder/);
    const beat = await clusterRequest({
      cert: intruder,
      token: testTokens.cluster,
      method: 'POST',
      route: agentRoutes.heartbeat,
      body: { hostId: 'worker-1', sample: { atMs: 1, cpuPct: 1, memUsedBytes: 1, memTotalBytes: 2, gpus: [] } },
    });
    assert.equal(beat.status, 401, beat.body);
    // With its own name, the same certificate and token get in.
    const own = await clusterRequest({ cert: intruder, token: testTokens.cluster, method: 'POST', route: agentRoutes.register, body: registration('intruder') });
    assert.equal(own.status, 200, own.body);
    const forget = await fetch(`http://127.0.0.1:${head.port}${agentRoutes.host.replace(':hostId', 'intruder')}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${testTokens.client}` },
    });
    assert.equal(forget.status, 200);
  });

  test('a worker refuses a head whose certificate is not for the expected hostId', async () => {
    const log = memoryLog();
    await startWorker('worker-2', 'another-head', log);
    const failure = await waitFor('a failed registration', () => log.entries().find((e) => e['msg'] === 'registration failed'));
    assert.match(String(failure['problem']), /certificate is for host head-1, not the expected another-head/);
    assert.equal((await hosts()).some((h) => h.hostId === 'worker-2'), false);
  });
});
