/**
 * Adding a worker to an SSH cluster from the hosts table: the login, its labels and key
 * file, then the host key (and its bastion's) confirmed before anything is installed. The
 * install itself shows in the table as a provisioning row.
 */
import { useState, type FormEvent } from 'react';
import type { HostKeyScan } from '../../../protocol/cluster-setup.ts';
import { Dialog } from '../common/Dialog.tsx';
import { Field } from '../common/Field.tsx';
import { useSession } from '../session-context.ts';
import { Fingerprint } from '../setup/KeysStep.tsx';
import { LabelsInput } from '../setup/LabelsInput.tsx';

type Problem = { message: string; hint: string };
const targetPattern = /^[A-Za-z0-9._][A-Za-z0-9._-]*@[A-Za-z0-9.:_[\]-]+$/;

export function AddHostDialog({ onClose }: { onClose(): void }) {
  const session = useSession();
  const [target, setTarget] = useState('');
  const [labels, setLabels] = useState<string[]>([]);
  const [keyFile, setKeyFile] = useState('');
  const [scan, setScan] = useState<HostKeyScan | null>(null);
  const [confirmed, setConfirmed] = useState<ReadonlySet<string>>(new Set());
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  const keys = scan === null ? [] : [scan, ...(scan.via === undefined ? [] : [scan.via])];
  const changed = keys.find((k) => k.status === 'changed');
  const toConfirm = keys.filter((k) => k.status === 'new');
  const ready = scan !== null && changed === undefined && toConfirm.every((k) => confirmed.has(k.fingerprint));
  const targetError = target !== '' && !targetPattern.test(target.trim()) ? 'Give the login as user@host or user@host:port.' : undefined;

  const readKey = async () => {
    setBusy(true);
    setProblem(null);
    const result = await session.hostActions.scanKey(target.trim());
    setBusy(false);
    if ('fingerprint' in result) setScan(result);
    else setProblem(result);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (scan === null) return void (targetError === undefined && target !== '' && readKey());
    if (!ready) return;
    setBusy(true);
    const failed = await session.hostActions.add({
      target: target.trim(),
      labels,
      ...(keyFile.trim() === '' ? {} : { keyFile: keyFile.trim() }),
      acceptHostKeys: toConfirm.map((k) => k.fingerprint),
    });
    setBusy(false);
    if (failed === null) onClose();
    else setProblem(failed);
  };

  return (
    <Dialog title="Add a host" onClose={onClose} testId="add-host-dialog">
      <form className="dialog-form" onSubmit={(event) => void submit(event)} noValidate>
        <Field id="add-host-target" label="Login on the host" hint="Your SSH login, e.g. ubuntu@gpu-3; ~/.ssh/config aliases work." error={targetError}>
          {(describedBy) => (
            <input
              id="add-host-target"
              className="text-input mono"
              value={target}
              autoFocus
              aria-describedby={describedBy || undefined}
              data-testid="add-host-target"
              onChange={(event) => {
                setTarget(event.target.value);
                setScan(null);
                setConfirmed(new Set());
              }}
            />
          )}
        </Field>
        <LabelsInput labels={labels} onChange={setLabels} hostName="this host" testId="add-host-labels" />
        <Field id="add-host-key" label="Key file (optional)" hint="Else the ssh-agent, then ~/.ssh/id_ed25519 or id_rsa.">
          {(describedBy) => (
            <input id="add-host-key" className="text-input mono" value={keyFile} aria-describedby={describedBy || undefined} data-testid="add-host-key-file" onChange={(event) => setKeyFile(event.target.value)} />
          )}
        </Field>
        {keys.map((key) => (
          <div key={key.target} className="key-row" data-testid="add-host-key-row" data-status={key.status}>
            <Fingerprint keyType={key.keyType} fingerprint={key.fingerprint} />
            {key.status === 'new' && (
              <label className="key-confirm">
                <input
                  type="checkbox"
                  checked={confirmed.has(key.fingerprint)}
                  data-testid="add-host-key-confirm"
                  onChange={(event) => {
                    const next = new Set(confirmed);
                    if (event.target.checked) next.add(key.fingerprint);
                    else next.delete(key.fingerprint);
                    setConfirmed(next);
                  }}
                />
                I compared the key of {key.target} with the host
              </label>
            )}
            {key.status === 'trusted' && <p className="field-hint">{key.target}: the key stored before.</p>}
          </div>
        ))}
        {changed !== undefined && (
          <p className="field-error" role="alert">
            The host key of {changed.target} changed (it was {changed.previousFingerprint}); Hopsdesk will not connect to it.
          </p>
        )}
        {problem !== null && (
          <div className="field-error" role="alert" data-testid="add-host-error">
            <p>{problem.message}</p>
            <p className="field-hint">{problem.hint}</p>
          </div>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          {scan === null ? (
            <button type="submit" className="button button-primary" disabled={busy || target === '' || targetError !== undefined} data-testid="add-host-read-key">
              Read host key
            </button>
          ) : (
            <button type="submit" className="button button-primary" disabled={busy || !ready} data-testid="add-host-submit">
              Add host
            </button>
          )}
        </div>
      </form>
    </Dialog>
  );
}
