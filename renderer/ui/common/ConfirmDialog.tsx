/**
 * A modal confirmation on the native `<dialog>`: focus stays inside, Escape cancels, and
 * focus returns where it was. The question names what will be destroyed.
 */
import { useEffect, useRef, type ReactNode } from 'react';

export interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Destructive actions look it. */
  danger?: boolean;
  onConfirm(): void;
  onCancel(): void;
}

export function ConfirmDialog({ title, children, confirmLabel, danger, onConfirm, onCancel }: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef(onCancel);
  cancel.current = onCancel;

  useEffect(() => {
    const el = dialog.current;
    if (el === null) return;
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    el.showModal();
    const onClose = () => cancel.current();
    el.addEventListener('cancel', onClose);
    return () => {
      el.removeEventListener('cancel', onClose);
      if (el.open) el.close();
      if (returnTo?.isConnected) returnTo.focus({ preventScroll: true });
    };
  }, []);

  return (
    <dialog ref={dialog} className="confirm-dialog" aria-labelledby="confirm-title" data-testid="confirm-dialog">
      <h2 id="confirm-title">{title}</h2>
      <div className="confirm-body">{children}</div>
      <div className="confirm-actions">
        <button type="button" className="button" onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button type="button" className={danger ? 'button button-danger' : 'button button-primary'} onClick={onConfirm} data-testid="confirm-ok">
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
