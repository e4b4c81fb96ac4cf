/**
 * Labs whose process died before its teardown (a test killed on a timeout, Ctrl-C, kill -9)
 * would leave users, namespaces, links and mounts behind for good. Each lab therefore
 * records its id and owner here, and every new lab first sweeps the labs whose owner is
 * gone. A lab whose owner still runs, here or in another session, is never touched.
 * Everything a lab makes is named after its id, so a sweep finds it all by that id.
 */
import { readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sh } from './lab-network.ts';

// /var/tmp survives a reboot, as the lab's users (in /etc/passwd) do.
const registry = '/var/tmp/hopsdesk-labs';

interface Record_ {
  id: string;
  /** Third octet of the lab's subnets, for the root namespace's unreachable route. */
  octet: number;
  pid: number;
  /** The owner's start time and the boot it ran in: a pid alone may be reused. */
  started: string;
  bootId: string;
}

/** Whether an id is free: no registered lab and nothing on this machine named after it. */
export async function idInUse(id: string): Promise<boolean> {
  const names = await readdir(registry).catch(() => [] as string[]);
  if (names.includes(`${id}.json`)) return true;
  const namespaces = (await sh('ip', ['netns', 'list'])).stdout;
  return namespaces.includes(`hd${id}-`);
}

export async function register(id: string, octet: number): Promise<void> {
  await mkdir(registry, { recursive: true });
  const record: Record_ = { id, octet, pid: process.pid, started: await startTime(process.pid), bootId: await bootId() };
  await writeFile(path.join(registry, `${id}.json`), JSON.stringify(record));
}

export async function unregister(id: string): Promise<void> {
  await rm(path.join(registry, `${id}.json`), { force: true });
}

/** Tears down every registered lab whose owning process has ended. */
export async function sweepAbandonedLabs(): Promise<string[]> {
  const swept: string[] = [];
  for (const name of await readdir(registry).catch(() => [] as string[])) {
    const file = path.join(registry, name);
    const record = await readFile(file, 'utf8').then((text) => JSON.parse(text) as Record_, () => undefined);
    if (!record || (await alive(record))) continue;
    await removeById(record.id, record.octet);
    await rm(file, { force: true });
    swept.push(record.id);
  }
  return swept;
}

async function alive(record: Record_): Promise<boolean> {
  if (record.bootId !== (await bootId())) return false;
  return (await startTime(record.pid).catch(() => '')) === record.started;
}

/** Field 22 of /proc/PID/stat: when the process started, in ticks since boot. */
async function startTime(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its ')' are plain.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
}

async function bootId(): Promise<string> {
  return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
}

/** The teardown, redone from names alone: processes, mounts, users, links, namespaces, route, files. */
async function removeById(id: string, octet: number): Promise<void> {
  const quiet = <T>(p: Promise<T>) => p.catch(() => undefined);
  const users = (await sh('getent', ['passwd'])).stdout
    .split('\n')
    .map((line) => line.split(':')[0]!)
    .filter((user) => user.startsWith(`hd${id}`));
  const namespaces = (await sh('ip', ['netns', 'list'])).stdout
    .split('\n')
    .map((line) => line.split(' ')[0]!)
    .filter((ns) => ns.startsWith(`hd${id}-`));

  for (const user of users) await quiet(sh('pkill', ['-KILL', '-u', user]));
  for (const ns of namespaces) {
    const pids = (await sh('ip', ['netns', 'pids', ns]).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
    if (pids.length) await quiet(sh('kill', ['-KILL', ...pids]));
  }
  for (const user of users) await quiet(sh('timeout', ['5', 'pidwait', '-u', user]));

  const mounts = (await readFile('/proc/mounts', 'utf8')).split('\n').map((line) => line.split(' ')[1] ?? '');
  for (const mount of mounts.filter((m) => m.startsWith(`/home/hd${id}`))) {
    await quiet(sh('umount', [mount]).catch(() => sh('umount', ['--lazy', mount])));
  }
  for (const user of users) await quiet(sh('userdel', ['--remove', '--force', user]));

  const links = (await sh('ip', ['-o', 'link', 'show'])).stdout
    .split('\n')
    .map((line) => line.split(':')[1]?.trim().split('@')[0] ?? '')
    .filter((link) => new RegExp(`^hd[bhvpwq]${id}`).test(link));
  for (const link of links) await quiet(sh('ip', ['link', 'del', link]));
  for (const ns of namespaces) await quiet(sh('ip', ['netns', 'del', ns]));
  // The route is named by subnet, not id: leave it if a live lab now owns that subnet
  // (this one may have died before making its route, and the subnet been chosen again).
  const addresses = (await sh('ip', ['-4', '-o', 'addr', 'show'])).stdout;
  if (!addresses.includes(`10.77.${octet}.`)) await quiet(sh('ip', ['route', 'del', 'unreachable', `10.78.${octet}.0/24`]));

  for (const name of await readdir(os.tmpdir()).catch(() => [] as string[])) {
    if (name.startsWith(`hopsdesk-lab-${id}-`)) await rm(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}
