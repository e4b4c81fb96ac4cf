import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { AGENT_PROTOCOL_VERSION, agentRoutes, type HeartbeatRequest, type RegisterRequest } from '../../protocol/agent-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { MetricsSample } from '../../protocol/host.ts';
import { memoryLog, tempDir, testInventory, testTokens, waitFor } from '../testing/helpers.ts';
import { hostCert, makeTestPki, type TestPki } from '../testing/pki.ts';
import type { HeadTls } from './head-client.ts';
import { HeadLink } from './head-link.ts';

const inventory = testInventory('w1');
const sample: MetricsSample = { atMs: 1, cpuPct: 3, memUsedBytes: 1, memTotalBytes: 2, gpus: [] };

interface Seen {
  route: string;
  authorization: string | undefined;
  body: unknown;
  /** The CN of the client certificate, on an https head. */
  peer?: string;
}

/**
 * A head that answers from scripted replies per route, then with `fallback`; over
 * mutual TLS when given a certificate and the CA its clients must hold.
 */
async function fakeHead(script: Record<string, Array<[number, unknown]>>, fallback: Record<string, [number, unknown]>, tls?: https.ServerOptions) {
  const seen: Seen[] = [];
  const handler: http.RequestListener = (request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const route = request.url ?? '';
      const peer = tls === undefined ? undefined : String((request.socket as TLSSocket).getPeerCertificate().subject.CN);
      seen.push({ route, authorization: request.headers.authorization, body: JSON.parse(text) as unknown, ...(peer === undefined ? {} : { peer }) });
      const [status, body] = script[route]?.shift() ?? fallback[route] ?? [500, {}];
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  };
  const server = tls === undefined ? http.createServer(handler) : https.createServer({ ...tls, requestCert: true, rejectUnauthorized: true }, handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const links: HeadLink[] = [];
afterEach(async () => {
  await Promise.all(links.splice(0).map((link) => link.stop()));
});

function link(headUrl: string, log = memoryLog(), tls?: HeadTls): HeadLink {
  const created = new HeadLink({
    headUrl,
    ...(tls === undefined ? {} : { tls }),
    clusterToken: testTokens.cluster,
    hostId: 'w1',
    address: '127.0.0.1:7070',
    roles: ['worker'],
    agentVersion: '0.1.0',
    heartbeatIntervalMs: 50,
    inventory: async () => inventory,
    latestSample: () => sample,
    log,
  });
  links.push(created);
  created.start();
  return created;
}

test('a version mismatch is logged and retried, not fatal; then heartbeats flow; a 404 re-registers', async (t) => {
  const mismatch = new HopsError('AGENT_VERSION_MISMATCH', 'Host w1 speaks protocol 0; this head speaks protocol 1.').toWire();
  const unknown = { ...new HopsError('HOST_NOT_FOUND', 'The head does not know host w1.').toWire(), known: false };
  const head = await fakeHead(
    {
      [agentRoutes.register]: [[409, mismatch]],
      [agentRoutes.heartbeat]: [[200, { known: true }], [404, unknown]],
    },
    { [agentRoutes.register]: [200, { heartbeatIntervalMs: 100 }], [agentRoutes.heartbeat]: [200, { known: true }] },
  );
  t.after(() => head.close());
  const log = memoryLog();
  link(head.url, log);

  const routes = () => head.seen.map((s) => s.route);
  await waitFor('register, beat, re-register after the 404, beat', () => {
    const r = routes().join(' ');
    return r.startsWith([agentRoutes.register, agentRoutes.register, agentRoutes.heartbeat, agentRoutes.heartbeat, agentRoutes.register, agentRoutes.heartbeat].join(' '));
  });
  assert.ok(head.seen.every((s) => s.authorization === `Bearer ${testTokens.cluster}`));
  const registration = head.seen[0]?.body as RegisterRequest;
  assert.equal(registration.protocolVersion, AGENT_PROTOCOL_VERSION);
  assert.deepEqual(registration.inventory, inventory);
  assert.deepEqual(head.seen[2]?.body as HeartbeatRequest, { hostId: 'w1', sample });

  const failure = log.entries().find((e) => e['msg'] === 'registration failed');
  assert.equal(failure?.['level'], 'error');
  assert.match(String(failure?.['problem']), /AGENT_VERSION_MISMATCH/);
  assert.ok(log.entries().some((e) => e['msg'] === 'head no longer knows this host; registering again'));
});

test('a head that is down is retried with backoff, and stop() ends the wait at once', async () => {
  const gone = await fakeHead({}, {});
  await gone.close();
  const log = memoryLog();
  const worker = link(gone.url, log);
  const failure = await waitFor('a failed registration', () => log.entries().find((e) => e['msg'] === 'registration failed'));
  assert.match(String(failure?.['problem']), /ECONNREFUSED/);
  assert.equal(worker.isRegistered, false);
  const started = Date.now();
  await worker.stop();
  assert.ok(Date.now() - started < 1000);
});

describe('an https head', () => {
  let pki: TestPki;
  let stranger: TestPki;
  let remove: () => Promise<void>;
  const registered: [number, unknown] = [200, { heartbeatIntervalMs: 100 }];
  const known: [number, unknown] = [200, { known: true }];
  const serverTls = (from: TestPki) => ({ ca: pki.ca, cert: hostCert(from, 'head-1').cert, key: hostCert(from, 'head-1').key });
  const linkTls = (headHostId: string): HeadTls => ({ ca: pki.ca, cert: hostCert(pki, 'w1').cert, key: hostCert(pki, 'w1').key, headHostId });

  before(async () => {
    let dir: string;
    ({ dir, remove } = await tempDir());
    pki = await makeTestPki(path.join(dir, 'cluster'), ['head-1', 'w1']);
    // A CA that is not the cluster's, issuing a certificate with the head's very name.
    stranger = await makeTestPki(path.join(dir, 'stranger'), ['head-1'], 'Stranger CA');
  });
  after(() => remove());

  test('is dialled with this host\'s certificate and accepted by its CN, whatever the address', async (t) => {
    const head = await fakeHead({}, { [agentRoutes.register]: registered, [agentRoutes.heartbeat]: known }, serverTls(pki));
    t.after(() => head.close());
    const worker = link(head.url, memoryLog(), linkTls('head-1'));
    await waitFor('register and two heartbeats', () => head.seen.filter((s) => s.route === agentRoutes.heartbeat).length >= 2);
    assert.equal(worker.isRegistered, true);
    assert.ok(head.seen.every((s) => s.peer === 'w1' && s.authorization === `Bearer ${testTokens.cluster}`));
  });

  test('is refused when its certificate names another host', async (t) => {
    const head = await fakeHead({}, { [agentRoutes.register]: registered }, serverTls(pki));
    t.after(() => head.close());
    const log = memoryLog();
    const worker = link(head.url, log, linkTls('head-2'));
    const failure = await waitFor('a failed registration', () => log.entries().find((e) => e['msg'] === 'registration failed'));
    assert.match(String(failure['problem']), /certificate is for host head-1, not the expected head-2/);
    assert.equal(worker.isRegistered, false);
    assert.equal(head.seen.length, 0, 'nothing was sent');
  });

  test('is refused when its certificate is not of the cluster CA, even with the right CN', async (t) => {
    const head = await fakeHead({}, { [agentRoutes.register]: registered }, serverTls(stranger));
    t.after(() => head.close());
    const log = memoryLog();
    link(head.url, log, linkTls('head-1'));
    const failure = await waitFor('a failed registration', () => log.entries().find((e) => e['msg'] === 'registration failed'));
    assert.match(String(failure['problem']), /certificate/i);
    assert.equal(head.seen.length, 0, 'nothing was sent');
  });
});
