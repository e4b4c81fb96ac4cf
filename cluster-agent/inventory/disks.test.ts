import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { mountHolding, parseMounts, readDisks, selectDiskMounts } from './disks.ts';

const procMounts = `proc /proc proc rw,relatime 0 0
sysfs /sys sysfs rw,relatime 0 0
/dev/nvme0n1p2 / ext4 rw,relatime 0 0
tmpfs /run tmpfs rw,nosuid,nodev 0 0
/dev/nvme0n1p1 /boot/efi vfat rw,relatime 0 0
/dev/sdb1 /data/My\\040Datasets xfs rw,relatime 0 0
/dev/nvme0n1p2 /etc/hosts ext4 rw,relatime 0 0
overlay /var/lib/docker/overlay2/abc/merged overlay rw 0 0
nas:/export/lab /mnt/lab nfs4 rw,relatime 0 0
tmpfs /tmp tmpfs rw 0 0
cgroup2 /sys/fs/cgroup cgroup2 rw 0 0
`;

test('parses /proc/mounts, unescaping spaces in mount points', () => {
  const mounts = parseMounts(procMounts);
  assert.equal(mounts.length, 11);
  assert.deepEqual(mounts[5], { device: '/dev/sdb1', mount: '/data/My Datasets', fsType: 'xfs' });
});

test('keeps real filesystems once each, and always the one holding the data dir', () => {
  const mounts = parseMounts(procMounts);
  const pick = (dataDir: string) => selectDiskMounts(mounts, dataDir).map((m) => `${m.mount} ${m.fsType}`);
  assert.deepEqual(pick('/home/ada/.hopsdesk/data'), ['/ ext4', '/boot/efi vfat', '/data/My Datasets xfs', '/mnt/lab nfs4']);
  assert.deepEqual(pick('/tmp/agent-test/data'), ['/ ext4', '/boot/efi vfat', '/data/My Datasets xfs', '/mnt/lab nfs4', '/tmp tmpfs']);
});

test('finds the mount holding a directory by the longest prefix, not a string prefix', () => {
  const mounts = parseMounts(procMounts);
  assert.equal(mountHolding(mounts, '/data/My Datasets/x')?.fsType, 'xfs');
  assert.equal(mountHolding(mounts, '/tmpfoo/x')?.mount, '/');
});

test('reports this machine with sizes, including the data dir filesystem', async () => {
  const disks = await readDisks(os.tmpdir());
  assert.ok(disks.length > 0);
  for (const disk of disks) assert.ok(disk.totalBytes > 0 && disk.freeBytes >= 0 && disk.freeBytes <= disk.totalBytes, disk.mount);
  const holder = mountHolding(parseMounts(await readFile('/proc/mounts', 'utf8')), os.tmpdir());
  assert.ok(disks.some((d) => d.mount === holder?.mount));
});

test('without /proc/mounts, reports the data dir filesystem alone', async () => {
  const disks = await readDisks(os.tmpdir(), '/nonexistent/mounts');
  assert.equal(disks.length, 1);
  assert.equal(disks[0]?.mount, os.tmpdir());
});
