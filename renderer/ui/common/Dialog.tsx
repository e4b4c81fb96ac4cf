/**
 * A modal on the native `<dialog>`: focus stays inside, Escape closes it, and focus returns
 * where it was. The confirmation, invite and join dialogs are built on it.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';

export interface DialogProps {
  title: string;
  children: ReactNode;
  /** Escape or a Cancel/Close button; the owner unmounts the dialog. */
  onClose(): void;
  className?: string;
  testId?: string;
}

export function Dialog({ title, children, onClose, className, testId }: DialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  const titleId = useId();

  useEffect(() => {
    const el = dialog.current;
    if (el === null) return;
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    el.showModal();
    const onCancel = () => close.current();
    el.addEventListener('cancel', onCancel);
    return () => {
      el.removeEventListener('cancel', onCancel);
      if (el.open) el.close();
      if (returnTo?.isConnected) returnTo.focus({ preventScroll: true });
    };
  }, []);

  return (
    <dialog ref={dialog} className={className === undefined ? 'dialog' : `dialog ${className}`} aria-labelledby={titleId} data-testid={testId}>
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}
