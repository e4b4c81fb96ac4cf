/**
 * The lab in a box itself: declared GPUs visible over SSH, a hidden subnet reachable only
 * through the bastion, password logins, a disk that really fills, processes that can be
 * listed and killed, and a teardown that leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { Client, type ConnectConfig } from 'ssh2';
import { createLab, labSupport, sweepAbandonedLabs, type Lab, type LabHost } from './lab.ts';

const support = await labSupport();
const skip = support.ok ? false : `skipped: ${support.reason}`;
if (!support.ok) console.log(`# lab in a box ${skip}`);

const sh = promisify(execFile);
const gpus = [
  { name: 'NVIDIA GeForce RTX 4090', memoryTotalMiB: 24564, memoryUsedMiB: 1024 },
  { name: 'NVIDIA A100-SXM4-80GB', memoryTotalMiB: 81920 },
];
const password = 'correct horse battery staple';
const diskBytes = 16 * 1024 * 1024;

let lab: Lab;
let head: LabHost;
let hidden: LabHost;
let secured: LabHost;
let small: LabHost;
let privateKey: Buffer;

before(async () => {
  if (!support.ok) return;
  const started = performance.now();
  lab = await createLab([
    { name: 'head', gpus },
    { name: 'worker', behindBastion: true },
    { name: 'secured', password },
    { name: 'small', diskBytes },
  ]);
  console.log(`# lab of 4 hosts + bastion built in ${Math.round(performance.now() - started)} ms`);
  [head, hidden, secured, small] = lab.hosts as [LabHost, LabHost, LabHost, LabHost];
  privateKey = await readFile(lab.clientKeyFile);
});
after(async () => {
  if (!support.ok) return;
  await lab?.teardown();
});

test('a GPU host shows its declared cards to commands run over SSH; others have no nvidia-smi', { skip }, async () => {
  const found = await lab.ssh(head, 'command -v nvidia-smi');
  assert.equal(found.stdout.trim(), `${head.home}/bin/nvidia-smi`, found.stderr);
  const query = await lab.ssh(head, 'nvidia-smi --query-gpu=index,name,memory.total,memory.used --format=csv,noheader,nounits');
  assert.equal(query.code, 0, query.stderr);
  assert.deepEqual(query.stdout.trim().split('\n'), [
    '0, NVIDIA GeForce RTX 4090, 24564, 1024',
    '1, NVIDIA A100-SXM4-80GB, 81920, 0',
  ]);
  assert.equal((await head.run('nvidia-smi -L | wc -l')).stdout.trim(), '2', 'on PATH in a login shell too');
  assert.notEqual((await lab.ssh(secured, 'command -v nvidia-smi')).code, 0);
});

test('a host behind the bastion cannot be reached from the test process', { skip }, async () => {
  assert.equal(hidden.bastion, lab.bastion);
  const outcome = await new Promise<string>((resolve) => {
    const socket = net.connect({ host: hidden.address, port: hidden.port, timeout: 3_000 });
    socket.once('connect', () => (socket.destroy(), resolve('connected')));
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    socket.once('timeout', () => (socket.destroy(), resolve('timeout')));
  });
  assert.notEqual(outcome, 'connected');
  const rootAddresses = (await sh('ip', ['-4', '-o', 'addr', 'show'])).stdout;
  assert.ok(!rootAddresses.includes(hidden.address.replace(/\.\d+$/, '.')), 'the root namespace has no address on the hidden subnet');
});

test('a host behind the bastion is reached with OpenSSH -J', { skip }, async () => {
  // -F, not -i: OpenSSH passes the config file on to the jump, but not -i or -o.
  const bastion = lab.bastion!;
  const { stdout } = await sh('ssh', [
    '-F', lab.sshConfigFile,
    '-J', `${bastion.user}@${bastion.address}`,
    `${hidden.user}@${hidden.address}`,
    'id -un; hostname -I',
  ]);
  assert.deepEqual(stdout.trim().split(/\s+/), [hidden.user, hidden.address]);
  assert.equal((await lab.ssh(hidden, 'id -un')).stdout.trim(), hidden.user, 'the config jumps by itself');
});

test('a host behind the bastion is reached with ssh2 through a forwarded channel', { skip }, async () => {
  const bastion = lab.bastion!;
  const jump = await login({ host: bastion.address, port: bastion.port, username: bastion.user, privateKey });
  try {
    const channel = await new Promise<NodeJS.ReadWriteStream>((resolve, reject) =>
      jump.forwardOut('127.0.0.1', 0, hidden.address, hidden.port, (err, stream) => (err ? reject(err) : resolve(stream))),
    );
    const inner = await login({ sock: channel as unknown as ConnectConfig['sock'], username: hidden.user, privateKey });
    assert.equal(await exec(inner, 'id -un'), hidden.user);
    inner.end();
  } finally {
    jump.end();
  }
});

test('lab hosts and hidden hosts reach each other by plain TCP, both ways', { skip }, async () => {
  // The agents connect worker → head over TCP; sshd's banner stands in for the head's port.
  const banner = (to: LabHost) => `exec 3<>/dev/tcp/${to.address}/22 && head -c 8 <&3`;
  const toHidden = await head.run(banner(hidden));
  assert.equal(toHidden.stdout, 'SSH-2.0-', toHidden.stderr);
  const toHead = await hidden.run(banner(head));
  assert.equal(toHead.stdout, 'SSH-2.0-', toHead.stderr);
  const toSmall = await hidden.run(banner(small));
  assert.equal(toSmall.stdout, 'SSH-2.0-', toSmall.stderr);
});

test('a password host accepts its password and refuses a wrong one; others are key-only', { skip }, async () => {
  const target = { host: secured.address, port: secured.port, username: secured.user };
  const client = await login({ ...target, password });
  assert.equal(await exec(client, 'id -un'), secured.user);
  client.end();
  await assert.rejects(login({ ...target, password: 'wrong' }), /authentication methods failed/);
  await assert.rejects(login({ host: head.address, port: head.port, username: head.user, password }), /authentication methods failed/);
});

test('a small-disk host has about the requested space in its home, and it fills for real', { skip }, async () => {
  const df = await small.run('df -B1 --output=size ~ | tail -1');
  const size = Number(df.stdout.trim());
  assert.ok(Math.abs(size - diskBytes) <= 64 * 1024, `df says ${size} bytes, asked for ${diskBytes}`);
  const fill = await small.run('head -c 20M /dev/zero > ~/fill');
  assert.notEqual(fill.code, 0);
  assert.match(fill.stderr, /No space left on device/);
  await small.run('rm -f ~/fill');
});

test('run, processes and killAll see and end what was started over SSH', { skip }, async () => {
  // Started the way an agent is: detached, so it outlives the SSH session.
  await lab.ssh(head, 'setsid nohup sleep 600 >/dev/null 2>&1 < /dev/null &');
  assert.ok((await head.processes()).includes('sleep 600'));
  const run = await head.run('id -un; pwd; exit 3');
  assert.deepEqual(run.stdout.trim().split('\n'), [head.user, head.home]);
  assert.equal(run.code, 3);
  await head.killAll();
  assert.deepEqual(await head.processes(), []);
});

test('teardown leaves no namespace, user, link, mount, route or process behind', { skip }, async () => {
  const hosts = [...lab.hosts, lab.bastion!];
  // sshd starts commands in the home, so the small host's process keeps its tmpfs busy.
  for (const host of [hidden, small]) await lab.ssh(host, 'setsid nohup sleep 600 >/dev/null 2>&1 < /dev/null &');
  const uids = await Promise.all(hosts.map(async (h) => (await sh('id', ['-u', h.user])).stdout.trim()));
  assert.ok((await small.processes()).includes('sleep 600'));

  await lab.teardown();

  // Only this lab's: other labs (other test files, other sessions) may come and go meanwhile.
  assert.deepEqual(await labTraces(lab.id), { links: [], namespaces: [] });
  for (const host of hosts) {
    await assert.rejects(sh('getent', ['passwd', host.user]), `user ${host.user} is gone`);
  }
  const mounts = await readFile('/proc/mounts', 'utf8');
  for (const host of hosts) assert.ok(!mounts.includes(` ${host.home} `), `${host.home} is unmounted`);
  const routes = (await sh('ip', ['-4', 'route', 'show'])).stdout;
  assert.ok(!routes.includes(hidden.address.replace(/\.\d+$/, '.')), 'the hidden subnet route is gone');
  // Zombies are left out: this machine's init does not reap orphans, and a zombie holds nothing.
  // So are uids a lab built meanwhile has taken again (useradd reuses the highest free one).
  const free = await Promise.all(uids.map((uid) => sh('getent', ['passwd', uid]).then(() => false, () => true)));
  const { stdout } = await sh('ps', ['-e', '-o', 'uid=,stat=,args=']);
  const left = stdout.split('\n').filter((line) => {
    const [uid, stat] = line.trim().split(/\s+/);
    return uids.some((u, i) => u === uid && free[i]) && !stat!.startsWith('Z');
  });
  assert.deepEqual(left, []);
});

test('a lab whose process was killed is swept away by the next one', { skip }, async () => {
  // A test killed on a timeout never runs its teardown; the lab must not outlive it for good.
  const script = `
    import { createLab } from ${JSON.stringify(new URL('./lab.ts', import.meta.url).href)};
    const lab = await createLab([{ name: 'orphan', diskBytes: 8 << 20 }, { name: 'hidden', behindBastion: true }]);
    await lab.ssh(lab.hosts[0], 'setsid nohup sleep 600 >/dev/null 2>&1 < /dev/null &');
    console.log(JSON.stringify([...lab.hosts, lab.bastion].map((h) => ({ user: h.user, namespace: h.namespace, home: h.home }))));
    process.kill(process.pid, 'SIGKILL');`;
  const child = await new Promise<{ stdout: string; signal: string | null }>((resolve, reject) => {
    const proc = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    proc.stdout.on('data', (chunk) => (stdout += chunk));
    proc.once('error', reject);
    proc.once('exit', (_code, signal) => resolve({ stdout, signal }));
  });
  assert.equal(child.signal, 'SIGKILL');
  const orphans = JSON.parse(child.stdout) as Array<{ user: string; namespace: string; home: string }>;
  assert.equal(orphans.length, 3);
  // No check that the dead lab is still there: a lab built meanwhile (another test file)
  // may already have swept it, which is as good.
  await sweepAbandonedLabs();

  const namespaces = (await sh('ip', ['netns', 'list'])).stdout;
  const mounts = await readFile('/proc/mounts', 'utf8');
  for (const orphan of orphans) {
    assert.ok(!namespaces.includes(orphan.namespace), `${orphan.namespace} is gone`);
    await assert.rejects(sh('getent', ['passwd', orphan.user]), `user ${orphan.user} is gone`);
    assert.ok(!mounts.includes(` ${orphan.home} `), `${orphan.home} is unmounted`);
  }
  assert.deepEqual(await labTraces(orphans[0]!.namespace.slice(2, 6)), { links: [], namespaces: [] });
});

/** Links and namespaces on this machine named after a lab's id. */
async function labTraces(id: string): Promise<{ links: string[]; namespaces: string[] }> {
  const links = (await sh('ip', ['-o', 'link', 'show'])).stdout
    .split('\n')
    .map((line) => line.split(':')[1]?.trim().split('@')[0] ?? '')
    .filter((name) => new RegExp(`^hd[a-z]${id}`).test(name));
  const namespaces = (await sh('ip', ['netns', 'list'])).stdout
    .split('\n')
    .map((line) => line.split(' ')[0]!)
    .filter((name) => name.startsWith(`hd${id}-`));
  return { links, namespaces };
}

function login(config: ConnectConfig): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('ready', () => resolve(client));
    client.once('error', reject);
    client.connect({ readyTimeout: 5_000, ...config });
  });
}

function exec(client: Client, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      let out = '';
      stream.on('data', (chunk: Buffer) => (out += chunk));
      stream.stderr.resume();
      stream.once('close', () => resolve(out.trim()));
    });
  });
}
