/** Asks what to do with a tab's unsaved changes before it closes: save, throw away, or keep it open. */
import type { CloseAnswer } from '../../app/editor.ts';
import { Dialog } from '../common/Dialog.tsx';

export function CloseDialog({ name, saving, onAnswer }: { name: string; saving: boolean; onAnswer(answer: CloseAnswer): void }) {
  return (
    <Dialog title={`Save the changes to ${name}?`} onClose={() => onAnswer('cancel')} className="confirm-dialog" testId="editor-close-dialog">
      <div className="confirm-body">
        <p>{name} has changes that are not on the cluster. If you do not save them, they are thrown away, and so is their draft.</p>
      </div>
      <div className="confirm-actions">
        <button type="button" className="button" onClick={() => onAnswer('cancel')} autoFocus>
          Cancel
        </button>
        <button type="button" className="button button-danger" data-testid="editor-close-discard" onClick={() => onAnswer('discard')}>
          Don’t save
        </button>
        <button type="button" className="button button-primary" data-testid="editor-close-save" disabled={saving} onClick={() => onAnswer('save')}>
          Save
        </button>
      </div>
    </Dialog>
  );
}
