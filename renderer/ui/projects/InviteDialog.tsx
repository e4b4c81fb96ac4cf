/**
 * Inviting someone to a project: pick the role they get and how long the code lasts, then
 * the one-time code and the exact command they run, each with a copy button. The code is
 * shown once and lives only in this dialog: the head keeps its hash, the log never sees it.
 */
import { Check, Copy, TriangleAlert } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import type { Role } from '../../../protocol/projects.ts';
import { INVITE_PLACEHOLDERS } from '../../app/join-form.ts';
import { parseRole, roleChoices, roleLabel, roleSummary } from '../../app/project-rules.ts';
import type { MadeInvite } from '../../app/projects.ts';
import type { LoadProblem } from '../../store/cluster-slice.ts';
import { formatExactTime } from '../../format/time.ts';
import { Dialog } from '../common/Dialog.tsx';
import { RelativeTime } from '../common/RelativeTime.tsx';
import { copyToClipboard } from '../terminal/clipboard.ts';
import { useSession } from '../session-context.ts';
import { ProjectError } from './ProjectError.tsx';

const lifetimes: ReadonlyArray<{ hours: number; title: string }> = [
  { hours: 24, title: '1 day' },
  { hours: 7 * 24, title: '7 days' },
  { hours: 30 * 24, title: '30 days' },
];

export function InviteDialog({ project, onClose }: { project: string; onClose(): void }) {
  const [invite, setInvite] = useState<MadeInvite | null>(null);
  // One dialog for both steps, so focus stays inside it when the code appears.
  return (
    <Dialog title={`Invite someone to ${project}`} onClose={onClose} className="invite-dialog" testId="invite-dialog">
      {invite === null ? <InviteAsk project={project} onMade={setInvite} onCancel={onClose} /> : <InviteMade invite={invite} onDone={onClose} />}
    </Dialog>
  );
}

function InviteAsk({ project, onMade, onCancel }: { project: string; onMade(invite: MadeInvite): void; onCancel(): void }) {
  const session = useSession();
  const [role, setRole] = useState<Role>('data-scientist');
  const [hours, setHours] = useState(7 * 24);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<LoadProblem | null>(null);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setProblem(null);
    const outcome = await session.projects.invite(role, hours);
    setBusy(false);
    if (outcome.ok) onMade(outcome.invite);
    else setProblem(outcome.problem);
  };

  return (
    <form className="dialog-form" onSubmit={(event) => void onSubmit(event)} noValidate>
      <p className="dialog-intro">
        Hopsdesk makes a one-time code. Whoever redeems it, over their own SSH login on the head host, becomes a user of the cluster and
        a member of <strong>{project}</strong>.
      </p>
      <div className="field">
        <label className="field-label" htmlFor="invite-role">
          Role
        </label>
        <select
          id="invite-role"
          className="select"
          value={role}
          data-testid="invite-role"
          onChange={(event) => setRole(parseRole(event.target.value) ?? 'data-scientist')}
        >
          {roleChoices.map((r) => (
            <option key={r} value={r}>
              {roleLabel(r)}
            </option>
          ))}
        </select>
        <p className="field-hint">
          A {roleLabel(role)} may {roleSummary(role)}.
        </p>
      </div>
      <div className="field">
        <label className="field-label" htmlFor="invite-ttl">
          Valid for
        </label>
        <select id="invite-ttl" className="select" value={hours} data-testid="invite-ttl" onChange={(event) => setHours(Number(event.target.value))}>
          {lifetimes.map((l) => (
            <option key={l.hours} value={l.hours}>
              {l.title}
            </option>
          ))}
        </select>
      </div>
      {problem !== null && <ProjectError title={`Could not make an invite to ${project}`} problem={problem} context="invite" />}
      <div className="dialog-buttons">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy} data-testid="invite-create">
          {busy ? 'Making the code…' : 'Make invite code'}
        </button>
      </div>
    </form>
  );
}

function InviteMade({ invite, onDone }: { invite: MadeInvite; onDone(): void }) {
  return (
    <div className="dialog-form" data-testid="invite-made">
      <p className="once-warning" role="note">
        <TriangleAlert size={16} aria-hidden="true" />
        <span>
          <strong>Shown once.</strong> Copy the code now and pass it on privately: Hopsdesk keeps only its hash and cannot show it again.
        </span>
      </p>
      <CopyField label="Invite code" text={invite.code} testId="invite-code" autoFocus />
      <CopyField label="The command they run" text={invite.command} testId="invite-command" wrap />
      <p className="field-hint">
        They replace <code className="mono">{INVITE_PLACEHOLDERS.name}</code> with a name for the cluster on their machine,{' '}
        <code className="mono">{INVITE_PLACEHOLDERS.login}</code> with their SSH login on {invite.headAddress}, and{' '}
        <code className="mono">{INVITE_PLACEHOLDERS.user}</code> with the user name they want here. In Hopsdesk they can paste the command
        into Cluster: Join with Invite… instead.
      </p>
      <p className="invite-expiry" data-testid="invite-expiry">
        {invite.role === null ? 'Joins the cluster only' : `Joins as ${roleLabel(invite.role)}`}; one use, valid until{' '}
        <span className="num">{formatExactTime(invite.expiresAtMs)}</span> (<RelativeTime atMs={invite.expiresAtMs} />
        ).
      </p>
      <div className="dialog-buttons">
        <button type="button" className="button button-primary" onClick={onDone} data-testid="invite-done">
          Done
        </button>
      </div>
    </div>
  );
}

interface CopyFieldProps {
  label: string;
  text: string;
  testId: string;
  /** Long text (a command) wraps instead of scrolling. */
  wrap?: boolean;
  /** Takes focus when shown (the form it replaces had it). */
  autoFocus?: boolean;
}

/** Read-only text with a copy button that says whether it worked. */
function CopyField({ label, text, testId, wrap, autoFocus }: CopyFieldProps) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await copyToClipboard(text);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <div className="field copy-field">
      <span className="field-label" id={`${testId}-label`}>
        {label}
      </span>
      <div className="copy-row">
        <code className={wrap ? 'mono copy-text copy-text-wrap' : 'mono copy-text'} aria-labelledby={`${testId}-label`} data-testid={testId}>
          {text}
        </code>
        <button
          type="button"
          className="button"
          onClick={() => void copy()}
          data-testid={`${testId}-copy`}
          aria-label={`Copy ${label.toLowerCase()}`}
          autoFocus={autoFocus}
        >
          {copied === 'copied' ? <Check size={14} aria-hidden="true" /> : <Copy size={14} aria-hidden="true" />}
          {copied === 'copied' ? 'Copied' : 'Copy'}
        </button>
      </div>
      {copied === 'failed' && <p className="field-error">The clipboard refused; select the text and copy it by hand.</p>}
    </div>
  );
}
