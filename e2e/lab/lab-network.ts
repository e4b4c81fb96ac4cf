/**
 * The lab's wiring: namespaces, bridges, veth pairs and routes. The lab bridge carries the
 * lab subnet (10.77.S.0/24) and has an address in the root namespace, so the test process
 * (the "laptop") reaches every host on it. The hidden bridge carries 10.78.S.0/24 and has no
 * address and no route in the root namespace: only the bastion, which sits on both, connects
 * it to the rest of the lab, as a jump host does in a real cluster.
 *
 * The whole topology is made with a few `ip -batch` runs (one for the root namespace, one per
 * host namespace) rather than one `ip` process per step: on a loaded 2-core CI machine each
 * process start costs tens of milliseconds, and a lab needs about a hundred steps.
 */
import { execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

export const sh = promisify(execFile);

/** A teardown step; each creator returns the step that undoes exactly what it made. */
export type Undo = () => Promise<unknown>;

export interface Subnets {
  /** Third octet shared by both subnets: 10.77.S.0/24 (lab) and 10.78.S.0/24 (hidden). */
  octet: number;
  lab: (host: number) => string;
  hidden: (host: number) => string;
}

export interface Bridge {
  name: string;
  /** The root namespace's address on it (lab bridge); none keeps the root blind to it (hidden bridge). */
  cidr?: string;
}

export interface Leg {
  bridge: string;
  /** The veth end left in the root namespace, on the bridge; down = cable pulled. */
  outside: string;
  inside: string;
  /** Address with prefix, e.g. 10.77.40.10/24. */
  cidr: string;
}

export interface NamespacePlan {
  name: string;
  legs: Leg[];
  routes: Array<{ destination: string; via: string }>;
  /** Route between the legs (the bastion); the setting is per namespace. */
  forwards?: boolean;
}

export interface NetworkPlan {
  bridges: Bridge[];
  namespaces: NamespacePlan[];
  /**
   * A subnet made unreachable from the root namespace (the hidden one). Without it the root's
   * default route would send packets for it out of the machine; with it a connect fails at
   * once (EHOSTUNREACH) and nothing leaves.
   */
  unreachable?: string;
}

/**
 * Picks a third octet that no interface or route of this machine already uses, so two labs
 * built at once (or one a crashed run left behind) do not share a subnet.
 */
export async function chooseSubnets(): Promise<Subnets> {
  const taken = (await sh('ip', ['-4', '-o', 'addr', 'show'])).stdout + (await sh('ip', ['-4', 'route', 'show'])).stdout;
  for (let attempt = 0; attempt < 100; attempt++) {
    const octet = 10 + Math.floor(Math.random() * 240);
    if (taken.includes(`10.77.${octet}.`) || taken.includes(`10.78.${octet}.`)) continue;
    return { octet, lab: (h) => `10.77.${octet}.${h}`, hidden: (h) => `10.78.${octet}.${h}` };
  }
  throw new Error('no free 10.77.x.0/24 subnet for the lab: tear down the labs left behind (ip link show type bridge)');
}

/** Builds the topology; the undo removes all of it, and is safe to run on a half-built one. */
export async function buildNetwork(plan: NetworkPlan): Promise<Undo> {
  const undo = () => removeNetwork(plan);
  try {
    const legs = plan.namespaces.flatMap((ns) => ns.legs.map((leg) => ({ ...leg, namespace: ns.name })));
    const hidden = new Set(plan.bridges.filter((b) => !b.cidr).map((b) => b.name));
    // Links are created down, so IPv6 can be turned off on the hidden side before any
    // link-local address appears: one would let the test process reach hidden hosts.
    await batch(null, [
      ...plan.bridges.map((b) => `link add ${b.name} type bridge`),
      ...plan.namespaces.map((ns) => `netns add ${ns.name}`),
      ...legs.map((leg) => `link add ${leg.outside} type veth peer name ${leg.inside} netns ${leg.namespace}`),
    ]);
    const blind = [...hidden, ...legs.filter((leg) => hidden.has(leg.bridge)).map((leg) => leg.outside)];
    await Promise.all(blind.map((link) => writeFile(`/proc/sys/net/ipv6/conf/${link}/disable_ipv6`, '1').catch(() => undefined)));
    await batch(null, [
      ...plan.bridges.flatMap((b) => [...(b.cidr ? [`addr add ${b.cidr} dev ${b.name}`] : []), `link set ${b.name} up`]),
      ...legs.map((leg) => `link set ${leg.outside} master ${leg.bridge} up`),
      ...(plan.unreachable ? [`route add unreachable ${plan.unreachable}`] : []),
    ]);
    await Promise.all(plan.namespaces.map((ns) => configureNamespace(ns)));
  } catch (err) {
    await undo();
    throw err;
  }
  return undo;
}

async function configureNamespace(ns: NamespacePlan): Promise<void> {
  await batch(ns.name, [
    'link set lo up',
    ...ns.legs.flatMap((leg) => [`addr add ${leg.cidr} dev ${leg.inside}`, `link set ${leg.inside} up`]),
    ...ns.routes.map((r) => `route add ${r.destination} via ${r.via}`),
  ]);
  if (ns.forwards) await sh('ip', ['netns', 'exec', ns.name, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
}

/**
 * Removes what `buildNetwork` made, skipping what is not there. Processes still inside a
 * namespace are killed first: `ip netns del` only drops the name, and a process left inside
 * (an sshd session monitor, say) would keep the namespace alive, unseen.
 */
async function removeNetwork(plan: NetworkPlan): Promise<void> {
  await Promise.all(plan.namespaces.map((ns) => killNamespaceProcesses(ns.name)));
  await batch(
    null,
    [
      // Deleting the outside end of a veth deletes both ends.
      ...plan.namespaces.flatMap((ns) => ns.legs.map((leg) => `link del ${leg.outside}`)),
      ...plan.namespaces.map((ns) => `netns del ${ns.name}`),
      ...(plan.unreachable ? [`route del unreachable ${plan.unreachable}`] : []),
      ...plan.bridges.map((b) => `link del ${b.name}`),
    ],
    { force: true },
  ).catch(() => undefined);
}

async function killNamespaceProcesses(namespace: string): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const pids = (await sh('ip', ['netns', 'pids', namespace]).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
    if (pids.length === 0) return;
    await sh('kill', ['-KILL', ...pids]).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Runs `ip` commands from stdin, in the root namespace or `-n namespace`. Stops at the
 * first failure unless `force` (then runs all and fails at the end); errors name the line.
 */
function batch(namespace: string | null, lines: string[], options: { force?: boolean } = {}): Promise<void> {
  if (lines.length === 0) return Promise.resolve();
  const args = [...(namespace ? ['-n', namespace] : []), ...(options.force ? ['-force'] : []), '-batch', '-'];
  return new Promise((resolve, reject) => {
    const child = spawn('ip', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`ip ${args.join(' ')} failed: ${stderr.trim()}\n(commands: ${lines.join('; ')})`)),
    );
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}
