/**
 * Asks how to make a file or folder available offline: whole, or only the first N rows of
 * each table (CSV, TSV, JSON Lines, Parquet) for a quick look at large data.
 */
import { useId, useState } from 'react';
import { offlineLimits } from '../../../../protocol/previews.ts';
import { Dialog } from '../../common/Dialog.tsx';
import { readSampleRows } from './sample-rows.ts';
import './offline.css';

export interface MakeOfflineDialogProps {
  path: string;
  /** `sampleRows` undefined: the whole copy. */
  onConfirm(choice: { sampleRows?: number }): void;
  onClose(): void;
}

export function MakeOfflineDialog({ path, onConfirm, onClose }: MakeOfflineDialogProps) {
  const [mode, setMode] = useState<'whole' | 'sample'>('whole');
  const [rows, setRows] = useState('1000');
  const id = useId();
  const sample = readSampleRows(rows);
  const problem = mode === 'sample' && !sample.ok ? sample.problem : undefined;
  const submit = () => {
    if (mode === 'whole') onConfirm({});
    else if (sample.ok) onConfirm({ sampleRows: sample.sampleRows });
  };
  return (
    <Dialog title="Make available offline" onClose={onClose} className="make-offline-dialog" testId="make-offline-dialog">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <p>
          Copy <span className="mono">{path}</span> into this workspace, to explore and preview it with no connection to the cluster (up to{' '}
          {offlineLimits.maxCopyBytes / 1024 ** 3} GiB).
        </p>
        <fieldset className="make-offline-choices">
          <legend className="visually-hidden">What to copy</legend>
          <label>
            <input type="radio" name={`${id}-mode`} checked={mode === 'whole'} onChange={() => setMode('whole')} data-testid="make-offline-whole" />
            Everything
          </label>
          <label>
            <input type="radio" name={`${id}-mode`} checked={mode === 'sample'} onChange={() => setMode('sample')} data-testid="make-offline-sample" />
            The first
            <input
              type="text"
              inputMode="numeric"
              className="make-offline-rows num"
              aria-label="Rows of each table"
              aria-invalid={problem !== undefined}
              aria-describedby={problem === undefined ? undefined : `${id}-problem`}
              value={rows}
              onFocus={() => setMode('sample')}
              onChange={(event) => setRows(event.target.value)}
              data-testid="make-offline-rows"
            />
            rows of each table; other files whole
          </label>
        </fieldset>
        {problem !== undefined && (
          <p id={`${id}-problem`} className="field-error">
            {problem}
          </p>
        )}
        <div className="confirm-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={problem !== undefined} data-testid="make-offline-ok">
            Make available offline
          </button>
        </div>
      </form>
    </Dialog>
  );
}
