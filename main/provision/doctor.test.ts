import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assessProbe, parseProbe, requirements, type Probe } from './doctor.ts';

const healthy: Probe = {
  os: 'Linux',
  arch: 'x86_64',
  glibc: 'glibc 2.36',
  home_free_kb: String(50 * 2 ** 20),
  mem_kb: String(64 * 2 ** 20),
  now_ms: '1000000',
  nvidia_driver: '550.54.15',
  cuda: '12.4',
  python3: 'Python 3.11.2',
  systemd_user: 'running',
  linger: 'yes',
  user: 'ana',
};
const check = (probe: Probe, id: string, now = 1_000_000, rtt = 10) =>
  assessProbe('ana@gpu-a', probe, now, rtt).checks.find((c) => c.id === id)!;

test('the probe output parses line by line, values may contain "="', () => {
  assert.deepEqual(parseProbe('os=Linux\npython3=Python 3.11\nweird=a=b\n\nnoise'), { os: 'Linux', python3: 'Python 3.11', weird: 'a=b' });
});

test('a healthy GPU host passes every check', () => {
  const report = assessProbe('ana@gpu-a', healthy, 1_000_000, 10);
  assert.equal(report.ready, true);
  assert.deepEqual(report.checks.filter((c) => c.status !== 'ok'), []);
  assert.equal(check(healthy, 'gpu').detail, 'driver 550.54.15, CUDA 12.4');
});

test('too little disk fails with the fix; a little warns', () => {
  const full = check({ ...healthy, home_free_kb: String((requirements.failDiskBytes / 1024) - 1) }, 'disk');
  assert.equal(full.status, 'fail');
  assert.match(full.fix!, /Free at least/);
  assert.equal(assessProbe('x', { ...healthy, home_free_kb: '100' }, 1_000_000, 10).ready, false);
  assert.equal(check({ ...healthy, home_free_kb: String(2 ** 20) }, 'disk').status, 'warn');
});

test('old glibc, musl, other systems and architectures fail with what is needed', () => {
  assert.equal(check({ ...healthy, glibc: 'glibc 2.17' }, 'glibc').status, 'fail');
  assert.match(check({ ...healthy, glibc: 'glibc 2.17' }, 'glibc').fix!, /2\.28/);
  assert.equal(check({ ...healthy, glibc: 'glibc 3.0' }, 'glibc').status, 'ok');
  assert.equal(check({ ...healthy, glibc: '' }, 'glibc').status, 'fail');
  assert.equal(check({ ...healthy, os: 'Darwin' }, 'os').status, 'fail');
  assert.equal(check({ ...healthy, arch: 'ppc64le' }, 'arch').status, 'fail');
  assert.equal(check({ ...healthy, arch: 'aarch64' }, 'arch').detail, 'aarch64 (arm64)');
});

test('clock skew beyond the round trip warns, then fails', () => {
  assert.equal(check(healthy, 'clock', 1_000_000 + 1_500, 1_000).status, 'ok', 'within half the round trip and the margin');
  assert.equal(check(healthy, 'clock', 1_000_000 + 5_000).status, 'warn');
  assert.equal(check(healthy, 'clock', 1_000_000 - 60_000).status, 'fail');
  assert.match(check(healthy, 'clock', 1_000_000 - 60_000).fix!, /timedatectl/);
});

test('no GPU driver, no python and no linger are warnings with their fixes, not failures', () => {
  const probe = { ...healthy, nvidia_driver: '', cuda: '', python3: '', linger: 'no' };
  const report = assessProbe('x', probe, 1_000_000, 10);
  assert.equal(report.ready, true);
  assert.deepEqual(report.checks.filter((c) => c.status === 'warn').map((c) => c.id), ['gpu', 'python', 'service']);
  assert.match(check(probe, 'service').fix!, /loginctl enable-linger ana/);
  assert.equal(check({ ...healthy, systemd_user: '' }, 'service').status, 'warn');
});

test('missing facts are warnings that say so, never a crash', () => {
  const report = assessProbe('x', {}, 1_000_000, 10);
  assert.equal(report.ready, false, 'an unknown OS cannot take the agent');
  for (const id of ['disk', 'memory', 'clock']) assert.equal(report.checks.find((c) => c.id === id)?.detail, 'could not be read');
});
