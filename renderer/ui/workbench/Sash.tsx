/**
 * A draggable divider that is also a keyboard control: a focusable `separator` whose value
 * is the size of the pane it controls, changed by arrows (Shift for bigger steps), Home, End.
 */
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';

export interface SashProps {
  /** `vertical` sits between side-by-side panes and resizes a width. */
  orientation: 'vertical' | 'horizontal';
  label: string;
  controls: string;
  value: number;
  min: number;
  max: number;
  step: number;
  /** The controlled pane lies after the sash (the bottom panel), so dragging up grows it. */
  growsBackwards?: boolean;
  onChange(value: number): void;
}

export function Sash({ orientation, label, controls, value, min, max, step, growsBackwards, onChange }: SashProps) {
  const drag = useRef<{ start: number; value: number } | null>(null);
  const position = (event: PointerEvent) => (orientation === 'vertical' ? event.clientX : event.clientY);
  const direction = growsBackwards ? -1 : 1;

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { start: position(event), value };
    document.body.dataset.resizing = orientation;
  };
  const onPointerMove = (event: PointerEvent) => {
    if (drag.current === null) return;
    onChange(drag.current.value + direction * (position(event) - drag.current.start));
  };
  const onPointerUp = (event: PointerEvent<HTMLDivElement>) => {
    drag.current = null;
    event.currentTarget.releasePointerCapture(event.pointerId);
    delete document.body.dataset.resizing;
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const amount = event.shiftKey ? step * 5 : step;
    const grow = orientation === 'vertical' ? 'ArrowRight' : growsBackwards ? 'ArrowUp' : 'ArrowDown';
    const shrink = orientation === 'vertical' ? 'ArrowLeft' : growsBackwards ? 'ArrowDown' : 'ArrowUp';
    const next: Record<string, number> = { [grow]: value + amount, [shrink]: value - amount, Home: min, End: max };
    const target = next[event.key];
    if (target === undefined) return;
    event.preventDefault();
    onChange(target);
  };

  return (
    <div
      className="sash"
      data-orientation={orientation}
      role="separator"
      tabIndex={0}
      aria-label={label}
      aria-controls={controls}
      // A vertical line between panes is a separator with vertical orientation.
      aria-orientation={orientation}
      aria-valuenow={value}
      aria-valuemin={min}
      aria-valuemax={max}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown}
    />
  );
}
