/**
 * One host of the lab on top of its namespace (wired by lab-network.ts): a unix user of its
 * own (own home, own `~/.hopsdesk`), optional declared GPUs, password and small disk, and a
 * real sshd. Each step registers the step that undoes it, so a host half built is torn down too.
 */
import { spawn, type ExecFileException } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { installFakeNvidiaSmi, type DeclaredGpu } from '../fixtures/nvidia-smi.ts';
import { sh, type Undo } from './lab-network.ts';
import { sshd } from './lab-sshd.ts';

export interface CommandResult {
  stdout: string;
  stderr: string;
  /** Exit status; 128 + signal number when a signal ended it, as shells report it. */
  code: number;
}

export interface LabHost {
  name: string;
  /**
   * The host's address: on the lab subnet (the test process reaches it), or for a host
   * behind the bastion on the hidden subnet (reached only through `bastion`).
   */
  address: string;
  port: number;
  user: string;
  home: string;
  namespace: string;
  /** The jump host, for a host behind the bastion. */
  bastion?: LabHost;
  /** Cuts the host's link (its veth goes down), as a pulled cable would. */
  cutLink(): Promise<void>;
  restoreLink(): Promise<void>;
  /** Gives the host a new SSH host key, as a reinstalled or impersonated host would have. */
  regenerateHostKey(): Promise<void>;
  /** Runs a shell command as the host's user inside its namespace (a login shell, in ~). */
  run(command: string): Promise<CommandResult>;
  /** Command lines of the user's live processes (zombies left out: they hold nothing). */
  processes(): Promise<string[]>;
  /** `kill -9` of every process of the user, as a crash or an OOM kill would; waits for them. */
  killAll(): Promise<void>;
}

export interface HostPlan {
  name: string;
  namespace: string;
  user: string;
  /** Lab-wide directory holding the client key and host keys. */
  dir: string;
  clientPublicKey: string;
  /** Where sshd listens; the first is the host's address. */
  addresses: string[];
  /** The host's veth end in the root namespace: taking it down cuts the host off. */
  outside: string;
  /** Settles once the namespaces are wired; sshd needs its addresses to listen on. */
  networkReady: Promise<unknown>;
  gpus?: DeclaredGpu[];
  password?: string;
  diskBytes?: number;
}

export interface BuiltHost {
  host: LabHost;
  teardown(): Promise<void>;
}

export async function buildHost(plan: HostPlan): Promise<BuiltHost> {
  const undo: Undo[] = [];
  const teardown = async () => {
    for (const step of undo.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    return { host: await assemble(plan, undo), teardown };
  } catch (err) {
    await teardown();
    throw err;
  }
}

async function assemble(plan: HostPlan, undo: Undo[]): Promise<LabHost> {
  const { name, namespace, user, addresses, outside } = plan;
  const home = `/home/${user}`;

  // A locked password ('!', useradd's default) makes sshd refuse even key logins; '*' means
  // "no password". A declared password replaces it below.
  await serially(() => sh('useradd', ['--create-home', '--home-dir', home, '--shell', '/bin/bash', '--password', '*', user]));
  undo.push(() => serially(() => sh('userdel', ['--remove', '--force', user])));
  if (plan.diskBytes !== undefined) undo.push(await mountSmallHome(user, home, plan.diskBytes));
  // Agents started over SSH outlive the session: kill them before the home is unmounted
  // and the user deleted (pushed after the mount, so it runs before the unmount).
  const processes = () => userProcesses(user);
  const killAll = () => killUserProcesses(user);
  undo.push(killAll);
  if (plan.password !== undefined) await serially(() => feed('chpasswd', [], `${user}:${plan.password}\n`));
  await authorizeKey(user, home, plan.clientPublicKey);
  if (plan.gpus) await installGpus(user, home, plan.gpus);

  const hostKey = path.join(plan.dir, `${name}_host_key`);
  const server = sshd({
    namespace,
    addresses,
    hostKey,
    pidFile: path.join(plan.dir, `${name}.pid`),
    home,
    passwords: plan.password !== undefined,
  });
  await server.newHostKey();
  await plan.networkReady;
  await server.start();
  undo.push(server.stop);

  return {
    name,
    address: addresses[0]!,
    port: 22,
    user,
    home,
    namespace,
    cutLink: async () => void (await sh('ip', ['link', 'set', outside, 'down'])),
    restoreLink: async () => void (await sh('ip', ['link', 'set', outside, 'up'])),
    regenerateHostKey: async () => {
      await server.stop();
      await server.newHostKey();
      await server.start();
    },
    // `runuser -l` gives a login shell with the user's own environment and ~ as cwd; the
    // user's ~/.profile puts ~/bin on PATH as sshd's SetEnv does for `ssh host cmd`.
    run: (command) => capture('ip', ['netns', 'exec', namespace, 'runuser', '-l', user, '-c', command]),
    processes,
    killAll,
  };
}

/**
 * A tmpfs of `bytes` on the home, mounted before anything is written there, so a full disk
 * is real: writes fail with ENOSPC and `df ~` shows the size. The skeleton files useradd
 * copied are hidden by the mount, so they are copied again.
 */
async function mountSmallHome(user: string, home: string, bytes: number): Promise<Undo> {
  await sh('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, `hd-${user}`, home]);
  await sh('cp', ['-a', '/etc/skel/.', home]);
  await sh('chown', ['-R', `${user}:${user}`, home]);
  return async () => {
    await sh('umount', [home]).catch(() => sh('umount', ['--lazy', home]));
  };
}

async function authorizeKey(user: string, home: string, publicKey: string): Promise<void> {
  const sshDir = path.join(home, '.ssh');
  await mkdir(sshDir, { mode: 0o700 });
  await writeFile(path.join(sshDir, 'authorized_keys'), await readFile(publicKey), { mode: 0o600 });
  await sh('chown', ['-R', `${user}:${user}`, sshDir]);
}

/** The fake nvidia-smi in ~/bin, which is on PATH for SSH commands and login shells. */
async function installGpus(user: string, home: string, gpus: DeclaredGpu[]): Promise<void> {
  const bin = path.join(home, 'bin');
  await mkdir(bin, { recursive: true });
  await installFakeNvidiaSmi(bin, gpus);
  await sh('chown', ['-R', `${user}:${user}`, bin]);
}

async function userProcesses(user: string): Promise<string[]> {
  // `ps` exits 1 when the user has no process; that is an answer, not an error.
  const { stdout } = await capture('ps', ['-u', user, '-o', 'stat=,args=']);
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('Z'))
    .map((line) => line.replace(/^\S+\s+/, ''));
}

/**
 * SIGKILL to every process of the user, then waits (pidwait, no polling) until they are
 * gone. Repeated, since a process may fork between pkill's scan and its kill.
 */
async function killUserProcesses(user: string): Promise<void> {
  for (let round = 0; round < 10; round++) {
    if ((await userProcesses(user)).length === 0) return;
    await capture('pkill', ['-KILL', '-u', user]);
    await capture('timeout', ['5', 'pidwait', '-u', user]);
  }
  throw new Error(`processes of ${user} survive kill -9: ${(await userProcesses(user)).join('; ')}`);
}

/**
 * Account changes rewrite /etc/passwd and /etc/shadow under a lock that `useradd` fails on
 * rather than waits for, so they are queued while the rest of the hosts is built in parallel.
 */
let accounts: Promise<unknown> = Promise.resolve();
function serially<T>(step: () => Promise<T>): Promise<T> {
  const result = accounts.then(step);
  accounts = result.catch(() => undefined);
  return result;
}

/** Runs a command and reports its exit status instead of throwing on a non-zero one. */
export async function capture(file: string, args: string[]): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await sh(file, args, { maxBuffer: 64 * 1024 * 1024 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as ExecFileException & { stdout?: string; stderr?: string };
    if (typeof e.code !== 'number' && !e.signal) throw err;
    const code = typeof e.code === 'number' ? e.code : 128 + (os.constants.signals[e.signal!] ?? 0);
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code };
  }
}

/** Runs a command with `input` on stdin (chpasswd reads user:password lines). */
function feed(file: string, args: string[], input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${file} failed (${code}): ${stderr}`))));
    child.stdin.end(input);
  });
}
