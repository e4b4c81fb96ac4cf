/**
 * What changed between two host lists, in sentences for the notifications log: hosts that
 * joined, left, became unreachable, started draining or came back.
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
    if (previous === undefined) changes.push({ level: 'info', message: `Host ${host.hostId} joined the cluster.` });
    else if (previous.state !== host.state) changes.push(stateChange(host.hostId, host.state));
  }
  for (const host of old.values()) changes.push({ level: 'warning', message: `Host ${host.hostId} left the cluster.` });
  return changes;
}

/** Typed loosely: the head may report states newer than this renderer (e.g. draining). */
function stateChange(hostname: string, state: string): HostChange {
  if (state === 'healthy') return { level: 'success', message: `Host ${hostname} is healthy again.` };
  if (state === 'unreachable') return { level: 'warning', message: `Host ${hostname} is unreachable.` };
  if (state === 'draining') return { level: 'info', message: `Host ${hostname} is draining.` };
  return { level: 'info', message: `Host ${hostname} is ${state}.` };
}
