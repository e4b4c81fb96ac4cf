/**
 * Sharing a dataset with another project, after it was dragged there in the tree: read-only
 * or read-write, said plainly, and pending until a Data Owner of that project accepts it.
 */
import { useState } from 'react';
import { Dialog } from '../common/Dialog.tsx';

export interface ShareDialogProps {
  dataset: string;
  withProject: string;
  onShare(readOnly: boolean): Promise<boolean>;
  onCancel(): void;
}

export function ShareDialog({ dataset, withProject, onShare, onCancel }: ShareDialogProps) {
  const [readOnly, setReadOnly] = useState(true);
  const [busy, setBusy] = useState(false);
  const name = dataset.slice(dataset.lastIndexOf('/') + 1);
  const share = async () => {
    setBusy(true);
    const done = await onShare(readOnly);
    setBusy(false);
    if (done) onCancel();
  };
  return (
    <Dialog title={`Share ${name} with ${withProject}?`} onClose={onCancel} className="confirm-dialog" testId="share-dialog">
      <div className="confirm-body">
        <p>
          Members of <strong>{withProject}</strong> will read <span className="mono">{dataset}</span> once a Data Owner of {withProject} accepts.
        </p>
        <fieldset className="share-modes">
          <legend className="field-label">Access</legend>
          <label>
            <input type="radio" name="share-mode" checked={readOnly} onChange={() => setReadOnly(true)} autoFocus /> Read-only
          </label>
          <label>
            <input type="radio" name="share-mode" checked={!readOnly} onChange={() => setReadOnly(false)} /> Read-write (their Data Owners and Data Scientists may change files)
          </label>
        </fieldset>
      </div>
      <div className="confirm-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="button button-primary" disabled={busy} onClick={() => void share()} data-testid="share-ok">
          Share
        </button>
      </div>
    </Dialog>
  );
}
