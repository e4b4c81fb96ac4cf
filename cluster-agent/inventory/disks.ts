/**
 * The host's disks: real filesystems from `/proc/mounts` with their size and free space.
 * Pseudo filesystems are left out, except that the filesystem holding the agent's data
 * directory is always reported, whatever its type, because that is where blocks go.
 */
import { readFile, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { Disk } from '../../protocol/host.ts';

/** One line of /proc/mounts. */
export interface Mount {
  device: string;
  mount: string;
  fsType: string;
}

/** Filesystem types that hold no user data. */
const pseudoTypes = new Set([
  'autofs', 'binfmt_misc', 'bpf', 'cgroup', 'cgroup2', 'configfs', 'debugfs', 'devpts', 'devtmpfs',
  'efivarfs', 'fuse.gvfsd-fuse', 'fuse.lxcfs', 'fuse.portal', 'fusectl', 'hugetlbfs', 'mqueue',
  'nsfs', 'overlay', 'aufs', 'proc', 'pstore', 'ramfs', 'rpc_pipefs', 'securityfs', 'selinuxfs',
  'squashfs', 'sysfs', 'tmpfs', 'tracefs', 'nfsd', 'iso9660',
]);

/** Parses /proc/mounts; mount points have spaces and tabs escaped as octal (`\040`). */
export function parseMounts(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const [device, mount, fsType] = line.split(' ');
    if (device === undefined || mount === undefined || fsType === undefined) continue;
    mounts.push({ device: unescapeOctal(device), mount: unescapeOctal(mount), fsType });
  }
  return mounts;
}

/**
 * Picks the mounts worth reporting: real filesystems, each device once (bind mounts
 * repeat it; the shortest mount point wins), plus the one holding `dataDir`.
 */
export function selectDiskMounts(mounts: readonly Mount[], dataDir: string): Mount[] {
  const byDevice = new Map<string, Mount>();
  for (const m of mounts) {
    if (pseudoTypes.has(m.fsType)) continue;
    const key = `${m.device}\0${m.fsType}`;
    const seen = byDevice.get(key);
    if (seen === undefined || m.mount.length < seen.mount.length) byDevice.set(key, m);
  }
  const selected = [...byDevice.values()];
  const holder = mountHolding(mounts, dataDir);
  if (holder !== undefined && !selected.some((m) => m.mount === holder.mount)) selected.push(holder);
  return selected.sort((a, b) => a.mount.localeCompare(b.mount));
}

/** The mount whose mount point is the longest prefix of `dir` (the last one mounted wins a tie). */
export function mountHolding(mounts: readonly Mount[], dir: string): Mount | undefined {
  let best: Mount | undefined;
  for (const m of mounts) {
    const inside = m.mount === '/' || dir === m.mount || dir.startsWith(`${m.mount}/`);
    if (inside && (best === undefined || m.mount.length >= best.mount.length)) best = m;
  }
  return best;
}

/** Lists disks with their space; where /proc/mounts is missing (macOS), only the data dir's. */
export async function readDisks(dataDir: string, mountsFile = '/proc/mounts'): Promise<Disk[]> {
  let mounts: Mount[];
  try {
    mounts = selectDiskMounts(parseMounts(await readFile(mountsFile, 'utf8')), path.resolve(dataDir));
  } catch {
    mounts = [{ device: '', mount: path.resolve(dataDir), fsType: 'unknown' }];
  }
  const disks: Disk[] = [];
  for (const m of mounts) {
    try {
      const s = await statfs(m.mount);
      // bavail, not bfree: the space this (unprivileged) user can actually write.
      disks.push({ mount: m.mount, fsType: m.fsType, totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize });
    } catch {
      // A mount we may not look into (another user's FUSE mount) is not ours to report.
    }
  }
  return disks;
}

function unescapeOctal(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}
