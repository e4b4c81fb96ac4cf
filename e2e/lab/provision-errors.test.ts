/**
 * What a user sees when a host cannot join: a wrong key, a wrong password, a host that is
 * not there, a host without enough disk. Each is a clear message with the fix, and no
 * cluster is left half-formed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { runHopsdesk } from '../fixtures/cli.ts';
import { createLab, labSupport, type Lab } from './lab.ts';

const support = await labSupport();
const skip = support.ok ? false : `skipped: ${support.reason}`;

let lab: Lab;
let workspace: string;
let strayKey: string;
const hopsdesk = (args: string[], stdin?: string) =>
  stdin === undefined
    ? runHopsdesk([...args, '--workspace', workspace], {}, 120_000)
    : runWithStdin([...args, '--workspace', workspace], stdin);

before(async () => {
  if (!support.ok) return;
  workspace = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-provision-errors-'));
  lab = await createLab([{ name: 'pw', password: 'correct horse battery' }, { name: 'tiny', diskBytes: 64 * 2 ** 20 }]);
  strayKey = path.join(workspace, 'stray_key');
  await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', strayKey]);
});
after(async () => {
  if (!support.ok) return;
  await lab?.teardown();
  await rm(workspace, { recursive: true, force: true });
});

const create = (head: string, ...flags: string[]) => ['cluster', 'create', 'broken', '--head', head, '--trust-new', ...flags];

test('a key the host does not accept: refused, with what to check', { skip }, async () => {
  const host = lab.host('tiny');
  const result = await hopsdesk(create(`${host.user}@${host.address}`, '--key', strayKey));
  assert.equal(result.code, 1);
  assert.match(result.stderr, /refused the key/);
  assert.match(result.stderr, /authorized_keys/);
});

test('a password: a wrong one is refused, the right one logs in (used once, never stored)', { skip }, async () => {
  const host = lab.host('pw');
  const doctor = ['host', 'doctor', `${host.user}@${host.address}`, '--trust-new', '--ask-password', '--key', strayKey];
  const wrong = await hopsdesk(doctor, 'not the password\n');
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /refused the password/);
  const right = await hopsdesk(doctor, 'correct horse battery\n');
  assert.match(right.stdout, /ready for the agent|not ready/, right.stderr);
  assert.equal(right.stdout.includes('correct horse'), false);
});

test('a host that is not there: unreachable, with the address named', { skip }, async () => {
  // An address on the lab's subnet that no host has.
  const address = lab.host('pw').address.replace(/\.\d+$/, '.250');
  const result = await hopsdesk(create(`nobody@${address}`, '--key', lab.clientKeyFile));
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`Cannot reach ${address.replaceAll('.', '\\.')}:22`));
  assert.match(result.stderr, /sshd runs on the host/);
});

test('a host without enough free disk: the doctor says how much is free and what to do; nothing is installed', { skip }, async () => {
  const host = lab.host('tiny');
  const result = await hopsdesk(create(`${host.user}@${host.address}`, '--key', lab.clientKeyFile));
  assert.equal(result.code, 1);
  assert.match(result.stderr, /not ready for the agent: .*disk/i);
  assert.match(result.stderr, /free/i);
  assert.notEqual((await host.run('test -e ~/.hopsdesk/agent')).code, 0, 'nothing was uploaded');
  const list = JSON.parse((await hopsdesk(['cluster', 'list', '--json'])).stdout) as { clusters: Array<{ name: string }> };
  assert.equal(list.clusters.some((c) => c.name === 'broken'), false, 'no cluster is left half-formed');
});

test('a failed creation can be tried again, and a host that already has the agent is not sent it twice', { skip }, async () => {
  const good = lab.host('pw');
  const tiny = lab.host('tiny');
  const first = await hopsdesk(['cluster', 'create', 'retry', '--head', `${good.user}@${good.address}`, '--worker', `${tiny.user}@${tiny.address}`, '--trust-new', '--key', lab.clientKeyFile]);
  assert.equal(first.code, 1);
  assert.match(first.stderr, /No cluster was formed: .*not ready/);
  assert.deepEqual((await good.processes()).filter((p) => p.includes('hopsdesk')), [], 'nothing was started');

  const again = await hopsdesk(['cluster', 'create', 'retry', '--head', `${good.user}@${good.address}`, '--key', lab.clientKeyFile]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /already there, not sent again/);
  const removed = await hopsdesk(['cluster', 'uninstall', 'retry', '--yes', '--key', lab.clientKeyFile]);
  assert.equal(removed.code, 0, removed.stderr);
});

async function runWithStdin(args: string[], stdin: string) {
  const { spawn } = await import('node:child_process');
  const { repoRoot } = await import('../fixtures/app.ts');
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'hopsdesk.cjs'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(stdin);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
