/**
 * The wizard's first step: the cluster's name, its head and workers (each with labels), and
 * how to log in. Problems show next to their field after the first Next, and go away as
 * they are fixed.
 */
import { Plus, X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { validateDraft, type ClusterDraft, type DraftErrors, type HostDraft } from '../../app/new-cluster.ts';
import { appStore, useAppState } from '../../store/app-store.ts';
import { selectClusters } from '../../store/clusters-slice.ts';
import type { Wizard } from '../../store/wizard-slice.ts';
import { Field } from '../common/Field.tsx';
import { LabelsInput } from './LabelsInput.tsx';

const edit = (change: (draft: ClusterDraft) => ClusterDraft) => appStore.getState().wizardEdited(change);

export function HostsStep({ wizard }: { wizard: Wizard }) {
  const { draft } = wizard;
  const clusters = useAppState(selectClusters);
  const errors: DraftErrors = wizard.showErrors ? validateDraft(draft, clusters.map((c) => c.name)) : { hosts: [] };
  const workerInputs = useRef(new Map<number, HTMLInputElement>());
  const [focusWorker, setFocusWorker] = useState<number | null>(null);
  const nameInput = useRef<HTMLInputElement>(null);

  useEffect(() => nameInput.current?.focus(), []);
  useEffect(() => {
    if (focusWorker === null) return;
    workerInputs.current.get(focusWorker)?.focus();
    setFocusWorker(null);
  }, [focusWorker]);

  const addWorker = () => {
    appStore.getState().wizardWorkerAdded();
    const added = appStore.getState().wizard?.draft.workers.at(-1);
    if (added !== undefined) setFocusWorker(added.id);
  };

  const setHost = (index: number, change: Partial<HostDraft>) =>
    edit((d) =>
      index === 0 ? { ...d, head: { ...d.head, ...change } } : { ...d, workers: d.workers.map((w, i) => (i === index - 1 ? { ...w, ...change } : w)) },
    );

  const removeWorker = (index: number, id: number) => {
    appStore.getState().wizardWorkerRemoved(id);
    // Focus the row that took its place, else the Add button.
    const next = appStore.getState().wizard?.draft.workers[index - 1] ?? appStore.getState().wizard?.draft.workers.at(-1);
    if (next !== undefined) setFocusWorker(next.id);
    else document.getElementById('wizard-add-worker')?.focus();
  };

  return (
    <div className="wizard-step" data-step="hosts">
      <Field id="wizard-name-input" label="Cluster name" error={errors.name} hint="Letters, digits, dots and dashes, e.g. lab or gpu-rack.">
        {(describedBy) => (
          <input
            ref={nameInput}
            id="wizard-name-input"
            className="text-input"
            value={draft.name}
            data-testid="wizard-name"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={describedBy}
            onChange={(event) => edit((d) => ({ ...d, name: event.target.value }))}
          />
        )}
      </Field>

      <fieldset className="wizard-fieldset">
        <legend>Hosts</legend>
        <p className="field-hint">
          As for ssh: <span className="mono">user@host</span> or <span className="mono">user@host:port</span>. The head runs the cluster;
          workers join it. Labels tell jobs what a host has, e.g. <span className="mono">infiniband</span>.
        </p>
        <div className="host-rows" role="group" aria-label="Hosts of the cluster">
          <div className="host-rows-head" aria-hidden="true">
            <span>Role</span>
            <span>Host</span>
            <span>Labels</span>
            <span />
          </div>
          {[draft.head, ...draft.workers].map((host, index) => {
            const role = index === 0 ? 'Head' : `Worker ${index}`;
            const hostErrors = errors.hosts[index] ?? {};
            const errorId = `wizard-host-${host.id}-error`;
            return (
              <div key={host.id} className="host-draft-row" data-testid="wizard-host-row">
                <span className="badge" data-role={index === 0 ? 'head' : 'worker'}>
                  {index === 0 ? 'head' : 'worker'}
                </span>
                <div className="host-draft-target">
                  <input
                    ref={(el) => {
                      if (el && index > 0) workerInputs.current.set(host.id, el);
                      else workerInputs.current.delete(host.id);
                    }}
                    className="text-input mono"
                    value={host.target}
                    placeholder={index === 0 ? 'ubuntu@gpu-head' : 'ubuntu@gpu-1:22'}
                    aria-label={`${role}: user@host`}
                    aria-invalid={hostErrors.target ? true : undefined}
                    aria-describedby={hostErrors.target ? errorId : undefined}
                    data-testid={index === 0 ? 'wizard-head' : `wizard-worker-${index}`}
                    autoComplete="off"
                    spellCheck={false}
                    onChange={(event) => setHost(index, { target: event.target.value })}
                  />
                  {hostErrors.target && (
                    <p id={errorId} className="field-error">
                      {hostErrors.target}
                    </p>
                  )}
                </div>
                <LabelsInput
                  labels={host.labels}
                  onChange={(labels) => setHost(index, { labels })}
                  hostName={role.toLowerCase()}
                  testId={`wizard-labels-${index}`}
                  error={hostErrors.labels}
                />
                {index === 0 ? (
                  <span />
                ) : (
                  <button type="button" className="icon-button" aria-label={`Remove worker ${index}`} title="Remove this worker" onClick={() => removeWorker(index, host.id)}>
                    <X size={14} aria-hidden="true" />
                  </button>
                )}
              </div>
            );
          })}
        </div>
        <button type="button" id="wizard-add-worker" className="button" onClick={addWorker} data-testid="wizard-add-worker">
          <Plus size={14} aria-hidden="true" /> Add worker
        </button>
      </fieldset>

      <fieldset className="wizard-fieldset">
        <legend>Login</legend>
        <div className="field-grid">
          <Field id="wizard-key-file-input" label="Private key file" error={errors.keyFile} hint="Empty: the ssh-agent, then ~/.ssh/id_ed25519 or id_rsa.">
            {(describedBy) => (
              <input
                id="wizard-key-file-input"
                className="text-input mono"
                value={draft.keyFile}
                placeholder="~/.ssh/id_ed25519"
                data-testid="wizard-key-file"
                autoComplete="off"
                spellCheck={false}
                aria-describedby={describedBy}
                onChange={(event) => edit((d) => ({ ...d, keyFile: event.target.value }))}
              />
            )}
          </Field>
          {draft.keyFile.trim() !== '' && (
            <Field id="wizard-passphrase-input" label="Key passphrase (optional)" hint="For an encrypted key. Used for this install only; never saved.">
              {(describedBy) => (
                <input
                  id="wizard-passphrase-input"
                  className="text-input"
                  type="password"
                  value={draft.passphrase}
                  autoComplete="off"
                  data-testid="wizard-passphrase"
                  aria-describedby={describedBy}
                  onChange={(event) => edit((d) => ({ ...d, passphrase: event.target.value }))}
                />
              )}
            </Field>
          )}
          <Field id="wizard-password-input" label="Password (optional)" hint="Only if the hosts take no key. Used for this install only; never saved.">
            {(describedBy) => (
              <input
                id="wizard-password-input"
                className="text-input"
                type="password"
                value={draft.password}
                autoComplete="off"
                data-testid="wizard-password"
                aria-describedby={describedBy}
                onChange={(event) => edit((d) => ({ ...d, password: event.target.value }))}
              />
            )}
          </Field>
          <Field id="wizard-jump-input" label="Bastion (optional)" error={errors.jump} hint="A jump host every host is reached through, as ssh -J.">
            {(describedBy) => (
              <input
                id="wizard-jump-input"
                className="text-input mono"
                value={draft.jump}
                placeholder="ubuntu@bastion.example.org"
                data-testid="wizard-jump"
                autoComplete="off"
                spellCheck={false}
                aria-invalid={errors.jump ? true : undefined}
                aria-describedby={describedBy}
                onChange={(event) => edit((d) => ({ ...d, jump: event.target.value }))}
              />
            )}
          </Field>
        </div>
      </fieldset>
    </div>
  );
}
