/**
 * `hopsdesk host doctor` against a real host of the lab in a box, as a user runs it: the
 * CLI as a process, the host key confirmed first, the checklist on stdout.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { DoctorReport } from '../../protocol/cluster-setup.ts';
import { runHopsdesk } from '../fixtures/cli.ts';
import { createLab, labSupport, type Lab } from './lab.ts';

const support = await labSupport();
const skip = support.ok ? false : `skipped: ${support.reason}`;

let lab: Lab;
let workspace: string;

const hopsdesk = runHopsdesk;

before(async () => {
  if (!support.ok) return;
  workspace = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-doctor-'));
  lab = await createLab(['doc']);
});
after(async () => {
  if (!support.ok) return;
  await lab?.teardown();
  await rm(workspace, { recursive: true, force: true });
});

test('the doctor refuses an unconfirmed host key, then checks the host', { skip }, async () => {
  const host = lab.hosts[0]!;
  const base = ['host', 'doctor', `${host.user}@${host.address}`, '--key', lab.clientKeyFile, '--workspace', workspace];
  const refused = await hopsdesk(base);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /offers a host key not seen before: SHA256:[A-Za-z0-9+/]{43}/);
  assert.match(refused.stderr, /--trust-new or --accept-host-key/);

  const fingerprint = /SHA256:[A-Za-z0-9+/]{43}/.exec(refused.stderr)![0];
  const result = await hopsdesk([...base, '--accept-host-key', fingerprint, '--json']);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as DoctorReport;
  assert.equal(report.ready, true);
  const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
  assert.equal(status.os, 'ok');
  assert.equal(status.arch, 'ok');
  assert.equal(status.glibc, 'ok');
  assert.equal(status.clock, 'ok', 'the lab host shares this machine’s clock');
  assert.equal(status.gpu, 'warn', 'no nvidia-smi on the lab user’s PATH: a CPU-only host');

  const text = await hopsdesk(base);
  assert.equal(text.code, 0, 'the key is now known');
  assert.match(text.stdout, /ready for the agent/);
  assert.match(text.stdout, /ok\s+Operating system\s+Linux/);
});
