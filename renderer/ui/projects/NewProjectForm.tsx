/**
 * Creating a project, at the top of the side bar: a name (checked against the rule the head
 * applies, which the hint states) and an optional description. Enter creates, Escape cancels.
 */
import { useEffect, useRef, type FormEvent, type KeyboardEvent } from 'react';
import { PROJECT_NAME_RULE, projectNameProblem } from '../../app/project-rules.ts';
import { appStore, useAppState } from '../../store/app-store.ts';
import { selectProjects, type ProjectForm } from '../../store/projects-slice.ts';
import { Field } from '../common/Field.tsx';
import { useSession } from '../session-context.ts';
import { ProjectError } from './ProjectError.tsx';

export function NewProjectForm({ form }: { form: ProjectForm }) {
  const session = useSession();
  const projects = useAppState(selectProjects);
  const nameInput = useRef<HTMLInputElement>(null);
  const error = form.showErrors ? projectNameProblem(form.name, projects.map((p) => p.name)) : undefined;
  const close = () => appStore.getState().projectFormClosed();

  useEffect(() => nameInput.current?.focus(), []);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void session.projects.create();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || form.busy) return;
    event.preventDefault();
    close();
    document.getElementById('new-project-button')?.focus();
  };

  return (
    <form className="side-form" aria-label="New project" onSubmit={onSubmit} onKeyDown={onKeyDown} noValidate data-testid="new-project-form">
      <Field id="project-name-input" label="Project name" error={error} hint={error === undefined ? PROJECT_NAME_RULE : undefined}>
        {(describedBy) => (
          <input
            ref={nameInput}
            id="project-name-input"
            className="text-input mono"
            value={form.name}
            placeholder="vision"
            autoComplete="off"
            spellCheck={false}
            maxLength={100}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy || undefined}
            data-testid="project-name-input"
            onChange={(event) => appStore.getState().projectFormEdited({ name: event.target.value })}
          />
        )}
      </Field>
      <Field id="project-description-input" label="Description (optional)">
        {() => (
          <textarea
            id="project-description-input"
            className="text-input text-area"
            rows={2}
            maxLength={2000}
            value={form.description}
            placeholder="What the project is for"
            data-testid="project-description-input"
            onChange={(event) => appStore.getState().projectFormEdited({ description: event.target.value })}
          />
        )}
      </Field>
      {form.problem !== null && (
        <ProjectError
          title={`Could not create project ${form.name.trim()}`}
          problem={form.problem}
          context="create"
          onDismiss={() => appStore.getState().projectFormChanged({ problem: null })}
        />
      )}
      <div className="side-form-buttons">
        <button type="button" className="button" onClick={close} disabled={form.busy}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={form.busy} data-testid="project-create">
          {form.busy ? 'Creating…' : 'Create'}
        </button>
      </div>
    </form>
  );
}
