/**
 * A project's members in the house table: user, role, since when. Those who may manage
 * members change a role in place and remove a member after a confirmation that names both
 * the member and the project; stepping down from Data Owner yourself is confirmed too.
 */
import { Trash } from 'lucide-react';
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Member, Project, Role } from '../../../protocol/projects.ts';
import { parseRole, roleChoices, roleLabel, roleSummary } from '../../app/project-rules.ts';
import { useAppState } from '../../store/app-store.ts';
import { selectAbilities, selectMe } from '../../store/projects-slice.ts';
import { ConfirmDialog } from '../common/ConfirmDialog.tsx';
import { RelativeTime } from '../common/RelativeTime.tsx';
import { useSession } from '../session-context.ts';
import { RoleBadge } from './RoleBadge.tsx';

/** Data Owners first, then by name: who to ask comes first. */
const rank = (m: Member) => (m.role === 'data-owner' ? 0 : 1);
const byRoleThenName = (a: Member, b: Member) => rank(a) - rank(b) || a.user.localeCompare(b.user);

export function MembersTable({ project }: { project: Project }) {
  const session = useSession();
  const me = useAppState(selectMe);
  const can = useAppState(useShallow(selectAbilities));
  const [removing, setRemoving] = useState<Member | null>(null);
  const [steppingDown, setSteppingDown] = useState<Role | null>(null);
  /** Members with a change in flight, so their controls do not start a second one. */
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const members = [...project.members].sort(byRoleThenName);
  const manages = can.changeRoles || can.removeMembers;

  const track = async (user: string, work: () => Promise<void>) => {
    setBusy((b) => new Set(b).add(user));
    try {
      await work();
    } finally {
      setBusy((b) => {
        const next = new Set(b);
        next.delete(user);
        return next;
      });
    }
  };

  const changeRole = (member: Member, role: Role) => {
    if (role === member.role) return;
    if (member.user === me?.name && member.role === 'data-owner') {
      setSteppingDown(role);
      return;
    }
    void track(member.user, () => session.projects.changeRole(member.user, role));
  };

  return (
    <>
      <div className="table-scroll">
        <table className="data-table members-table" data-testid="members-table">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">Member since</th>
              {manages && (
                <th scope="col" className="col-actions">
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {members.length === 0 ? (
              <tr>
                <td colSpan={manages ? 4 : 3} className="table-empty">
                  No members. A cluster admin can add one.
                </td>
              </tr>
            ) : (
              members.map((member) => (
                <tr key={member.user} data-testid="member-row" data-user={member.user} data-role={member.role}>
                  <th scope="row" className="member-cell">
                    <span className="mono">{member.user}</span>
                    {member.user === me?.name && <span className="you-tag">you</span>}
                  </th>
                  <td>
                    {can.changeRoles ? (
                      <select
                        className="select select-small"
                        value={member.role}
                        aria-label={`Role of ${member.user}`}
                        title={roleSummary(member.role)}
                        disabled={busy.has(member.user)}
                        data-testid="member-role"
                        onChange={(event) => changeRole(member, parseRole(event.target.value) ?? member.role)}
                      >
                        {roleChoices.map((r) => (
                          <option key={r} value={r}>
                            {roleLabel(r)}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <RoleBadge role={member.role} />
                    )}
                  </td>
                  <td className="num">
                    <RelativeTime atMs={member.addedAtMs} />
                  </td>
                  {manages && (
                    <td className="col-actions">
                      {can.removeMembers && (
                        <button
                          type="button"
                          className="icon-button"
                          aria-label={`Remove ${member.user} from ${project.name}`}
                          title={member.user === me?.name ? 'Leave the project' : 'Remove from the project'}
                          disabled={busy.has(member.user)}
                          data-testid="member-remove"
                          onClick={() => setRemoving(member)}
                        >
                          <Trash size={14} aria-hidden="true" />
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {removing !== null && (
        <ConfirmDialog
          title={removing.user === me?.name ? `Leave ${project.name}?` : `Remove ${removing.user} from ${project.name}?`}
          confirmLabel={removing.user === me?.name ? `Leave ${project.name}` : `Remove ${removing.user}`}
          danger
          onConfirm={() => {
            const user = removing.user;
            setRemoving(null);
            void track(user, () => session.projects.removeMember(user));
          }}
          onCancel={() => setRemoving(null)}
        >
          {removing.user === me?.name ? (
            <p>
              You stop being a {roleLabel(removing.role)} of project <strong>{project.name}</strong> and lose access to its data, jobs and
              models.
            </p>
          ) : (
            <p>
              <strong>{removing.user}</strong> stops being a {roleLabel(removing.role)} of project <strong>{project.name}</strong> and loses
              access to its data, jobs and models.
            </p>
          )}
          <p className="confirm-note">
            {removing.user === me?.name ? 'You stay' : 'They stay'} a user of the cluster; a Data Owner can add{' '}
            {removing.user === me?.name ? 'you' : 'them'} again. The audit log keeps the change.
          </p>
        </ConfirmDialog>
      )}
      {steppingDown !== null && me !== null && (
        <ConfirmDialog
          title={`Stop being a Data Owner of ${project.name}?`}
          confirmLabel={`Become a ${roleLabel(steppingDown)}`}
          danger
          onConfirm={() => {
            const role = steppingDown;
            setSteppingDown(null);
            void track(me.name, () => session.projects.changeRole(me.name, role));
          }}
          onCancel={() => setSteppingDown(null)}
        >
          <p>
            As a {roleLabel(steppingDown)} you may {roleSummary(steppingDown)}, but no longer manage members or read the audit log of{' '}
            <strong>{project.name}</strong>.
          </p>
          <p className="confirm-note">Only another Data Owner can make you one again.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
