/**
 * Naming a new folder (a dataset right under a project) or renaming an entry. The name is
 * checked as the head will check it, so a bad one is explained before anything is sent.
 */
import { useState, type FormEvent } from 'react';
import { fsPathProblem } from '../../../protocol/fs.ts';
import { Dialog } from '../common/Dialog.tsx';
import { Field } from '../common/Field.tsx';

export interface NameDialogProps {
  title: string;
  /** The folder the name goes in. */
  parent: string;
  initial: string;
  confirmLabel: string;
  /** Names already in the folder, as far as they were read. */
  taken: ReadonlySet<string>;
  /** Resolves true when done (the dialog closes), false to keep it open. */
  onSubmit(name: string): Promise<boolean>;
  onCancel(): void;
}

export function nameProblem(parent: string, name: string, taken: ReadonlySet<string>, initial: string): string | undefined {
  if (name === '') return 'Give it a name.';
  if (name.includes('/')) return 'A name cannot hold "/".';
  if (name !== initial && taken.has(name)) return `${name} exists already here.`;
  return fsPathProblem(`${parent}/${name}`)?.message;
}

export function NameDialog({ title, parent, initial, confirmLabel, taken, onSubmit, onCancel }: NameDialogProps) {
  const [name, setName] = useState(initial);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const error = tried ? nameProblem(parent, name, taken, initial) : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (busy || nameProblem(parent, name, taken, initial) !== undefined) return;
    setBusy(true);
    const done = await onSubmit(name);
    setBusy(false);
    if (done) onCancel();
  };

  return (
    <Dialog title={title} onClose={onCancel} className="confirm-dialog" testId="name-dialog">
      <form onSubmit={(event) => void submit(event)} noValidate>
        <Field id="dataset-name-input" label="Name" error={error} hint={`In ${parent}`}>
          {(describedBy) => (
            <input
              id="dataset-name-input"
              className="text-input mono"
              value={name}
              autoFocus
              autoComplete="off"
              spellCheck={false}
              aria-invalid={error ? true : undefined}
              aria-describedby={describedBy || undefined}
              data-testid="name-input"
              onFocus={(event) => {
                // Select the name without its extension, as file managers do on rename.
                const dot = event.target.value.lastIndexOf('.');
                event.target.setSelectionRange(0, dot > 0 ? dot : event.target.value.length);
              }}
              onChange={(event) => setName(event.target.value)}
            />
          )}
        </Field>
        <div className="confirm-actions">
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy} data-testid="name-ok">
            {confirmLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
