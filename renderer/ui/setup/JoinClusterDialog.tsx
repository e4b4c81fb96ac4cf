/**
 * Joining a cluster with an invite code: the cluster's name here, your own SSH login on its
 * head, the client port and code from the invite, the user name you want, and a key. The
 * head's host key is shown to compare before Hopsdesk logs in, as in the new-cluster wizard.
 * Pasting the inviter's whole `hopsdesk cluster join …` command into any field fills the form.
 */
import { KeyRound, ShieldCheck, ShieldX } from 'lucide-react';
import type { ClipboardEvent, FormEvent } from 'react';
import { errorCodes } from '../../../protocol/errors.ts';
import { DEFAULT_CLIENT_PORT, parseJoinCommand, validateJoinDraft, type JoinDraft, type JoinErrors } from '../../app/join-form.ts';
import { appStore, useAppState } from '../../store/app-store.ts';
import { selectClusters } from '../../store/clusters-slice.ts';
import { joinKeysVerdict, keysOf, selectJoin, type JoinDialog } from '../../store/join-slice.ts';
import { Dialog } from '../common/Dialog.tsx';
import { Field } from '../common/Field.tsx';
import { ProjectError } from '../projects/ProjectError.tsx';
import { useSession } from '../session-context.ts';
import '../../styles/setup.css';

export function JoinClusterDialog() {
  const join = useAppState(selectJoin);
  if (join === null) return null;
  return <JoinForm join={join} />;
}

const edit = (patch: Partial<JoinDraft>) => appStore.getState().joinEdited(patch);

interface TextFieldProps {
  field: keyof JoinDraft;
  label: string;
  hint?: string;
  placeholder?: string;
  errors: JoinErrors;
  draft: JoinDraft;
  mono?: boolean;
  password?: boolean;
}

function TextField({ field, label, hint, placeholder, errors, draft, mono, password }: TextFieldProps) {
  const id = `join-${field}-input`;
  const error = field === 'passphrase' ? undefined : errors[field];
  const testId = `join-${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return (
    <Field id={id} label={label} error={error} hint={error === undefined ? hint : undefined}>
      {(describedBy) => (
        <input
          id={id}
          className={mono ? 'text-input mono' : 'text-input'}
          type={password ? 'password' : 'text'}
          value={draft[field]}
          placeholder={placeholder}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy || undefined}
          data-testid={testId}
          onChange={(event) => edit({ [field]: event.target.value })}
        />
      )}
    </Field>
  );
}

function JoinForm({ join }: { join: JoinDialog }) {
  const session = useSession();
  const clusters = useAppState(selectClusters);
  const errors: JoinErrors = join.showErrors ? validateJoinDraft(join.draft, clusters.map((c) => c.name)) : {};
  const keys = joinKeysVerdict(join);
  const busy = join.step === 'scanning' || join.step === 'joining';
  const close = () => appStore.getState().joinClosed();
  const common = { errors, draft: join.draft };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void session.join.submit();
  };
  const onPaste = (event: ClipboardEvent) => {
    const found = parseJoinCommand(event.clipboardData.getData('text'), join.draft);
    if (found === null) return;
    event.preventDefault();
    edit(found);
  };

  return (
    <Dialog title="Join a cluster with an invite" onClose={close} className="join-dialog" testId="join-dialog">
      <form className="dialog-form" onSubmit={onSubmit} onPaste={onPaste} noValidate>
        <p className="dialog-intro">
          Someone who manages a cluster sent you an invite. Hopsdesk reaches its head over your own SSH login there and redeems the code
          for a user of your own. Pasting their whole <code className="mono">hopsdesk cluster join …</code> command fills the form.
        </p>
        <div className="field-grid">
          <TextField field="name" label="Cluster name here" placeholder="lab" hint="What this workspace calls the cluster." {...common} />
          <TextField field="head" label="Your SSH login on the head" placeholder="ana@gpu-head" hint="user@host or user@host:port." mono {...common} />
          <TextField field="code" label="Invite code" mono {...common} />
          <TextField field="clientPort" label="Client port" placeholder={String(DEFAULT_CLIENT_PORT)} hint="As the invite says." mono {...common} />
          <TextField field="user" label="Your user name on the cluster" placeholder="ana" hint="Lowercase, as on Linux." mono {...common} />
          <TextField field="keyFile" label="Private key file (optional)" placeholder="~/.ssh/id_ed25519" hint="Empty: the ssh-agent, then ~/.ssh/id_ed25519 or id_rsa." mono {...common} />
          {join.draft.keyFile.trim() !== '' && (
            <TextField field="passphrase" label="Key passphrase (optional)" hint="For an encrypted key; used for this join only, never saved." password {...common} />
          )}
        </div>
        {join.scan !== null && <HostKeys join={join} />}
        {join.problem !== null && (
          <ProjectError title="Could not join the cluster" problem={join.problem} context="join" testId="join-error" />
        )}
        <div className="dialog-buttons">
          <p className="dialog-status" role="status">
            {join.step === 'scanning' ? 'Reading the host key of the head…' : join.step === 'joining' ? 'Redeeming the invite on the head…' : ''}
          </p>
          <button type="button" className="button" onClick={close} data-testid="join-cancel">
            Cancel
          </button>
          <button
            type="submit"
            className="button button-primary"
            disabled={busy || keys.changed || (join.step === 'confirm-key' && !keys.ready)}
            data-testid="join-submit"
          >
            {join.step === 'joining' ? 'Joining…' : join.step === 'scanning' ? 'Checking…' : 'Join'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The keys met on the way to the head, each trusted, to confirm, or changed (which stops the join). */
function HostKeys({ join }: { join: JoinDialog }) {
  if (join.scan === null) return null;
  return (
    <ul className="key-list join-keys">
      {keysOf(join.scan).map((key) => (
        <li key={key.target} className="key-row" data-testid="join-hostkey" data-status={key.status} data-fingerprint={key.fingerprint}>
          <div className="key-host">
            <span className="badge">{key.bastion ? 'bastion' : 'head'}</span>
            <span className="mono">{key.target}</span>
          </div>
          <p className="key-fingerprint">
            <span className="key-type">{key.keyType}</span>
            <span className="mono fingerprint">{key.fingerprint}</span>
          </p>
          {key.status === 'trusted' && (
            <p className="key-status" data-tone="healthy">
              <ShieldCheck size={14} aria-hidden="true" /> Trusted: the key Hopsdesk stored for this host before.
            </p>
          )}
          {key.status === 'new' && (
            <label className="key-confirm">
              <input
                type="checkbox"
                checked={join.confirmed.includes(key.fingerprint)}
                data-testid="join-hostkey-confirm"
                onChange={(event) => appStore.getState().joinKeyConfirmed(key.fingerprint, event.target.checked)}
              />
              <KeyRound size={14} aria-hidden="true" /> I compared this fingerprint with the host (
              <code className="mono">ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code>)
            </label>
          )}
          {key.status === 'changed' && (
            <div className="key-changed" role="alert">
              <p className="key-status" data-tone="failed">
                <ShieldX size={14} aria-hidden="true" /> The host key of {key.target} changed since {key.previousFingerprint ?? 'it was stored'}.
                Hopsdesk will not log in.
              </p>
              <p className="field-hint">{errorCodes.HOST_KEY_CHANGED.hint}</p>
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}
