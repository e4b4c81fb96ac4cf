/**
 * Adding a member: a user of the cluster and the role they get. The name is checked as the
 * head checks it; someone already in the project is pointed at the role control instead.
 * People who are not users of the cluster yet are invited instead (Invite someone…).
 */
import { UserPlus } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import type { Project, Role } from '../../../protocol/projects.ts';
import { parseRole, roleChoices, roleLabel, userNameProblem } from '../../app/project-rules.ts';
import { useSession } from '../session-context.ts';

export interface AddMemberFormProps {
  project: Project;
  /** Whether to point at invites and at the role control; an admin without a role has neither. */
  canInvite: boolean;
  canChangeRoles: boolean;
}

export function AddMemberForm({ project, canInvite, canChangeRoles }: AddMemberFormProps) {
  const session = useSession();
  const [user, setUser] = useState('');
  const [role, setRole] = useState<Role>('data-scientist');
  const [showError, setShowError] = useState(false);
  const [busy, setBusy] = useState(false);

  const name = user.trim();
  const member = project.members.find((m) => m.user === name);
  const error = !showError
    ? undefined
    : (userNameProblem(user) ??
      (member === undefined
        ? undefined
        : `${name} is already a ${roleLabel(member.role)} here${canChangeRoles ? '; change their role in the table' : ''}.`));

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setShowError(true);
    if (busy || userNameProblem(user) !== undefined || member !== undefined) return;
    setBusy(true);
    const added = await session.projects.addMember(name, role);
    setBusy(false);
    if (added) {
      setUser('');
      setShowError(false);
    }
  };

  return (
    <form className="add-member" aria-label={`Add a member to ${project.name}`} onSubmit={(event) => void onSubmit(event)} noValidate>
      <div className="add-member-fields">
        <label className="visually-hidden" htmlFor="add-member-user">
          User name
        </label>
        <input
          id="add-member-user"
          className="text-input mono"
          value={user}
          placeholder="user name, e.g. ana"
          autoComplete="off"
          spellCheck={false}
          maxLength={100}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'add-member-error' : 'add-member-hint'}
          data-testid="add-member-user"
          onChange={(event) => setUser(event.target.value)}
        />
        <label className="visually-hidden" htmlFor="add-member-role">
          Role
        </label>
        <select
          id="add-member-role"
          className="select"
          value={role}
          data-testid="add-member-role"
          onChange={(event) => setRole(parseRole(event.target.value) ?? 'data-scientist')}
        >
          {roleChoices.map((r) => (
            <option key={r} value={r}>
              {roleLabel(r)}
            </option>
          ))}
        </select>
        <button type="submit" className="button button-primary" disabled={busy} data-testid="add-member-submit">
          <UserPlus size={14} aria-hidden="true" /> {busy ? 'Adding…' : 'Add member'}
        </button>
      </div>
      {error ? (
        <p id="add-member-error" className="field-error">
          {error}
        </p>
      ) : (
        <p id="add-member-hint" className="field-hint">
          Someone who already uses this cluster.{canInvite ? ' Not a user yet? Invite them instead.' : ''}
        </p>
      )}
    </form>
  );
}
