/** The caller's or a member's role as a badge: a word always, the accent only for Data Owners. */
import type { Role } from '../../../protocol/projects.ts';
import { roleLabel, roleSummary } from '../../app/project-rules.ts';

const shortWords: Record<Role, string> = { 'data-owner': 'owner', 'data-scientist': 'scientist' };

export interface RoleBadgeProps {
  role: Role | null;
  /** The short word ("owner") for the narrow side bar; the title otherwise. */
  short?: boolean;
  /** An admin without a role sees the project as the cluster admin. */
  admin?: boolean;
}

export function RoleBadge({ role, short, admin }: RoleBadgeProps) {
  const word = role === null ? (admin ? 'admin' : 'no role') : short ? shortWords[role] : roleLabel(role);
  const title = role === null ? (admin ? 'You are not a member; you see this project as the cluster admin.' : 'You are not a member.') : `${roleLabel(role)}: may ${roleSummary(role)}.`;
  return (
    <span className="badge role-badge" data-role={role ?? 'none'} title={title}>
      {word}
    </span>
  );
}
