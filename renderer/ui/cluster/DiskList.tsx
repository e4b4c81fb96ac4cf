/** The host's filesystems: where mounted, how full, how much is left. */
import { HardDrive } from 'lucide-react';
import type { Disk } from '../../../protocol/host.ts';
import { formatBytes, formatBytesOf } from '../../format/bytes.ts';
import { percentOf } from '../../format/percent.ts';
import { Meter } from '../common/Meter.tsx';

export function DiskList({ disks }: { disks: readonly Disk[] }) {
  return (
    <section className="host-section" aria-label="Disks">
      <h3>
        <HardDrive size={13} aria-hidden="true" /> Disks <span className="count num">{disks.length}</span>
      </h3>
      {disks.length === 0 ? (
        <p className="empty-line">No filesystems reported.</p>
      ) : (
        <ul className="disk-list">
          {disks.map((disk) => {
            const used = Math.max(0, disk.totalBytes - disk.freeBytes);
            return (
              <li key={disk.mount} className="disk-row" data-testid="disk-row">
                <span className="disk-name">
                  <span className="disk-mount mono" title={disk.mount}>
                    {disk.mount}
                  </span>
                  <span className="disk-fs">{disk.fsType}</span>
                </span>
                <Meter label="Used" percent={percentOf(used, disk.totalBytes)} valueText={formatBytesOf(used, disk.totalBytes)} />
                <span className="disk-free num">{formatBytes(disk.freeBytes)} free</span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
