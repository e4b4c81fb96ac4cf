import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AGENT_PROTOCOL_VERSION, agentRoutes, type HeartbeatRequest, type RegisterRequest } from '../../protocol/agent-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { MetricsSample } from '../../protocol/host.ts';
import { memoryLog, testInventory, testTokens, waitFor } from '../testing/helpers.ts';
import { HeadLink } from './head-link.ts';

const inventory = testInventory('w1');
const sample: MetricsSample = { atMs: 1, cpuPct: 3, memUsedBytes: 1, memTotalBytes: 2, gpus: [] };

interface Seen {
  route: string;
  authorization: string | undefined;
  body: unknown;
}

/** A head that answers from scripted replies per route, then with `fallback`. */
async function fakeHead(script: Record<string, Array<[number, unknown]>>, fallback: Record<string, [number, unknown]>) {
  const seen: Seen[] = [];
  const server = http.createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const route = request.url ?? '';
      seen.push({ route, authorization: request.headers.authorization, body: JSON.parse(text) as unknown });
      const [status, body] = script[route]?.shift() ?? fallback[route] ?? [500, {}];
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const links: HeadLink[] = [];
afterEach(async () => {
  await Promise.all(links.splice(0).map((link) => link.stop()));
});

function link(headUrl: string, log = memoryLog()): HeadLink {
  const created = new HeadLink({
    headUrl,
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
