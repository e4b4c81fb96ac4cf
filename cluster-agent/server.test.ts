import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import WebSocket from 'ws';
import { AGENT_PROTOCOL_VERSION, agentRoutes, type AgentEvent, type DrainReply, type HostsReply, type RegisterRequest } from '../protocol/agent-api.ts';
import type { MetricsSample } from '../protocol/host.ts';
import { limits } from '../protocol/limits.ts';
import { ClusterDb } from './head/cluster-db.ts';
import { Cluster } from './head/cluster.ts';
import { Invites } from './head/invites.ts';
import { Projects } from './head/projects.ts';
import { Users } from './head/users.ts';
import type { ProjectServices } from './api/project-routes.ts';
import { createAgentLog } from './log.ts';
import { buildAgentServer, type AgentServerDeps } from './server.ts';
import { tempDir, testInventory, testTokens, waitFor } from './testing/helpers.ts';

const inventory = testInventory('head-1');
const sample = (atMs: number, cpuPct = 12): MetricsSample => ({ atMs, cpuPct, memUsedBytes: 1, memTotalBytes: 2, gpus: [] });
const registration: RegisterRequest = {
  hostId: 'w1',
  hostname: 'w1.lab',
  address: '10.77.0.2:7070',
  roles: ['worker'],
  agentVersion: '0.1.0',
  protocolVersion: AGENT_PROTOCOL_VERSION,
  inventory: testInventory('w1'),
};

/** Method of every route; typed so that a route added to the contract must be added here. */
const methods: Record<keyof typeof agentRoutes, 'GET' | 'POST' | 'DELETE'> = {
  hello: 'GET',
  inventory: 'GET',
  metrics: 'GET',
  register: 'POST',
  heartbeat: 'POST',
  hosts: 'GET',
  hostMetrics: 'GET',
  hostDrain: 'POST',
  host: 'DELETE',
  events: 'GET',
};
/** Token each route takes. */
const tokenOf: Record<keyof typeof agentRoutes, 'client' | 'cluster' | 'any'> = {
  hello: 'any',
  inventory: 'client',
  metrics: 'client',
  register: 'cluster',
  heartbeat: 'cluster',
  hosts: 'client',
  hostMetrics: 'client',
  hostDrain: 'client',
  host: 'client',
  events: 'client',
};
const routeNames = Object.keys(agentRoutes) as Array<keyof typeof agentRoutes>;
const urlOf = (name: keyof typeof agentRoutes) => agentRoutes[name].replace(':hostId', 'w1');
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const client = bearer(testTokens.client);
const clusterAuth = bearer(testTokens.cluster);

/** Asserts a JSON error body of the wire shape, without stack traces. */
function assertWireError(response: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers['content-type']), /application\/json/);
  const body = response.json<Record<string, unknown>>();
  assert.equal(body['code'], code);
  assert.equal(typeof body['message'], 'string');
  assert.equal(typeof body['hint'], 'string');
  for (const key of Object.keys(body)) assert.ok(['code', 'message', 'hint', 'field', 'known'].includes(key), `unexpected key ${key}`);
  assert.doesNotMatch(response.body, /\bat .*\.ts:\d+|node:internal/);
  return body;
}

describe('agent API', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let db: ClusterDb;
  let cluster: Cluster;
  let projects: ProjectServices;
  let head: FastifyInstance;
  let worker: FastifyInstance;
  const logLines: string[] = [];
  let failInventory = false;

  const deps = (overrides: Partial<AgentServerDeps>): AgentServerDeps => ({
    hostId: 'head-1',
    roles: ['head', 'worker'],
    tokens: testTokens,
    adminUser: 'admin',
    agentVersion: '0.1.0',
    startedAtMs: 1,
    state: () => 'running',
    inventory: async () => {
      if (failInventory) throw new Error('EIO: secret internal detail');
      return inventory;
    },
    samples: (sinceMs = 0) => [sample(1), sample(2)].filter((s) => s.atMs > sinceMs),
    cluster: undefined,
    projects: undefined,
    // No secrets given: the test checks that nothing logs a token in the first place.
    log: createAgentLog({ sink: (line) => logLines.push(line) }),
    ...overrides,
  });

  before(async () => {
    ({ dir, remove } = await tempDir());
    db = ClusterDb.open(path.join(dir, 'cluster.db'));
    cluster = new Cluster(db, { heartbeatIntervalMs: 100, unreachableAfterMs: 1000, metricsRetention: 10 }, createAgentLog({ sink: () => undefined }));
    const users = new Users(db.projects);
    users.ensureAdmin('admin', testTokens.client, createAgentLog({ sink: () => undefined }));
    projects = { users, projects: new Projects(db.projects), invites: new Invites(db.projects) };
    head = buildAgentServer(deps({ cluster, projects }));
    worker = buildAgentServer(deps({ hostId: 'w1', roles: ['worker'] }));
    await Promise.all([head.ready(), worker.ready()]);
  });
  after(async () => {
    await Promise.all([head.close(), worker.close()]);
    cluster.stop();
    db.close();
    await remove();
  });

  test('no route answers without a valid token of its kind: unauthenticated successes = 0', async () => {
    const tried: string[] = [];
    let successes = 0;
    for (const server of [head, worker]) {
      for (const name of routeNames) {
        const wrongKind = tokenOf[name] === 'client' ? [clusterAuth] : tokenOf[name] === 'cluster' ? [client] : [];
        const attempts: Array<Record<string, string>> = [
          {},
          bearer('forged-token-0123456789abcdef'),
          bearer(`${testTokens.client}x`),
          bearer(testTokens.client.slice(0, -1)),
          { authorization: `Basic ${Buffer.from(`x:${testTokens.client}`).toString('base64')}` },
          { authorization: 'Bearer' },
          { authorization: testTokens.client },
          ...wrongKind,
        ];
        for (const headers of attempts) {
          const response = await server.inject({ method: methods[name], url: urlOf(name), headers, ...(methods[name] === 'POST' ? { payload: registration } : {}) });
          tried.push(`${methods[name]} ${urlOf(name)}`);
          if (response.statusCode < 400) successes += 1;
          assertWireError(response, 401, 'UNAUTHORIZED');
          assert.equal(response.headers['www-authenticate'], 'Bearer');
        }
      }
    }
    assert.equal(successes, 0);
    assert.equal(new Set(tried).size, routeNames.length);
    assert.ok(!logLines.some((line) => line.includes(testTokens.client) || line.includes(testTokens.cluster)), 'no token in the log');
  });

  test('the events WebSocket refuses an upgrade without a valid client token', async (t) => {
    const address = await head.listen({ host: '127.0.0.1', port: 0 });
    const url = `${address.replace('http', 'ws')}${agentRoutes.events}`;
    for (const headers of [{}, bearer('forged-token-0123456789abcdef'), clusterAuth]) {
      const socket = new WebSocket(url, { headers });
      const [error] = (await once(socket, 'error')) as [Error];
      assert.match(error.message, /Unexpected server response: 401/);
    }
    // A valid client gets the current host states, then live events.
    cluster.register(registration);
    const socket = new WebSocket(url, { headers: client });
    t.after(() => socket.terminate());
    const events: AgentEvent[] = [];
    socket.on('message', (data) => events.push(JSON.parse(String(data)) as AgentEvent));
    await waitFor('the host snapshot', () => events.length > 0);
    assert.equal(events[0]?.type, 'host.state');
    cluster.heartbeat({ hostId: 'w1', sample: sample(5) });
    await waitFor('a host.metrics event', () => events.some((e) => e.type === 'host.metrics' && e.hostId === 'w1' && e.sample.atMs === 5));
  });

  test('hello accepts either token and says who the agent is', async () => {
    for (const headers of [client, clusterAuth]) {
      const response = await head.inject({ url: agentRoutes.hello, headers });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), {
        product: 'hopsdesk-agent',
        agentVersion: '0.1.0',
        protocolVersion: AGENT_PROTOCOL_VERSION,
        hostId: 'head-1',
        roles: ['head', 'worker'],
        state: 'running',
        startedAtMs: 1,
        pid: process.pid,
      });
    }
  });

  test('register, heartbeat, hosts and host metrics work with the right tokens', async () => {
    assert.equal((await head.inject({ method: 'POST', url: agentRoutes.register, headers: clusterAuth, payload: registration })).statusCode, 200);
    const beat = await head.inject({ method: 'POST', url: agentRoutes.heartbeat, headers: clusterAuth, payload: { hostId: 'w1', sample: sample(7) } });
    assert.deepEqual(beat.json(), { known: true });
    const hosts = (await head.inject({ url: agentRoutes.hosts, headers: client })).json<{ hosts: Array<{ hostId: string; state: string }> }>();
    assert.deepEqual(hosts.hosts.map((h) => [h.hostId, h.state]), [['w1', 'healthy']]);
    const metrics = await head.inject({ url: `${urlOf('hostMetrics')}?sinceMs=6`, headers: client });
    assert.deepEqual(metrics.json<{ samples: MetricsSample[] }>().samples.map((s) => s.atMs), [7]);
    const own = await head.inject({ url: `${agentRoutes.metrics}?sinceMs=1`, headers: client });
    assert.deepEqual(own.json(), { samples: [sample(2)] });
    assert.deepEqual((await head.inject({ url: agentRoutes.inventory, headers: client })).json(), inventory);
  });

  test('malformed input is a 400 naming the field, and the server keeps serving', async () => {
    const cases: Array<{ what: string; method: 'GET' | 'POST'; url: string; headers: Record<string, string>; payload?: unknown; field?: string }> = [
      { what: 'missing field', method: 'POST', url: agentRoutes.register, headers: clusterAuth, payload: { ...registration, hostId: undefined }, field: '/hostId' },
      { what: 'out of range', method: 'POST', url: agentRoutes.heartbeat, headers: clusterAuth, payload: { hostId: 'w1', sample: sample(1, 150) }, field: '/sample/cpuPct' },
      { what: 'wrong type', method: 'POST', url: agentRoutes.register, headers: clusterAuth, payload: { ...registration, roles: 'worker' }, field: '/roles' },
      { what: 'unknown field', method: 'POST', url: agentRoutes.heartbeat, headers: clusterAuth, payload: { hostId: 'w1', sample: sample(1), extra: 1 }, field: '/extra' },
      { what: 'bad query', method: 'GET', url: `${agentRoutes.metrics}?sinceMs=yesterday`, headers: client, field: '/sinceMs' },
      { what: 'unknown query', method: 'GET', url: `${urlOf('hostMetrics')}?limit=5`, headers: client, field: '/limit' },
      { what: 'negative query', method: 'GET', url: `${urlOf('hostMetrics')}?sinceMs=-1`, headers: client, field: '/sinceMs' },
      { what: 'no body', method: 'POST', url: agentRoutes.register, headers: clusterAuth },
    ];
    for (const c of cases) {
      const response = await head.inject({ method: c.method, url: c.url, headers: c.headers, ...(c.payload === undefined ? {} : { payload: c.payload as object }) });
      const body = assertWireError(response, 400, 'VALIDATION');
      assert.equal(body['field'], c.field, c.what);
      if (c.field !== undefined) assert.ok(String(body['message']).includes(c.field), `${c.what}: ${String(body['message'])}`);
    }
    for (const [payload, type] of [['{"hostId": ', 'application/json'], ['hostId=w1', 'text/plain']] as const) {
      const response = await head.inject({ method: 'POST', url: agentRoutes.register, headers: { ...clusterAuth, 'content-type': type }, payload });
      assertWireError(response, 400, 'VALIDATION');
    }
    assert.equal((await head.inject({ url: agentRoutes.hello, headers: client })).statusCode, 200);
  });

  test('a body over the limit is refused with 413', async () => {
    const payload = JSON.stringify({ ...registration, address: 'x'.repeat(limits.maxAgentBodyBytes) });
    const response = await head.inject({ method: 'POST', url: agentRoutes.register, headers: { ...clusterAuth, 'content-type': 'application/json' }, payload });
    assertWireError(response, 413, 'PAYLOAD_TOO_LARGE');
    assert.equal((await head.inject({ url: agentRoutes.hello, headers: client })).statusCode, 200);
  });

  test('unknown paths are a JSON 404 (401 without a token)', async () => {
    assertWireError(await head.inject({ url: '/v1/nothing-here', headers: client }), 404, 'NOT_FOUND');
    assertWireError(await head.inject({ method: 'DELETE', url: agentRoutes.hosts, headers: client }), 404, 'NOT_FOUND');
    assertWireError(await head.inject({ url: '/v1/nothing-here' }), 401, 'UNAUTHORIZED');
  });

  test('unknown hosts are a 404; a heartbeat from one says known: false so it registers again', async () => {
    const beat = await head.inject({ method: 'POST', url: agentRoutes.heartbeat, headers: clusterAuth, payload: { hostId: 'ghost', sample: sample(1) } });
    assert.equal(assertWireError(beat, 404, 'HOST_NOT_FOUND')['known'], false);
    assertWireError(await head.inject({ url: agentRoutes.hostMetrics.replace(':hostId', 'ghost'), headers: client }), 404, 'HOST_NOT_FOUND');
  });

  test('the events path without an upgrade is a JSON 400', async () => {
    assertWireError(await head.inject({ url: agentRoutes.events, headers: client }), 400, 'VALIDATION');
  });

  test('an agent without the head role says so on head routes', async () => {
    for (const name of ['register', 'heartbeat', 'hosts', 'hostMetrics', 'hostDrain', 'host', 'events'] as const) {
      const headers = tokenOf[name] === 'cluster' ? clusterAuth : client;
      const response = await worker.inject({ method: methods[name], url: urlOf(name), headers, ...(methods[name] === 'POST' ? { payload: registration } : {}) });
      assert.match(String(assertWireError(response, 404, 'NOT_FOUND')['message']), /no head role/);
    }
  });

  test('an internal failure is a 500 without details; the log has them', async () => {
    failInventory = true;
    try {
      const response = await head.inject({ url: agentRoutes.inventory, headers: client });
      assertWireError(response, 500, 'INTERNAL');
      assert.doesNotMatch(response.body, /secret internal detail/);
      assert.ok(logLines.some((line) => line.includes('secret internal detail')));
    } finally {
      failInventory = false;
    }
    assert.equal((await head.inject({ url: agentRoutes.inventory, headers: client })).statusCode, 200);
  });

  test('drain marks a host draining and heartbeats keep it so; forget removes it, and its next heartbeat gets 404', async () => {
    const events: AgentEvent[] = [];
    const unsubscribe = cluster.subscribe((event) => events.push(event));
    try {
      const w2 = { ...registration, hostId: 'w2', hostname: 'w2.lab', inventory: testInventory('w2') };
      assert.equal((await head.inject({ method: 'POST', url: agentRoutes.register, headers: clusterAuth, payload: w2 })).statusCode, 200);
      const stateOf = async (hostId: string) =>
        (await head.inject({ url: agentRoutes.hosts, headers: client })).json<HostsReply>().hosts.find((h) => h.hostId === hostId)?.state;
      const drainUrl = agentRoutes.hostDrain.replace(':hostId', 'w2');

      const drained = await head.inject({ method: 'POST', url: drainUrl, headers: client });
      assert.equal(drained.statusCode, 200, drained.body);
      assert.equal(drained.json<DrainReply>().host.state, 'draining');
      assert.equal(drained.json<DrainReply>().host.hostId, 'w2');
      assert.ok(events.some((e) => e.type === 'host.state' && e.host.hostId === 'w2' && e.host.state === 'draining'), 'the change is published');
      const beat = await head.inject({ method: 'POST', url: agentRoutes.heartbeat, headers: clusterAuth, payload: { hostId: 'w2', sample: sample(50) } });
      assert.deepEqual(beat.json(), { known: true });
      assert.equal(await stateOf('w2'), 'draining');
      // Registering again (the agent restarted) does not undo a drain, and draining twice is fine.
      assert.equal((await head.inject({ method: 'POST', url: agentRoutes.register, headers: clusterAuth, payload: w2 })).statusCode, 200);
      assert.equal((await head.inject({ method: 'POST', url: drainUrl, headers: client })).json<DrainReply>().host.state, 'draining');
      assert.equal(await stateOf('w2'), 'draining');
      assert.equal(await stateOf('w1'), 'healthy', 'other hosts are untouched');

      const forgotten = await head.inject({ method: 'DELETE', url: agentRoutes.host.replace(':hostId', 'w2'), headers: client });
      assert.equal(forgotten.statusCode, 200, forgotten.body);
      assert.deepEqual(forgotten.json(), { hostId: 'w2' });
      assert.equal(await stateOf('w2'), undefined);
      assert.ok(events.some((e) => e.type === 'host.removed' && e.hostId === 'w2'));
      const after = await head.inject({ method: 'POST', url: agentRoutes.heartbeat, headers: clusterAuth, payload: { hostId: 'w2', sample: sample(51) } });
      assert.equal(assertWireError(after, 404, 'HOST_NOT_FOUND')['known'], false);
      assertWireError(await head.inject({ url: agentRoutes.hostMetrics.replace(':hostId', 'w2'), headers: client }), 404, 'HOST_NOT_FOUND');
      // Registering again brings it back, no longer draining.
      assert.equal((await head.inject({ method: 'POST', url: agentRoutes.register, headers: clusterAuth, payload: w2 })).statusCode, 200);
      assert.equal(await stateOf('w2'), 'healthy');
      await head.inject({ method: 'DELETE', url: agentRoutes.host.replace(':hostId', 'w2'), headers: client });
    } finally {
      unsubscribe();
    }
  });

  test('drain and forget of an unknown host are HOST_NOT_FOUND', async () => {
    assertWireError(await head.inject({ method: 'POST', url: agentRoutes.hostDrain.replace(':hostId', 'ghost'), headers: client }), 404, 'HOST_NOT_FOUND');
    assertWireError(await head.inject({ method: 'DELETE', url: agentRoutes.host.replace(':hostId', 'ghost'), headers: client }), 404, 'HOST_NOT_FOUND');
  });

  test('route sets: the cluster set serves only cluster-token routes, the client set no worker routes', async (t) => {
    const clusterSide = buildAgentServer(deps({ cluster, projects }), { routes: 'cluster' });
    const clientSide = buildAgentServer(deps({ cluster, projects }), { routes: 'client' });
    t.after(() => Promise.all([clusterSide.close(), clientSide.close()]));

    assert.equal((await clusterSide.inject({ method: 'POST', url: agentRoutes.register, headers: clusterAuth, payload: registration })).statusCode, 200);
    const beat = await clusterSide.inject({ method: 'POST', url: agentRoutes.heartbeat, headers: clusterAuth, payload: { hostId: 'w1', sample: sample(60) } });
    assert.deepEqual(beat.json(), { known: true });
    assert.equal((await clusterSide.inject({ url: agentRoutes.hello, headers: clusterAuth })).statusCode, 200);
    // The client token opens nothing here, not even hello; client routes do not exist.
    assertWireError(await clusterSide.inject({ url: agentRoutes.hello, headers: client }), 401, 'UNAUTHORIZED');
    for (const name of ['inventory', 'metrics', 'hosts', 'hostMetrics', 'hostDrain', 'host', 'events'] as const) {
      const request = { method: methods[name], url: urlOf(name) };
      assertWireError(await clusterSide.inject({ ...request, headers: client }), 401, 'UNAUTHORIZED');
      assertWireError(await clusterSide.inject({ ...request, headers: clusterAuth }), 404, 'NOT_FOUND');
    }

    assert.equal((await clientSide.inject({ url: agentRoutes.hosts, headers: client })).statusCode, 200);
    assert.equal((await clientSide.inject({ url: agentRoutes.hello, headers: client })).statusCode, 200);
    for (const name of ['register', 'heartbeat'] as const) {
      const response = await clientSide.inject({ method: 'POST', url: urlOf(name), headers: clusterAuth, payload: registration });
      assertWireError(response, 404, 'NOT_FOUND');
    }
  });
});
