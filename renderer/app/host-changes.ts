/**
 * What changed between two host lists, in sentences for the notifications log: hosts that
 * joined, left, became unreachable or came back.
 */
import type { ClusterHost } from '../../protocol/host.ts';
import type { NoticeLevel } from '../store/notifications-slice.ts';

export interface HostChange {
  level: NoticeLevel;
  message: string;
}

/** One sentence per host that joined, left or changed state between `before` and `after`. */
export function describeHostChanges(before: readonly ClusterHost[], after: readonly ClusterHost[]): HostChange[] {
  const old = new Map(before.map((h) => [h.hostId, h]));
  const changes: HostChange[] = [];
  for (const host of after) {
    const previous = old.get(host.hostId);
    old.delete(host.hostId);
    if (previous === undefined) changes.push({ level: 'info', message: `Host ${host.hostname} joined the cluster.` });
    else if (previous.state !== host.state) {
      changes.push(
        host.state === 'healthy'
          ? { level: 'success', message: `Host ${host.hostname} is healthy again.` }
          : { level: 'warning', message: `Host ${host.hostname} is unreachable.` },
      );
    }
  }
  for (const host of old.values()) changes.push({ level: 'warning', message: `Host ${host.hostname} left the cluster.` });
  return changes;
}
