import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { AGENT_PROTOCOL_VERSION, type AgentEvent, type RegisterRequest } from '../../protocol/agent-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { MetricsSample } from '../../protocol/host.ts';
import { memoryLog, tempDir, testInventory } from '../testing/helpers.ts';
import { ClusterDb } from './cluster-db.ts';
import { Cluster } from './cluster.ts';

const inventory = (hostId: string) => testInventory(hostId, { cpu: { model: 'EPYC', cores: 64 }, memory: { totalBytes: 512 * 2 ** 30 } });

const registration = (hostId: string, overrides: Partial<RegisterRequest> = {}): RegisterRequest => ({
  hostId,
  hostname: `${hostId}.lab`,
  address: '10.77.0.2:7070',
  roles: ['worker'],
  agentVersion: '0.1.0',
  protocolVersion: AGENT_PROTOCOL_VERSION,
  inventory: inventory(hostId),
  ...overrides,
});

const sample = (atMs: number): MetricsSample => ({ atMs, cpuPct: 10, memUsedBytes: 1, memTotalBytes: 2, gpus: [] });

describe('the head cluster registry', () => {
  const settings = { heartbeatIntervalMs: 100, unreachableAfterMs: 300, metricsRetention: 5 };
  let dir: string;
  let remove: () => Promise<void>;
  let db: ClusterDb;
  let nowMs: number;
  let cluster: Cluster;
  let events: AgentEvent[];
  const file = () => path.join(dir, 'cluster.db');
  const open = () => {
    db = ClusterDb.open(file());
    cluster = new Cluster(db, settings, memoryLog(), () => nowMs);
    cluster.subscribe((event) => events.push(event));
  };

  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
    nowMs = 1_000_000;
    events = [];
    open();
  });
  afterEach(async () => {
    cluster.stop();
    db.close();
    await remove();
  });

  test('a registered host is healthy and announced', () => {
    assert.deepEqual(cluster.register(registration('w1')), { heartbeatIntervalMs: 100 });
    const [host] = cluster.hosts();
    assert.equal(host?.state, 'healthy');
    assert.equal(host?.latest, null);
    assert.deepEqual(events.map((e) => e.type), ['host.state']);
  });

  test('refuses another protocol version', () => {
    assert.throws(
      () => cluster.register(registration('w1', { protocolVersion: AGENT_PROTOCOL_VERSION + 1 })),
      (err: unknown) => err instanceof HopsError && err.code === 'AGENT_VERSION_MISMATCH' && /protocol/.test(err.message),
    );
    assert.deepEqual(cluster.hosts(), []);
  });

  test('heartbeats keep a host healthy; silence makes it unreachable; a heartbeat brings it back', () => {
    cluster.register(registration('w1'));
    assert.equal(cluster.heartbeat({ hostId: 'w1', sample: sample(1) }), true);
    assert.equal(cluster.hosts()[0]?.latest?.atMs, 1);
    nowMs += 301;
    assert.equal(cluster.hosts()[0]?.state, 'unreachable');
    assert.equal(cluster.heartbeat({ hostId: 'w1', sample: sample(2) }), true);
    assert.equal(cluster.hosts()[0]?.state, 'healthy');
    const states = events.filter((e) => e.type === 'host.state').map((e) => (e.type === 'host.state' ? e.host.state : ''));
    // Only the registration: the drop was never published (the health watch is not
    // running), so there is no recovery to announce either.
    assert.deepEqual(states, ['healthy']);
    assert.equal(events.filter((e) => e.type === 'host.metrics').length, 2);
  });

  test('the health watch publishes a host going silent', async () => {
    cluster.register(registration('w1'));
    cluster.start();
    nowMs += 1000;
    const event = await new Promise<AgentEvent>((resolve) => cluster.subscribe(resolve));
    assert.equal(event.type === 'host.state' && event.host.state, 'unreachable');
    cluster.heartbeat({ hostId: 'w1', sample: sample(1) });
    const last = events.at(-1);
    assert.equal(last?.type === 'host.state' && last.host.state, 'healthy', 'recovery is announced');
  });

  test('a repeated sample keeps the host alive without being stored or published twice', () => {
    cluster.register(registration('w1'));
    cluster.heartbeat({ hostId: 'w1', sample: sample(1) });
    nowMs += 250;
    cluster.heartbeat({ hostId: 'w1', sample: sample(1) });
    nowMs += 250;
    assert.equal(cluster.hosts()[0]?.state, 'healthy');
    assert.deepEqual(cluster.hostSamples('w1')?.map((s) => s.atMs), [1]);
    assert.equal(events.filter((e) => e.type === 'host.metrics').length, 1);
  });

  test('registering again keeps the first registration date', () => {
    cluster.register(registration('w1'));
    nowMs += 5000;
    cluster.register(registration('w1', { address: '10.77.0.9:7070' }));
    const [host] = cluster.hosts();
    assert.equal(host?.registeredAtMs, 1_000_000);
    assert.equal(host?.address, '10.77.0.9:7070');
    assert.equal(host?.lastHeartbeatMs, 1_005_000);
  });

  test('an unknown host must register before it heartbeats', () => {
    assert.equal(cluster.heartbeat({ hostId: 'ghost', sample: sample(1) }), false);
    assert.equal(cluster.hostSamples('ghost'), undefined);
  });

  test('keeps the newest samples up to the retention and filters by sinceMs', () => {
    cluster.register(registration('w1'));
    for (let at = 1; at <= 8; at += 1) cluster.heartbeat({ hostId: 'w1', sample: sample(at) });
    assert.deepEqual(cluster.hostSamples('w1')?.map((s) => s.atMs), [4, 5, 6, 7, 8]);
    assert.deepEqual(cluster.hostSamples('w1', 6)?.map((s) => s.atMs), [7, 8]);
  });

  test('hosts and samples survive a head restart', () => {
    cluster.register(registration('w1'));
    cluster.heartbeat({ hostId: 'w1', sample: sample(42) });
    cluster.stop();
    db.close();
    nowMs += 10_000;
    open();
    const [host] = cluster.hosts();
    assert.equal(host?.hostId, 'w1');
    assert.equal(host?.inventory.cpu.cores, 64);
    assert.equal(host?.latest?.atMs, 42);
    assert.equal(host?.state, 'unreachable', 'until it heartbeats again');
    assert.equal(cluster.heartbeat({ hostId: 'w1', sample: sample(43) }), true);
  });

  test('a drained host stays draining across heartbeats, registrations and head restarts', () => {
    cluster.register(registration('w1'));
    cluster.register(registration('w2'));
    const drained = cluster.drain('w1');
    assert.equal(drained?.state, 'draining');
    assert.equal('draining' in (drained ?? {}), false, 'the wire shape is unchanged');
    const last = events.at(-1);
    assert.equal(last?.type === 'host.state' && `${last.host.hostId} ${last.host.state}`, 'w1 draining');
    assert.equal(cluster.heartbeat({ hostId: 'w1', sample: sample(1) }), true);
    cluster.register(registration('w1'));
    assert.deepEqual(cluster.hosts().map((h) => [h.hostId, h.state]), [['w1', 'draining'], ['w2', 'healthy']]);

    // Silence is reported over draining; back, it is draining again.
    nowMs += 301;
    assert.equal(cluster.hosts()[0]?.state, 'unreachable');
    cluster.heartbeat({ hostId: 'w1', sample: sample(2) });
    assert.equal(cluster.hosts()[0]?.state, 'draining');

    cluster.stop();
    db.close();
    open();
    cluster.heartbeat({ hostId: 'w1', sample: sample(3) });
    assert.equal(cluster.hosts().find((h) => h.hostId === 'w1')?.state, 'draining', 'kept in the database');
    const before = events.length;
    assert.equal(cluster.drain('w1')?.state, 'draining');
    assert.equal(events.length, before, 'draining again publishes nothing');
    assert.equal(cluster.drain('ghost'), undefined);
  });

  test('a forgotten host is gone with its samples; its next heartbeat is refused, and it may register again', () => {
    cluster.register(registration('w1'));
    cluster.heartbeat({ hostId: 'w1', sample: sample(1) });
    cluster.drain('w1');
    assert.equal(cluster.forget('w1'), true);
    assert.deepEqual(events.at(-1), { type: 'host.removed', hostId: 'w1' });
    assert.deepEqual(cluster.hosts(), []);
    assert.equal(cluster.hostSamples('w1'), undefined);
    assert.equal(cluster.heartbeat({ hostId: 'w1', sample: sample(2) }), false);
    assert.equal(cluster.forget('w1'), false);

    cluster.register(registration('w1'));
    assert.equal(cluster.hosts()[0]?.state, 'healthy', 'a forgotten host comes back undrained');
    assert.deepEqual(cluster.hostSamples('w1'), [], 'its old samples went with it');
    cluster.stop();
    db.close();
    open();
    assert.deepEqual(cluster.hosts().map((h) => h.hostId), ['w1']);
  });

  test('a database of schema version 1 is migrated: its hosts are not draining', async () => {
    cluster.stop();
    db.close();
    const { DatabaseSync } = await import('node:sqlite');
    const old = path.join(dir, 'v1.db');
    const v1 = new DatabaseSync(old);
    v1.exec(`CREATE TABLE hosts (id TEXT PRIMARY KEY, hostname TEXT NOT NULL, address TEXT NOT NULL, roles TEXT NOT NULL,
               agent_version TEXT NOT NULL, inventory TEXT NOT NULL, registered_at INTEGER NOT NULL, last_heartbeat_at INTEGER NOT NULL) STRICT;
             CREATE TABLE heartbeats (seq INTEGER PRIMARY KEY, host_id TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
               at INTEGER NOT NULL, sample TEXT NOT NULL) STRICT;
             CREATE INDEX heartbeats_by_host ON heartbeats(host_id, seq);
             PRAGMA user_version = 1;`);
    v1.prepare('INSERT INTO hosts VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run('w1', 'w1.lab', '10.77.0.2:7070', '["worker"]', '0.1.0', JSON.stringify(inventory('w1')), 1, nowMs);
    v1.close();
    db = ClusterDb.open(old);
    cluster = new Cluster(db, settings, memoryLog(), () => nowMs);
    assert.deepEqual(cluster.hosts().map((h) => [h.hostId, h.state]), [['w1', 'healthy']]);
    assert.equal(db.hosts()[0]?.draining, false);
  });

  test('the database file is held by the head alone while open, and is WAL, intact and at the latest schema version', async () => {
    const { DatabaseSync } = await import('node:sqlite');
    const intruder = new DatabaseSync(file(), { readOnly: true, timeout: 0 });
    try {
      assert.throws(() => intruder.prepare('PRAGMA user_version').get(), /database is locked/);
    } finally {
      intruder.close();
    }
    cluster.stop();
    db.close();
    const probe = new DatabaseSync(file(), { readOnly: true });
    try {
      assert.deepEqual({ ...probe.prepare('PRAGMA journal_mode').get() }, { journal_mode: 'wal' });
      assert.deepEqual({ ...probe.prepare('PRAGMA user_version').get() }, { user_version: 7 });
      assert.deepEqual({ ...probe.prepare('PRAGMA integrity_check').get() }, { integrity_check: 'ok' });
    } finally {
      probe.close();
    }
    open();
  });
});
