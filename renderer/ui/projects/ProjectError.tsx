/**
 * A refusal or failure from the head, where it happened: what was tried, the head's words
 * (a 403 names the permission and the role that grants it), what to do, and the code
 * folded away. Stays until dismissed, retried or replaced.
 */
import { CircleX, RotateCw, X } from 'lucide-react';
import type { LoadProblem } from '../../store/cluster-slice.ts';

export interface ProjectErrorProps {
  /** What was tried: "Could not add ana to vision". */
  title: string;
  problem: LoadProblem;
  /** Where it happened, for tests and styles: `list`, `create`, `members`, `invite`, `audit`, `join`. */
  context: string;
  onRetry?(): void;
  onDismiss?(): void;
  /** `project-error` unless the surrounding form has its own prefix (`join-error`). */
  testId?: string;
}

export function ProjectError({ title, problem, context, onRetry, onDismiss, testId = 'project-error' }: ProjectErrorProps) {
  return (
    <div className="inline-problem" role="alert" data-testid={testId} data-code={problem.code} data-context={context}>
      <CircleX className="inline-problem-icon" size={16} aria-hidden="true" />
      <div className="inline-problem-text">
        <p className="inline-problem-title">{title}</p>
        <p className="inline-problem-message">{problem.message}</p>
        <p className="inline-problem-hint">{problem.hint}</p>
        <details className="inline-problem-details">
          <summary>Details</summary>
          <span className="mono">{problem.code}</span>
          {problem.field !== undefined && <span className="mono"> at {problem.field}</span>}
        </details>
      </div>
      <div className="inline-problem-actions">
        {onRetry !== undefined && (
          <button type="button" className="button button-small" onClick={onRetry}>
            <RotateCw size={12} aria-hidden="true" /> Retry
          </button>
        )}
        {onDismiss !== undefined && (
          <button type="button" className="icon-button" aria-label="Dismiss" title="Dismiss" onClick={onDismiss}>
            <X size={14} aria-hidden="true" />
          </button>
        )}
      </div>
    </div>
  );
}
