/**
 * "Run a job…": the specification as a form. The command is an argument list, never a shell
 * string; sizes and durations are typed as people write them. Problems show by the field as
 * the user types (after the first attempt to run), checked with the same rules as the core;
 * a refusal from the cluster (e.g. a job that can never fit) shows above the buttons.
 */
import { Plus, X } from 'lucide-react';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { checkDraft, draftFieldOf, draftFrom, type DraftField, type DraftProblems, type JobDraft } from '../../app/job-form-model.ts';
import { appStore, useAppState } from '../../store/app-store.ts';
import type { LoadProblem } from '../../store/cluster-slice.ts';
import type { JobFormOpening } from '../../store/jobs-slice.ts';
import { Field } from '../common/Field.tsx';
import { useSession } from '../session-context.ts';
import { ListRows } from './ListRows.tsx';
import { jobsSession } from './jobs-session.ts';

function TextField(props: {
  field: DraftField & keyof JobDraft;
  label: string;
  hint?: string;
  draft: JobDraft;
  problems: DraftProblems;
  placeholder?: string;
  mono?: boolean;
  onChange(value: string): void;
}) {
  const id = `job-form-${props.field}`;
  return (
    <Field id={id} label={props.label} hint={props.hint} error={props.problems[props.field]}>
      {(describedBy) => (
        <input
          id={id}
          className={props.mono ? 'text-input mono' : 'text-input'}
          value={String(props.draft[props.field])}
          placeholder={props.placeholder}
          aria-describedby={describedBy || undefined}
          aria-invalid={props.problems[props.field] !== undefined}
          onChange={(e) => props.onChange(e.target.value)}
          data-testid={id}
        />
      )}
    </Field>
  );
}

export function JobForm({ opening }: { opening: JobFormOpening }) {
  const session = useSession();
  const projects = useAppState((s) => s.projects);
  const projectsPhase = useAppState((s) => s.projectsPhase);
  const selectedProject = useAppState((s) => s.selectedProject);
  const [draft, setDraft] = useState(() => draftFrom(opening.prefill, opening.after, opening.prefill.project ?? selectedProject ?? ''));
  const [tried, setTried] = useState(false);
  const [sending, setSending] = useState(false);
  const [refusal, setRefusal] = useState<LoadProblem | null>(null);
  const outcome = useMemo(() => checkDraft(draft), [draft]);
  const problems: DraftProblems = tried && !outcome.ok ? outcome.problems : {};
  // The head's refusal may name a field; it shows there as well as above the buttons.
  if (refusal?.field !== undefined) {
    const pointer = refusal.field.replace(/^\/spec/, '');
    const key = pointer.startsWith('/') ? draftFieldOf(pointer) : undefined;
    if (key !== undefined && problems[key] === undefined) problems[key] = refusal.message;
  }

  useEffect(() => {
    if (projectsPhase === 'idle') void session.projects.load();
  }, [projectsPhase, session]);
  useEffect(() => {
    if (draft.project === '' && projects.length > 0) setDraft((d) => ({ ...d, project: selectedProject ?? projects[0]!.name }));
  }, [projects, selectedProject, draft.project]);

  const change = (patch: Partial<JobDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setRefusal(null);
  };
  const text = (field: DraftField & keyof JobDraft, label: string, more: { hint?: string; placeholder?: string; mono?: boolean } = {}) => (
    <TextField field={field} label={label} draft={draft} problems={problems} onChange={(value) => change({ [field]: value } as Partial<JobDraft>)} {...more} />
  );

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!outcome.ok || sending) {
      const first = outcome.ok ? undefined : Object.keys(outcome.problems)[0];
      if (first !== undefined) document.getElementById(`job-form-${first.replace('.', '-')}`)?.focus();
      return;
    }
    setSending(true);
    jobsSession().notices.askPermission();
    const result = await jobsSession().actions.submit(outcome.spec, outcome.after, outcome.cron);
    setSending(false);
    if (!result.ok) setRefusal(result.problem);
  };

  const argv = [draft.command, ...draft.args];
  const scheduled = draft.cron.trim() !== '';
  const projectNames = [...new Set([...projects.map((p) => p.name), ...(draft.project === '' ? [] : [draft.project])])].sort();

  return (
    <form className="job-form" onSubmit={(e) => void onSubmit(e)} noValidate aria-label="Run a job" data-testid="job-form">
      <header className="job-form-header">
        <h1>{opening.prefill.name !== undefined ? `Run a job like ${opening.prefill.name}` : 'Run a job'}</h1>
        <button type="button" className="icon-button" aria-label="Close the form" onClick={() => appStore.getState().closeJobForm()}>
          <X size={14} aria-hidden="true" />
        </button>
      </header>

      <fieldset className="job-form-section">
        <legend>What</legend>
        <div className="field-grid">
          {text('name', 'Name', { hint: 'Letters, digits, ".", "_" and "-", e.g. train-resnet.', placeholder: 'train-resnet' })}
          <Field id="job-form-project" label="Project" error={problems.project} hint="Its datasets, members and queue.">
            {(describedBy) => (
              <select
                id="job-form-project"
                className="text-input"
                value={draft.project}
                aria-describedby={describedBy || undefined}
                onChange={(e) => change({ project: e.target.value })}
                data-testid="job-form-project"
              >
                {draft.project === '' && <option value="">Choose a project</option>}
                {projectNames.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        {text('command', 'Program', { hint: 'A file in the project or a program on the hosts’ PATH. Arguments go below, one per row: no shell splits or expands them.', placeholder: 'python', mono: true })}
        <div className="field">
          <span className="field-label">Arguments</span>
          <ListRows
            id="job-form-args"
            label="Argument"
            items={draft.args}
            placeholder="--epochs=10"
            addLabel="Add an argument"
            mono
            problemOf={(i) => problems[`args.${i}`]}
            onChange={(args) => change({ args })}
          />
          {problems.args && <p className="field-error">{problems.args}</p>}
          <p className="field-hint">
            Runs as <code className="mono job-form-argv" data-testid="job-form-argv">{JSON.stringify(argv)}</code>
          </p>
        </div>
        <div className="field">
          <span className="field-label">Environment</span>
          <div className="env-rows" role="group" aria-label="Environment variables" data-testid="job-form-env">
            {draft.env.map((row, index) => (
              <div key={index} className="env-row">
                <input
                  className="text-input mono"
                  value={row.name}
                  placeholder="NAME"
                  aria-label={`Variable ${index + 1} name`}
                  onChange={(e) => change({ env: draft.env.map((r, i) => (i === index ? { ...r, name: e.target.value } : r)) })}
                />
                <span aria-hidden="true">=</span>
                <input
                  className="text-input mono"
                  value={row.value}
                  placeholder="value"
                  aria-label={`Variable ${index + 1} value`}
                  onChange={(e) => change({ env: draft.env.map((r, i) => (i === index ? { ...r, value: e.target.value } : r)) })}
                />
                <button type="button" className="icon-button" aria-label={`Remove variable ${index + 1}`} onClick={() => change({ env: draft.env.filter((_, i) => i !== index) })}>
                  <X size={13} aria-hidden="true" />
                </button>
                {problems[`env.${index}`] && <p className="field-error list-row-error">{problems[`env.${index}`]}</p>}
              </div>
            ))}
            <button type="button" className="button button-small" onClick={() => change({ env: [...draft.env, { name: '', value: '' }] })}>
              <Plus size={12} aria-hidden="true" /> Add a variable
            </button>
            {problems.env && <p className="field-error">{problems.env}</p>}
          </div>
        </div>
      </fieldset>

      <fieldset className="job-form-section">
        <legend>Data</legend>
        <div className="field">
          <span className="field-label">Datasets to stage in (read-only)</span>
          <ListRows
            id="job-form-datasets"
            label="Dataset"
            items={draft.datasets}
            placeholder={`/Projects/${draft.project || 'demo'}/penguins`}
            addLabel="Add a dataset"
            mono
            problemOf={(i) => problems[`datasets.${i}`]}
            onChange={(datasets) => change({ datasets })}
          />
        </div>
        {text('output', 'Output dataset', { hint: 'What the job leaves in output/ is written here when it ends.', placeholder: `/Projects/${draft.project || 'demo'}/results`, mono: true })}
      </fieldset>

      <fieldset className="job-form-section">
        <legend>Resources (per host)</legend>
        <div className="field-grid job-form-grid-small">
          {text('cpus', 'CPUs')}
          {text('memory', 'Memory', { hint: '512M, 16G, 64GiB (K, M, G alone are powers of 1024).' })}
        </div>
        <div className="field">
          <span className="field-label">GPUs</span>
          <div className="job-form-choice" role="radiogroup" aria-label="GPUs">
            {(
              [
                ['none', 'None'],
                ['count', 'A number of GPUs'],
                ['per-host', 'GPUs per host × hosts'],
              ] as const
            ).map(([mode, word]) => (
              <label key={mode}>
                <input type="radio" name="gpu-mode" checked={draft.gpuMode === mode} onChange={() => change({ gpuMode: mode })} data-testid={`job-form-gpus-${mode}`} /> {word}
              </label>
            ))}
          </div>
        </div>
        {draft.gpuMode !== 'none' && (
          <div className="field-grid job-form-grid-small">
            {draft.gpuMode === 'count' ? (
              <>
                {text('gpuCount', 'GPUs')}
                <label className="job-form-check">
                  <input type="checkbox" checked={draft.spread} onChange={(e) => change({ spread: e.target.checked })} /> May spread over several hosts
                </label>
              </>
            ) : (
              <>
                {text('gpuPerHost', 'GPUs per host')}
                {text('gpuHosts', 'Hosts', { hint: 'Started on all at once, or not at all.' })}
              </>
            )}
            {text('gpuModel', 'GPU model', { hint: 'Only GPUs whose model contains this, e.g. A100.', placeholder: 'any' })}
          </div>
        )}
        {problems.spread && <p className="field-error">{problems.spread}</p>}
        {text('labels', 'Host labels', { hint: 'Only hosts with all of these, e.g. infiniband.', placeholder: 'infiniband' })}
      </fieldset>

      <fieldset className="job-form-section">
        <legend>When</legend>
        <div className="field-grid job-form-grid-small">
          {text('priority', 'Priority', { hint: '−100 to 100; higher runs first within the project.' })}
          {text('timeLimit', 'Time limit', { hint: 'e.g. 30m, 2h, 1h30m; stopped when it runs this long.', placeholder: 'none' })}
          {text('retries', 'Retries', { hint: 'Runs again after a failure, up to 10 times.' })}
        </div>
        {text('after', 'Run after', { hint: 'Job ids that must succeed first, e.g. j-12, j-13.', placeholder: 'j-12', mono: true })}
        {text('cron', 'Schedule (optional)', { hint: 'Five cron fields in UTC, e.g. "0 3 * * *"; creates a schedule that submits this job.', placeholder: 'run once, now', mono: true })}
      </fieldset>

      {refusal !== null && (
        <div className="job-form-refusal" role="alert" data-testid="job-form-refusal" data-code={refusal.code}>
          <strong>{scheduled ? 'The schedule was refused' : 'The job was refused'}:</strong> {refusal.message}
          <p className="muted">{refusal.hint}</p>
        </div>
      )}
      {tried && !outcome.ok && (
        <p className="field-error" role="alert" data-testid="job-form-problems">
          {Object.keys(outcome.problems).length === 1 ? 'One field needs a change' : `${Object.keys(outcome.problems).length} fields need a change`} before it can run.
        </p>
      )}
      <div className="job-form-actions">
        <button type="button" className="button" onClick={() => appStore.getState().closeJobForm()}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={sending} data-testid="job-form-submit">
          {sending ? 'Sending…' : scheduled ? 'Create schedule' : 'Run job'}
        </button>
      </div>
    </form>
  );
}
