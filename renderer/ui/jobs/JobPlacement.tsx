/** Where the job runs: each host it holds with its rank, CPUs, memory and the GPUs by index. */
import { Cpu, Server } from 'lucide-react';
import type { JobHostPlacement } from '../../../protocol/jobs-api.ts';
import { formatSize } from '../../../protocol/quantities.ts';

export function JobPlacement({ placement }: { placement: readonly JobHostPlacement[] | undefined }) {
  if (placement === undefined || placement.length === 0) return <p className="muted">Not placed yet.</p>;
  return (
    <ul className="job-placement" aria-label="Placement" data-testid="job-placement">
      {placement.map((host) => (
        <li key={host.hostId} className="job-host" data-host={host.name}>
          <div className="job-host-name">
            <Server size={13} aria-hidden="true" />
            <span className="mono">{host.name}</span>
            {placement.length > 1 && <span className="badge">rank {host.rank}</span>}
          </div>
          <div className="job-host-figures muted num">
            <Cpu size={12} aria-hidden="true" /> {host.cpus} CPU{host.cpus === 1 ? '' : 's'} · {formatSize(host.memoryBytes)}
          </div>
          {host.gpus.length > 0 && (
            <div className="job-gpus" aria-label={`GPUs ${host.gpus.join(', ')}`} data-testid="job-gpus">
              {host.gpus.map((index) => (
                <span key={index} className="job-gpu num" title={`GPU ${index} of ${host.name}`}>
                  GPU {index}
                </span>
              ))}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}
