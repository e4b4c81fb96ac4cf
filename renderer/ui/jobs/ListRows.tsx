/**
 * An editable list of text rows (the arguments, the datasets): one input per item, added
 * and removed one at a time, each with its own problem shown under it.
 */
import { Plus, X } from 'lucide-react';

export interface ListRowsProps {
  id: string;
  label: string;
  items: string[];
  placeholder: string;
  addLabel: string;
  /** Problem of row i, if any. */
  problemOf(index: number): string | undefined;
  onChange(items: string[]): void;
  mono?: boolean;
}

export function ListRows({ id, label, items, placeholder, addLabel, problemOf, onChange, mono }: ListRowsProps) {
  const set = (index: number, value: string) => onChange(items.map((item, i) => (i === index ? value : item)));
  return (
    <div className="list-rows" role="group" aria-label={label} data-testid={id}>
      {items.map((item, index) => {
        const problem = problemOf(index);
        return (
          <div key={index} className="list-row">
            <span className="list-row-index num muted" aria-hidden="true">
              {index + 1}
            </span>
            <input
              id={`${id}-${index}`}
              className={mono ? 'text-input mono' : 'text-input'}
              value={item}
              placeholder={placeholder}
              aria-label={`${label} ${index + 1}`}
              aria-invalid={problem !== undefined}
              onChange={(e) => set(index, e.target.value)}
              data-testid={`${id}-item`}
            />
            <button type="button" className="icon-button" aria-label={`Remove ${label.toLowerCase()} ${index + 1}`} onClick={() => onChange(items.filter((_, i) => i !== index))}>
              <X size={13} aria-hidden="true" />
            </button>
            {problem !== undefined && <p className="field-error list-row-error">{problem}</p>}
          </div>
        );
      })}
      <button type="button" className="button button-small" onClick={() => onChange([...items, ''])} data-testid={`${id}-add`}>
        <Plus size={12} aria-hidden="true" /> {addLabel}
      </button>
    </div>
  );
}
