/**
 * A file's replication: how many replicas each block was written with, and — when the head
 * reports it — whether they are all there. Trouble is a word and an icon, never colour alone.
 */
import { CircleAlert, CircleX } from 'lucide-react';
import type { FileStat } from '../../../protocol/fs.ts';
import { StateLabel } from '../common/StateLabel.tsx';

export function HealthBadge({ replication, health }: { replication: number; health: FileStat['health'] }) {
  return (
    <span className="health" data-health={health ?? 'unknown'}>
      <span className="num" title={`Each block is kept on ${replication} host${replication === 1 ? '' : 's'}`}>
        RF {replication}
      </span>
      {health === 'under-replicated' && (
        <StateLabel icon={CircleAlert} tone="warning" word="under-replicated" title="Some block has fewer replicas than asked; the head copies it again." />
      )}
      {health === 'unavailable' && (
        <StateLabel icon={CircleX} tone="failed" word="unavailable" title="Some block has no replica on a reachable host: reading fails until one is back." />
      )}
    </span>
  );
}
