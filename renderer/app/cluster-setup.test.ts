import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DoctorReport, HostKeyScan } from '../../protocol/cluster-setup.ts';
import { HopsError } from '../../protocol/errors.ts';
import { createAppStore } from '../store/app-state.ts';
import { doctorVerdict, keysVerdict } from '../store/wizard-slice.ts';
import { fakeHops, flush } from '../testing/fake-hops.ts';
import { createClusterSetup } from './cluster-setup.ts';

const fingerprint = (c: string) => `SHA256:${c.repeat(43)}`;

function setup(scans: Record<string, Partial<HostKeyScan>>, reports: Record<string, Partial<DoctorReport>> = {}) {
  const hops = fakeHops();
  hops.answer('host.scanKey', (params) => {
    const { target } = params as { target: string };
    return { target, keyType: 'ssh-ed25519', fingerprint: fingerprint('A'), status: 'new', ...scans[target] };
  });
  hops.answer('host.doctor', (params) => {
    const { target } = params as { target: string };
    return { target, checks: [{ id: 'os', title: 'OS', status: 'ok', detail: 'Debian 13' }], ready: true, ...reports[target] };
  });
  hops.answer('cluster.create', (params) => ({
    cluster: { name: (params as { name: string }).name, kind: 'ssh', active: false, createdAtMs: 1, connection: { state: 'connected', detail: '', sinceMs: 1 } },
    hosts: [],
  }));
  hops.answer('cluster.list', () => ({ clusters: [] }));
  const store = createAppStore();
  const used: string[] = [];
  const wizard = createClusterSetup({
    hops: hops.api,
    store,
    useCluster: async (name) => void used.push(name),
    refreshClusters: async () => undefined,
  });
  store.getState().openWizard();
  store.getState().wizardEdited((d) => ({
    ...d,
    name: 'lab',
    head: { ...d.head, target: 'ubuntu@head', labels: ['infiniband'] },
    workers: [{ id: 1, target: 'ubuntu@gpu-1', labels: [] }],
    jump: 'ops@bastion',
    password: 'pw',
  }));
  return { hops, store, wizard, used, w: () => store.getState().wizard! };
}

describe('new-cluster wizard', () => {
  it('stays on the hosts step and shows problems when the draft is wrong', () => {
    const { store, wizard, hops, w } = setup({});
    store.getState().wizardEdited((d) => ({ ...d, name: '' }));
    wizard.submitHosts();
    assert.equal(w().step, 'hosts');
    assert.equal(w().showErrors, true);
    assert.equal(hops.calls.length, 0);
  });

  it('scans every host through the bastion, and the bastion directly', async () => {
    const { wizard, hops, w } = setup({});
    wizard.submitHosts();
    await flush();
    assert.equal(w().step, 'keys');
    assert.deepEqual(
      hops.calls.filter((c) => c.method === 'host.scanKey').map((c) => c.params),
      [{ target: 'ubuntu@head', jump: 'ops@bastion' }, { target: 'ubuntu@gpu-1', jump: 'ops@bastion' }, { target: 'ops@bastion' }],
    );
  });

  it('goes on only when every new key is confirmed, and not past a changed key', async () => {
    const { store, wizard, w } = setup({ 'ops@bastion': { status: 'trusted', fingerprint: fingerprint('B') } });
    wizard.submitHosts();
    await flush();
    assert.equal(keysVerdict(w()).ready, false);
    wizard.submitKeys();
    assert.equal(w().step, 'keys');
    store.getState().keyConfirmed('ubuntu@head', fingerprint('A'));
    store.getState().keyConfirmed('ubuntu@gpu-1', fingerprint('A'));
    assert.deepEqual(keysVerdict(w()), { ready: true, changed: false, acceptHostKeys: [fingerprint('A')] });

    const changed = setup({ 'ubuntu@gpu-1': { status: 'changed', previousFingerprint: fingerprint('C') } });
    changed.wizard.submitHosts();
    await flush();
    changed.store.getState().keyConfirmed('ubuntu@head', fingerprint('A'));
    changed.store.getState().keyConfirmed('ubuntu@gpu-1', fingerprint('A'));
    assert.deepEqual([keysVerdict(changed.w()).ready, keysVerdict(changed.w()).changed], [false, true]);
  });

  it('drops a confirmation when a rescan finds another key', async () => {
    const { store, wizard, w, hops } = setup({});
    wizard.submitHosts();
    await flush();
    store.getState().keyConfirmed('ubuntu@head', fingerprint('A'));
    hops.answer('host.scanKey', (params) => ({ target: (params as { target: string }).target, keyType: 'ssh-ed25519', fingerprint: fingerprint('Z'), status: 'new' }));
    await wizard.scanKeys();
    assert.equal(w().confirmed['ubuntu@head'], undefined);
  });

  it('runs the doctor on the hosts with the confirmed keys and blocks on a failed check', async () => {
    const { store, wizard, hops, w } = setup(
      { 'ops@bastion': { status: 'trusted' } },
      { 'ubuntu@gpu-1': { ready: false, checks: [{ id: 'glibc', title: 'glibc', status: 'fail', detail: '2.17', fix: 'Use a newer OS.' }] } },
    );
    wizard.submitHosts();
    await flush();
    store.getState().keyConfirmed('ubuntu@head', fingerprint('A'));
    store.getState().keyConfirmed('ubuntu@gpu-1', fingerprint('A'));
    wizard.submitKeys();
    await flush();
    assert.equal(w().step, 'doctor');
    const doctorCalls = hops.calls.filter((c) => c.method === 'host.doctor').map((c) => c.params);
    assert.deepEqual(doctorCalls[0], { target: 'ubuntu@head', password: 'pw', jump: 'ops@bastion', acceptHostKeys: [fingerprint('A')] });
    assert.deepEqual(doctorVerdict(w()), { ready: false, running: false, failing: 1 });
    wizard.submitDoctor();
    assert.equal(w().step, 'doctor');
  });

  it('installs with the confirmed keys, then opens the new cluster and forgets the draft', async () => {
    const { store, wizard, hops, w, used } = setup({ 'ops@bastion': { status: 'trusted' } });
    wizard.submitHosts();
    await flush();
    store.getState().keyConfirmed('ubuntu@head', fingerprint('A'));
    store.getState().keyConfirmed('ubuntu@gpu-1', fingerprint('A'));
    wizard.submitKeys();
    await flush();
    wizard.submitDoctor();
    await flush();
    assert.equal(w().install.state, 'done');
    assert.deepEqual(hops.calls.find((c) => c.method === 'cluster.create')?.params, {
      name: 'lab',
      head: { target: 'ubuntu@head', labels: ['infiniband'] },
      workers: [{ target: 'ubuntu@gpu-1' }],
      password: 'pw',
      jump: 'ops@bastion',
      acceptHostKeys: [fingerprint('A')],
    });
    await wizard.openCluster();
    assert.deepEqual(used, ['lab']);
    assert.equal(store.getState().wizard, null);
  });

  it('shows why the install failed and lets it be tried again', async () => {
    const { store, wizard, hops, w } = setup({ 'ops@bastion': { status: 'trusted' } });
    hops.answer('cluster.create', () => {
      throw new HopsError('SSH_AUTH_FAILED', 'ubuntu@gpu-1 refused the key.');
    });
    wizard.submitHosts();
    await flush();
    store.getState().keyConfirmed('ubuntu@head', fingerprint('A'));
    store.getState().keyConfirmed('ubuntu@gpu-1', fingerprint('A'));
    wizard.submitKeys();
    await flush();
    wizard.submitDoctor();
    await flush();
    const install = w().install;
    assert.equal(install.state, 'failed');
    assert.equal(install.state === 'failed' && install.problem.code, 'SSH_AUTH_FAILED');
    assert.match(store.getState().notices.at(-1)?.message ?? '', /refused the key/);
  });
});

describe('new-cluster wizard and a second one', () => {
  it('keeps a hidden wizard’s install out of the next wizard', async () => {
    const { store, wizard, hops, w } = setup({ 'ops@bastion': { status: 'trusted' } });
    let finish: (value: unknown) => void = () => undefined;
    hops.answer('cluster.create', () => new Promise((resolve) => (finish = resolve)));
    wizard.submitHosts();
    await flush();
    store.getState().keyConfirmed('ubuntu@head', fingerprint('A'));
    store.getState().keyConfirmed('ubuntu@gpu-1', fingerprint('A'));
    wizard.submitKeys();
    await flush();
    wizard.submitDoctor();
    await flush();
    store.getState().closeWizard();
    store.getState().openWizard();
    finish({ cluster: { name: 'lab', kind: 'ssh', active: false, createdAtMs: 1, connection: { state: 'connected', detail: '', sinceMs: 1 } }, hosts: [] });
    await flush();
    assert.equal(w().install.state, 'idle');
    assert.match(store.getState().notices.at(-1)?.message ?? '', /Cluster lab is ready/);
  });
});
