import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProvisionedHost } from '../../protocol/cluster-setup.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import { gpu, host } from '../testing/hosts.ts';
import { gpuModels, hostRowsOf, hostStateOf, sortHostRows } from './host-rows.ts';
import type { ProvisionRow } from './provision-progress.ts';

const progress = (phase: string, overrides: Partial<ProvisionRow> = {}): ProvisionRow => ({
  cluster: 'lab',
  target: 'ubuntu@gpu-1',
  phase,
  detail: '',
  startedAtMs: 1,
  atMs: 1,
  ...overrides,
});

const installed = (hostId: string, overrides: Partial<ProvisionedHost> = {}): ProvisionedHost => ({
  hostId,
  target: `ubuntu@${hostId}`,
  roles: ['worker'],
  labels: [],
  agentVersion: '0.1.0',
  service: 'systemd',
  ...overrides,
});

describe('host state', () => {
  it('is provisioning while an install runs, whatever the head says', () => {
    assert.equal(hostStateOf(host('a'), progress('uploading'), '0.1.0', '0.1.0'), 'provisioning');
    assert.equal(hostStateOf(null, progress('connecting'), '0.1.0', null), 'provisioning');
  });

  it('is draining or removing while a removal runs', () => {
    assert.equal(hostStateOf(host('a'), progress('draining'), null, null), 'draining');
    assert.equal(hostStateOf(host('a'), progress('removing'), null, null), 'removing');
  });

  it('follows the head once the run is over', () => {
    assert.equal(hostStateOf(host('a'), progress('healthy'), '0.1.0', '0.1.0'), 'healthy');
    assert.equal(hostStateOf(host('a', { state: 'unreachable' }), null, '0.1.0', '0.1.0'), 'unreachable');
    assert.equal(hostStateOf(host('a'), progress('failed'), '0.1.0', '0.1.0'), 'failed');
  });

  it('reads draining and states it does not know from the head', () => {
    const draining = host('a', { state: 'draining' as ClusterHost['state'] });
    assert.equal(hostStateOf(draining, null, null, null), 'draining');
    assert.equal(hostStateOf(host('a', { state: 'quarantined' as ClusterHost['state'] }), null, null, null), 'unknown');
  });

  it('offers an upgrade when a healthy agent runs another version than the desktop', () => {
    assert.equal(hostStateOf(host('a'), null, '0.2.0', '0.1.0'), 'version-mismatch');
    assert.equal(hostStateOf(host('a'), null, null, '0.1.0'), 'healthy');
    // Unreachable is the more urgent news.
    assert.equal(hostStateOf(host('a', { state: 'unreachable' }), null, '0.2.0', '0.1.0'), 'unreachable');
  });

  it('calls an installed host the head does not list unreachable', () => {
    assert.equal(hostStateOf(null, null, '0.1.0', '0.1.0'), 'unreachable');
  });
});

describe('host rows', () => {
  it('merges the head’s hosts, installed hosts and installs under way', () => {
    const rows = hostRowsOf({
      hosts: [host('head', { roles: ['head'], agentVersion: '0.1.0' }), host('gpu-1', { agentVersion: '0.0.9' })],
      provisioned: [installed('gpu-1', { labels: ['infiniband'] }), installed('gpu-9')],
      progress: [progress('uploading', { target: 'ubuntu@gpu-new' }), progress('healthy', { target: 'ubuntu@gpu-1', hostId: 'gpu-1' })],
      appVersion: '0.1.0',
    });
    assert.deepEqual(
      rows.map((r) => [r.key, r.state, r.address]),
      [
        ['head', 'healthy', '127.0.0.1'],
        ['gpu-1', 'version-mismatch', 'ubuntu@gpu-1'],
        ['gpu-9', 'unreachable', 'ubuntu@gpu-9'],
        ['ubuntu@gpu-new', 'provisioning', 'ubuntu@gpu-new'],
      ],
    );
    assert.deepEqual(rows[1]?.labels, ['infiniband']);
    assert.equal(rows[3]?.hostId, null);
    assert.equal(rows[3]?.registered, false);
  });

  it('matches an install to its host by target before the host has an id', () => {
    const [row] = hostRowsOf({
      hosts: [],
      provisioned: [installed('gpu-1')],
      progress: [progress('installing', { target: 'ubuntu@gpu-1' })],
      appVersion: null,
    });
    assert.equal(row?.state, 'provisioning');
  });

  it('counts GPUs by model without the vendor prefix', () => {
    const h = host('g', { inventory: { ...host('g').inventory, gpus: [gpu(0), gpu(1), gpu(2, { name: 'NVIDIA T4' })] } });
    assert.deepEqual(gpuModels(h), [
      { model: 'A100-SXM4-80GB', count: 2 },
      { model: 'T4', count: 1 },
    ]);
  });

  it('sorts by state with problems first, keeping ties in order', () => {
    const rows = hostRowsOf({
      hosts: [host('a'), host('b', { state: 'unreachable' }), host('c')],
      provisioned: [],
      progress: [],
      appVersion: null,
    });
    assert.deepEqual(
      sortHostRows(rows, { key: 'state', descending: false }).map((r) => r.key),
      ['b', 'a', 'c'],
    );
    assert.deepEqual(
      sortHostRows(rows, { key: 'name', descending: true }).map((r) => r.key),
      ['c', 'b', 'a'],
    );
  });
});
