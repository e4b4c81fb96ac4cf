/**
 * The lab in a box: real hosts on one machine. Each host is a network namespace on a
 * bridge of its own test subnet (10.77.S.0/24), with its own unix user (so its own home and
 * `~/.hopsdesk`) and a real OpenSSH server. Hosts may declare GPUs (a fake `nvidia-smi` on
 * the user's PATH), a password, a small disk, or sit behind a bastion on a hidden subnet
 * (10.78.S.0/24) the test process cannot reach. Faults are real too: a host's link can be
 * cut, its host key regenerated, its processes killed. Everything is torn down by the ids
 * this harness created. Needs root (CI runs as root); `labSupport()` says plainly why it
 * cannot run elsewhere.
 *
 * Modules beside this file: lab-network.ts (namespaces, bridges, routes), lab-host.ts
 * (user, home, GPUs, processes), lab-sshd.ts (the SSH server), lab-registry.ts (labs
 * whose process died before tearing them down are swept by the next lab).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DeclaredGpu } from '../fixtures/nvidia-smi.ts';
import { buildHost, capture, type BuiltHost, type CommandResult, type HostPlan, type LabHost } from './lab-host.ts';
import {
  buildNetwork,
  chooseSubnets,
  sh,
  type Bridge,
  type Leg,
  type NamespacePlan,
  type NetworkPlan,
  type Subnets,
  type Undo,
} from './lab-network.ts';
import { idInUse, register, sweepAbandonedLabs, unregister } from './lab-registry.ts';
import { sshdPath } from './lab-sshd.ts';

export type { CommandResult, LabHost } from './lab-host.ts';
export type { DeclaredGpu } from '../fixtures/nvidia-smi.ts';
export { sweepAbandonedLabs } from './lab-registry.ts';

/** A host to build: just a name, or a name and what is special about it. */
export type HostSpec = string | HostOptions;

export interface HostOptions {
  /** Lowercase letters, digits and '-', at most 16 characters (it names the user and namespace). */
  name: string;
  /** Cards the fake `nvidia-smi` in the user's `~/bin` reports (over SSH too). */
  gpus?: DeclaredGpu[];
  /** On the hidden subnet, reachable only through the lab's bastion (built on demand). */
  behindBastion?: boolean;
  /** The user's password; the host's sshd then accepts password logins (others are key-only). */
  password?: string;
  /** Size of a tmpfs mounted on the home directory, so a full disk is real. */
  diskBytes?: number;
}

export interface LabOptions {
  /**
   * Builds a bastion (jump host) on both the lab and the hidden subnet. Implied when a host
   * is `behindBastion`; pass options to give it a password or small disk (name: 'bastion').
   */
  bastion?: boolean | Omit<HostOptions, 'behindBastion' | 'name'>;
}

export interface Lab {
  /** Everything the lab makes is named after it: namespaces hd<id>-<host>, users hd<id><host>, links hd?<id>…. */
  id: string;
  /** The hosts asked for, in order (the bastion is not among them). */
  hosts: LabHost[];
  bastion?: LabHost;
  /** The private key (OpenSSH format) every host's user accepts. */
  clientKeyFile: string;
  /**
   * An OpenSSH client config: the lab key, no host-key prompts, and a `Host` entry per host
   * name (hidden hosts with `ProxyJump bastion`), so `ssh -F <it> gpu1 cmd` works. `-F` is
   * passed on to `-J` jumps, unlike `-i`.
   */
  sshConfigFile: string;
  /** The host with this name (bastion included); throws if there is none. */
  host(name: string): LabHost;
  /** Runs `command` on a host with the OpenSSH client from the test process, jumping via the bastion if need be. */
  ssh(host: LabHost, command: string): Promise<CommandResult>;
  /** Stops every sshd, kills every lab user's process, removes users, mounts, links, namespaces. Idempotent. */
  teardown(): Promise<void>;
}

/** Whether this machine can build a lab: root, network namespaces and an sshd. */
export async function labSupport(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (process.platform !== 'linux') return { ok: false, reason: 'the lab in a box needs Linux network namespaces' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'the lab in a box needs root (network namespaces, users); CI runs it as root' };
  if (!existsSync(sshdPath)) return { ok: false, reason: `${sshdPath} is missing: run \`npm run test:deps\`` };
  const probe = `hdprobe${randomBytes(3).toString('hex')}`;
  try {
    await sh('ip', ['netns', 'add', probe]);
    await sh('ip', ['netns', 'del', probe]);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `network namespaces are not allowed here (${(err as Error).message.split('\n')[0]})` };
  }
}

const bastionName = 'bastion';

/** Builds the hosts (in parallel) and resolves once every sshd listens. */
export async function createLab(specs: HostSpec[], options: LabOptions = {}): Promise<Lab> {
  const wanted = specs.map((spec) => (typeof spec === 'string' ? { name: spec } : spec));
  const bastionSpec = bastionOptions(wanted, options);
  validate(wanted, bastionSpec !== undefined);

  await sweepAbandonedLabs();
  let id: string;
  do id = randomBytes(2).toString('hex');
  while (await idInUse(id));
  const net = await chooseSubnets();
  await register(id, net.octet);
  const dir = await mkdtemp(path.join(os.tmpdir(), `hopsdesk-lab-${id}-`));
  const undo: Undo[] = [];
  const built: BuiltHost[] = [];
  let tornDown = false;
  const teardown = async () => {
    if (tornDown) return;
    tornDown = true;
    // Hosts first (users, mounts, sshd), each in its own order, all at once; then the network.
    await Promise.all(built.splice(0).map((b) => b.teardown()));
    for (const step of undo.splice(0).reverse()) await step().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    await unregister(id);
  };

  try {
    const clientKeyFile = path.join(dir, 'client_key');
    await sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hopsdesk-lab', '-f', clientKeyFile]);
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });

    // The users are made (one at a time: see lab-host.ts) while the network is wired; each
    // host's sshd waits for the network. allSettled, not all: on a failure everything still
    // being built must finish, and be registered for teardown, or its parts would leak.
    const plan = planLab({ id, dir, net, wanted, bastionSpec });
    const network = buildNetwork(plan.network);
    const results = await Promise.allSettled([
      network,
      ...plan.hosts.map((host) => buildHost({ ...host, networkReady: network })),
    ]);
    const [wired, ...hostResults] = results;
    if (wired!.status === 'fulfilled') undo.push(wired!.value);
    for (const result of hostResults) if (result.status === 'fulfilled') built.push(result.value as BuiltHost);
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;

    const byName = new Map(built.map((b) => [b.host.name, b.host]));
    const bastion = bastionSpec ? byName.get(bastionName) : undefined;
    const hosts = wanted.map((spec) => byName.get(spec.name)!);
    for (const [i, host] of hosts.entries()) if (wanted[i]!.behindBastion) host.bastion = bastion;

    const sshConfigFile = path.join(dir, 'ssh_config');
    await writeFile(sshConfigFile, sshConfig([...hosts, ...(bastion ? [bastion] : [])], clientKeyFile));
    return {
      id,
      hosts,
      ...(bastion ? { bastion } : {}),
      clientKeyFile,
      sshConfigFile,
      host: (name) => {
        const host = byName.get(name);
        if (!host) throw new Error(`the lab has no host named ${name}`);
        return host;
      },
      ssh: (host, command) => capture('ssh', ['-F', sshConfigFile, host.name, command]),
      teardown,
    };
  } catch (err) {
    await teardown();
    throw err;
  }
}

function bastionOptions(wanted: HostOptions[], options: LabOptions): HostOptions | undefined {
  const needed = options.bastion || wanted.some((spec) => spec.behindBastion);
  if (!needed) return undefined;
  return { ...(typeof options.bastion === 'object' ? options.bastion : {}), name: bastionName };
}

function validate(wanted: HostOptions[], withBastion: boolean): void {
  const names = new Set<string>();
  for (const { name } of wanted) {
    if (!/^[a-z][a-z0-9-]{0,15}$/.test(name)) throw new Error(`lab host name ${JSON.stringify(name)}: use a-z, 0-9 and '-', at most 16`);
    if (names.has(name) || (withBastion && name === bastionName)) throw new Error(`lab host name ${name} is used twice`);
    names.add(name);
  }
}

interface Topology {
  id: string;
  dir: string;
  net: Subnets;
  wanted: HostOptions[];
  bastionSpec: HostOptions | undefined;
}

/**
 * Addresses and routes. Lab hosts: 10.77.S.(10+i), default route via the root namespace
 * (10.77.S.1), and the hidden subnet via the bastion. Hidden hosts: 10.78.S.(10+i), default
 * route via the bastion. The bastion: 10.77.S.254 and 10.78.S.1, forwarding between them.
 * So lab hosts and hidden hosts reach each other both ways; the test process only the former.
 * Interface names stay within 15 characters: hd + kind + id + slot.
 */
function planLab(t: Topology): { network: NetworkPlan; hosts: Array<Omit<HostPlan, 'networkReady'>> } {
  const labBridge: Bridge = { name: `hdb${t.id}`, cidr: `${t.net.lab(1)}/24` };
  const hiddenBridge: Bridge = { name: `hdh${t.id}` };
  const bastionLab = t.net.lab(254);
  const bastionHidden = t.net.hidden(1);
  const hiddenSubnet = `${t.net.hidden(0)}/24`;
  const leg = (slot: string, hidden: boolean, address: string): Leg => ({
    bridge: hidden ? hiddenBridge.name : labBridge.name,
    outside: `hd${hidden ? 'w' : 'v'}${t.id}${slot}`,
    inside: `hd${hidden ? 'q' : 'p'}${t.id}${slot}`,
    cidr: `${address}/24`,
  });

  const namespaces: NamespacePlan[] = [];
  const hosts: Array<Omit<HostPlan, 'networkReady'>> = [];
  const add = (spec: HostOptions, ns: Omit<NamespacePlan, 'name'>) => {
    const namespace = `hd${t.id}-${spec.name}`;
    namespaces.push({ name: namespace, ...ns });
    hosts.push({
      name: spec.name,
      namespace,
      user: `hd${t.id}${spec.name}`,
      dir: t.dir,
      clientPublicKey: path.join(t.dir, 'client_key.pub'),
      addresses: ns.legs.map((l) => l.cidr.split('/')[0]!),
      outside: ns.legs[0]!.outside,
      gpus: spec.gpus,
      password: spec.password,
      diskBytes: spec.diskBytes,
    });
  };
  for (const [i, spec] of t.wanted.entries()) {
    if (spec.behindBastion) {
      add(spec, { legs: [leg(String(i), true, t.net.hidden(10 + i))], routes: [{ destination: 'default', via: bastionHidden }] });
    } else {
      const toHidden = t.bastionSpec ? [{ destination: hiddenSubnet, via: bastionLab }] : [];
      add(spec, { legs: [leg(String(i), false, t.net.lab(10 + i))], routes: [{ destination: 'default', via: t.net.lab(1) }, ...toHidden] });
    }
  }
  if (t.bastionSpec) {
    add(t.bastionSpec, {
      legs: [leg('b', false, bastionLab), leg('b', true, bastionHidden)],
      routes: [{ destination: 'default', via: t.net.lab(1) }],
      forwards: true,
    });
  }
  return {
    network: t.bastionSpec
      ? { bridges: [labBridge, hiddenBridge], namespaces, unreachable: hiddenSubnet }
      : { bridges: [labBridge], namespaces },
    hosts,
  };
}

/** OpenSSH client config for the lab; `IdentitiesOnly` keeps the agent's keys out of it. */
function sshConfig(hosts: LabHost[], clientKeyFile: string): string {
  const entries = hosts.map((host) =>
    [
      `Host ${host.name}`,
      `  HostName ${host.address}`,
      `  User ${host.user}`,
      ...(host.bastion ? [`  ProxyJump ${host.bastion.name}`] : []),
    ].join('\n'),
  );
  const defaults = [
    'Host *',
    `  IdentityFile ${clientKeyFile}`,
    '  IdentitiesOnly yes',
    '  BatchMode yes',
    '  StrictHostKeyChecking no',
    '  UserKnownHostsFile /dev/null',
    '  LogLevel ERROR',
    '  ConnectTimeout 5',
  ].join('\n');
  return `${[...entries, defaults].join('\n\n')}\n`;
}
