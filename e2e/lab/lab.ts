/**
 * The lab in a box: real hosts on one machine. Each host is a network namespace on a
 * bridge of its own test subnet (10.77.N.0/24), with its own unix user (so its own home and
 * `~/.hopsdesk`) and a real OpenSSH server. Faults are real too: a host's link can be cut
 * and its host key regenerated. Everything is torn down by the ids this harness created.
 * Needs root (CI runs as root); `labSupport()` says plainly why it cannot run elsewhere.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sshd = '/usr/sbin/sshd';

export interface LabHost {
  name: string;
  /** The host's address on the lab subnet, reachable from the test process. */
  address: string;
  port: number;
  user: string;
  home: string;
  namespace: string;
  /** Cuts the host's link (its veth goes down), as a pulled cable would. */
  cutLink(): Promise<void>;
  restoreLink(): Promise<void>;
  /** Gives the host a new SSH host key, as a reinstalled or impersonated host would have. */
  regenerateHostKey(): Promise<void>;
}

export interface Lab {
  hosts: LabHost[];
  /** The private key (OpenSSH format) every host's user accepts. */
  clientKeyFile: string;
  teardown(): Promise<void>;
}

/** Whether this machine can build a lab: root, network namespaces and an sshd. */
export async function labSupport(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (process.platform !== 'linux') return { ok: false, reason: 'the lab in a box needs Linux network namespaces' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'the lab in a box needs root (network namespaces, users); CI runs it as root' };
  if (!existsSync(sshd)) return { ok: false, reason: `${sshd} is missing: run \`npm run test:deps\`` };
  const probe = `hdprobe${randomBytes(3).toString('hex')}`;
  try {
    await run('ip', ['netns', 'add', probe]);
    await run('ip', ['netns', 'del', probe]);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `network namespaces are not allowed here (${(err as Error).message.split('\n')[0]})` };
  }
}

/** Builds one host per name; resolves once every sshd accepts connections. */
export async function createLab(names: string[]): Promise<Lab> {
  const id = randomBytes(2).toString('hex');
  const subnet = 10 + (parseInt(id, 16) % 240);
  const dir = await mkdtemp(path.join(os.tmpdir(), `hopsdesk-lab-${id}-`));
  const bridge = `hdb${id}`;
  const undo: Array<() => Promise<unknown>> = [];
  const teardown = async () => {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hopsdesk-lab', '-f', path.join(dir, 'client_key')]);
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    await run('ip', ['link', 'add', bridge, 'type', 'bridge']);
    undo.push(() => run('ip', ['link', 'del', bridge]));
    await run('ip', ['addr', 'add', `10.77.${subnet}.1/24`, 'dev', bridge]);
    await run('ip', ['link', 'set', bridge, 'up']);
    const hosts: LabHost[] = [];
    for (const [i, name] of names.entries()) {
      hosts.push(await createHost({ id, index: i, name, subnet, bridge, dir, undo }));
    }
    return { hosts, clientKeyFile: path.join(dir, 'client_key'), teardown };
  } catch (err) {
    await teardown();
    throw err;
  }
}

interface HostPlan {
  id: string;
  index: number;
  name: string;
  subnet: number;
  bridge: string;
  dir: string;
  undo: Array<() => Promise<unknown>>;
}

async function createHost(plan: HostPlan): Promise<LabHost> {
  const { id, index, name, subnet, bridge, dir, undo } = plan;
  const namespace = `hd${id}-${name}`;
  const outside = `hdv${id}${index}`;
  const inside = `hdp${id}${index}`;
  const address = `10.77.${subnet}.${10 + index}`;
  const user = `hd${id}${name}`.slice(0, 32);
  const home = `/home/${user}`;

  await run('ip', ['netns', 'add', namespace]);
  undo.push(() => run('ip', ['netns', 'del', namespace]));
  await run('ip', ['link', 'add', outside, 'type', 'veth', 'peer', 'name', inside]);
  undo.push(() => run('ip', ['link', 'del', outside]));
  await run('ip', ['link', 'set', inside, 'netns', namespace]);
  await run('ip', ['link', 'set', outside, 'master', bridge, 'up']);
  const inNs = (...args: string[]) => run('ip', ['netns', 'exec', namespace, ...args]);
  await inNs('ip', 'link', 'set', 'lo', 'up');
  await inNs('ip', 'addr', 'add', `${address}/24`, 'dev', inside);
  await inNs('ip', 'link', 'set', inside, 'up');
  await inNs('ip', 'route', 'add', 'default', 'via', `10.77.${subnet}.1`);

  await run('useradd', ['--create-home', '--home-dir', home, '--shell', '/bin/bash', user]);
  undo.push(() => run('userdel', ['--remove', '--force', user]));
  // A locked password ('!') makes sshd refuse even key logins; '*' means "no password".
  await run('usermod', ['-p', '*', user]);
  const sshDir = path.join(home, '.ssh');
  await mkdir(sshDir, { mode: 0o700 });
  await writeFile(path.join(sshDir, 'authorized_keys'), await readFile(path.join(dir, 'client_key.pub')), { mode: 0o600 });
  await run('chown', ['-R', `${user}:${user}`, sshDir]);

  const hostKey = path.join(dir, `${name}_host_key`);
  const newHostKey = async () => {
    await rm(hostKey, { force: true });
    await rm(`${hostKey}.pub`, { force: true });
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    await chmod(hostKey, 0o600);
  };
  await newHostKey();

  let server: ChildProcess | undefined;
  const stopServer = async () => {
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  };
  const startServer = async () => {
    server = spawn(
      'ip',
      [
        'netns', 'exec', namespace, sshd, '-D', '-e', '-f', '/dev/null',
        '-o', `ListenAddress=${address}:22`,
        '-o', `HostKey=${hostKey}`,
        '-o', `PidFile=${path.join(dir, `${name}.pid`)}`,
        '-o', 'PasswordAuthentication=no',
        '-o', 'KbdInteractiveAuthentication=no',
        '-o', 'UsePAM=no',
        '-o', 'Subsystem=sftp internal-sftp',
      ],
      { stdio: 'ignore' },
    );
    await waitForPort(address, 22);
  };
  await startServer();
  undo.push(stopServer);

  return {
    name,
    address,
    port: 22,
    user,
    home,
    namespace,
    cutLink: async () => void (await run('ip', ['link', 'set', outside, 'down'])),
    restoreLink: async () => void (await run('ip', ['link', 'set', outside, 'up'])),
    regenerateHostKey: async () => {
      await stopServer();
      await newHostKey();
      await startServer();
    },
  };
}

/** Waits until a TCP connection succeeds; bounded, so a broken sshd fails the test clearly. */
async function waitForPort(host: string, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host, port, timeout: 500 });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`sshd on ${host}:${port} did not accept connections within ${timeoutMs} ms`);
}
