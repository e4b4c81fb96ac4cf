/**
 * Above the file list of a project: datasets other projects offered to it, waiting for a
 * Data Owner here to accept them, each with Accept; and a line naming this project's own
 * datasets shared out. Nothing shows when there is nothing shared.
 */
import { Check, Share2 } from 'lucide-react';
import { useAppState } from '../../store/app-store.ts';
import { selectProjectShares } from '../../store/datasets-slice.ts';
import { useSession } from '../session-context.ts';

export function SharesStrip({ project }: { project: string }) {
  const session = useSession();
  const shares = useAppState(selectProjectShares);
  if (shares === null || shares.project !== project) return null;
  const pending = shares.incoming.filter((s) => s.state === 'pending');
  const outgoing = shares.outgoing;
  if (pending.length === 0 && outgoing.length === 0) return null;
  return (
    <section className="shares-strip" aria-label={`Shares of ${project}`} data-testid="shares-strip">
      {pending.map((share) => (
        <p key={share.path} className="share-offer" data-testid="share-offer" data-path={share.path}>
          <Share2 size={13} aria-hidden="true" />
          <span>
            <strong>{share.project}</strong> shares <span className="mono">{share.dataset}</span> with {project}
            {share.readOnly ? ' (read-only)' : ' (read-write)'}, offered by {share.sharedBy}.
          </span>
          <button type="button" className="button button-small button-primary" onClick={() => void session.datasets.acceptShare(project, share.path)} data-testid="share-accept">
            <Check size={12} aria-hidden="true" /> Accept
          </button>
        </p>
      ))}
      {outgoing.length > 0 && (
        <p className="share-out muted">
          Shared from {project}:{' '}
          {outgoing.map((s) => `${s.dataset} with ${s.withProject}${s.state === 'pending' ? ' (waiting to be accepted)' : ''}${s.readOnly ? ', read-only' : ''}`).join('; ')}.
        </p>
      )}
    </section>
  );
}
