/**
 * Labels of one host as chips, typed into one field: Enter, comma or space adds what was
 * typed, Backspace in the empty field takes the last chip back, each chip has its own remove
 * button. A label that does not fit the rules is refused with the reason under the field.
 */
import { X } from 'lucide-react';
import { useId, useState, type KeyboardEvent } from 'react';
import { addLabels } from '../../app/new-cluster.ts';

export interface LabelsInputProps {
  labels: string[];
  onChange(labels: string[]): void;
  /** "head", "worker 2": said to screen readers with each control. */
  hostName: string;
  testId: string;
  /** A problem with the labels already there, from the draft's validation. */
  error?: string | undefined;
}

export function LabelsInput({ labels, onChange, hostName, testId, error }: LabelsInputProps) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const errorId = useId();
  const shown = problem ?? error;

  const commit = () => {
    if (text.trim() === '') return true;
    const result = addLabels(labels, text);
    setProblem(result.problem);
    if (result.problem !== undefined) return false;
    onChange(result.labels);
    setText('');
    return true;
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if ((event.key === 'Enter' || event.key === ',' || event.key === ' ') && text.trim() !== '') {
      // Enter adds what was typed rather than submitting the step; in an empty field it submits.
      event.preventDefault();
      commit();
    } else if (event.key === ',' || event.key === ' ') {
      event.preventDefault();
    } else if (event.key === 'Backspace' && text === '' && labels.length > 0) {
      event.preventDefault();
      onChange(labels.slice(0, -1));
    }
  };

  return (
    <div className="labels-field">
      <div className="labels-input" data-invalid={shown ? 'true' : undefined}>
        {labels.length > 0 && (
          <ul className="chips" aria-label={`Labels of ${hostName}`}>
            {labels.map((label) => (
              <li key={label} className="chip">
                {label}
                <button type="button" className="chip-remove" aria-label={`Remove label ${label} from ${hostName}`} onClick={() => onChange(labels.filter((l) => l !== label))}>
                  <X size={10} aria-hidden="true" />
                </button>
              </li>
            ))}
          </ul>
        )}
        <input
          className="labels-text"
          value={text}
          aria-label={`Add labels to ${hostName}`}
          aria-invalid={shown ? true : undefined}
          aria-describedby={shown ? errorId : undefined}
          placeholder={labels.length === 0 ? 'e.g. infiniband' : ''}
          data-testid={testId}
          spellCheck={false}
          autoComplete="off"
          onChange={(event) => {
            setText(event.target.value);
            setProblem(undefined);
          }}
          onKeyDown={onKeyDown}
          onBlur={commit}
        />
      </div>
      {shown && (
        <p id={errorId} className="field-error">
          {shown}
        </p>
      )}
    </div>
  );
}
