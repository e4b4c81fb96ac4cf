/** Why the cluster could not be loaded, what to do about it, and a Retry that does it. */
import { CircleX, RotateCw } from 'lucide-react';
import type { LoadProblem } from '../../store/cluster-slice.ts';
import { useSession } from '../session-context.ts';

export function ErrorPanel({ problem }: { problem: LoadProblem }) {
  const session = useSession();
  return (
    <div className="error-panel" role="alert" data-testid="load-error">
      <div className="error-title">
        <CircleX size={20} aria-hidden="true" />
        <h1>Could not load the cluster</h1>
      </div>
      <p className="error-message">{problem.message}</p>
      <p className="error-hint">{problem.hint}</p>
      <div className="error-actions">
        <button type="button" className="button button-primary" onClick={() => void session.load()} autoFocus>
          <RotateCw size={14} aria-hidden="true" /> Retry
        </button>
      </div>
      <details className="error-details">
        <summary>Details</summary>
        <dl>
          <dt>Code</dt>
          <dd className="mono">{problem.code}</dd>
          {problem.field !== undefined && (
            <>
              <dt>Field</dt>
              <dd className="mono">{problem.field}</dd>
            </>
          )}
          <dt>Calls</dt>
          <dd className="mono">cluster.status, cluster.hosts</dd>
        </dl>
      </details>
    </div>
  );
}
