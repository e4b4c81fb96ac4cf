/**
 * SSH to real hosts of the lab in a box: host keys trusted on first use, a changed key
 * refused before anything runs, and clear errors for a wrong key and an unreachable host.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openSsh, runCommand, type SshTarget } from '../../main/ssh/session.ts';
import { openWorkspace, type Workspace } from '../../main/workspace/workspace.ts';
import { createLab, labSupport, type Lab, type LabHost } from './lab.ts';

const support = await labSupport();
const skip = support.ok ? false : `skipped: ${support.reason}`;
if (!support.ok) console.log(`# lab in a box ${skip}`);

let lab: Lab;
let host: LabHost;
let workspace: Workspace;
let dir: string;
let target: SshTarget;

before(async () => {
  if (!support.ok) return;
  dir = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-ssh-'));
  workspace = openWorkspace(dir);
  lab = await createLab(['alpha']);
  host = lab.hosts[0]!;
  target = { host: host.address, port: host.port, username: host.user, privateKey: await readFile(lab.clientKeyFile) };
});
after(async () => {
  if (!support.ok) return;
  workspace?.close();
  await lab?.teardown();
  await rm(dir, { recursive: true, force: true });
});

const options = (policy = {}) => ({ knownHosts: workspace.knownHosts, policy, readyTimeoutMs: 3_000 });

test('a new host key is refused until trusted, then remembered', { skip }, async () => {
  await assert.rejects(openSsh(target, options()), (err: Error & { code: string }) => {
    assert.equal(err.code, 'HOST_KEY_UNKNOWN');
    assert.match(err.message, /SHA256:[A-Za-z0-9+/]{43}/);
    return true;
  });
  const trusted = await openSsh(target, options({ trustNew: true }));
  assert.equal((await runCommand(trusted, 'id -un')).stdout.trim(), host.user);
  trusted.end();
  const again = await openSsh(target, options());
  assert.equal((await runCommand(again, 'echo ok')).stdout.trim(), 'ok');
  again.end();
});

test('a changed host key is refused with both fingerprints, and nothing runs', { skip }, async () => {
  const before = workspace.knownHosts.get(host.address, host.port)!.fingerprint;
  await host.regenerateHostKey();
  const marker = path.join(host.home, 'hopsdesk-was-here');
  const attempt = openSsh(target, options({ trustNew: true })).then((client) => runCommand(client, `touch ${marker}`));
  await assert.rejects(attempt, (err: Error & { code: string }) => {
    assert.equal(err.code, 'HOST_KEY_CHANGED');
    assert.ok(err.message.includes(before), 'names the old fingerprint');
    assert.equal((err.message.match(/SHA256:/g) ?? []).length, 2, 'names the new one too');
    return true;
  });
  await assert.rejects(stat(marker), { code: 'ENOENT' });
  workspace.knownHosts.forget(host.address, host.port);
});

test('a wrong key is a clear authentication error', { skip }, async () => {
  const stray = path.join(dir, 'stray');
  await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stray]);
  await assert.rejects(openSsh({ ...target, privateKey: await readFile(stray) }, options({ trustNew: true })), {
    code: 'SSH_AUTH_FAILED',
  });
});

test('a host whose link is cut is reported unreachable', { skip }, async () => {
  await host.cutLink();
  try {
    await assert.rejects(openSsh(target, options({ trustNew: true })), { code: 'SSH_UNREACHABLE' });
  } finally {
    await host.restoreLink();
  }
});
