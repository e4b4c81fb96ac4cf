/**
 * Who may do what: the one place where the head decides. Roles grant permissions as the
 * table in `protocol/projects.ts` says (`roleGrants`); a refusal is a 403 `FORBIDDEN`
 * naming the caller, their role (or that they are not a member), what they tried, the
 * permission it needs and the roles that grant it, so a person knows whom to ask.
 *
 * A cluster admin has no role in a project by being admin. The exceptions, so that an
 * admin can see the cluster and repair a project whose Data Owners left, are the
 * `admins: true` rows of `projectActions`: reading any project and adding members to it.
 * Everything else an admin does in a project needs a role there, like anyone else.
 */
import { HopsError } from '../../protocol/errors.ts';
import { permissions, roleGrants, roleTitles, type Permission, type Role, type User } from '../../protocol/projects.ts';

/** A project as a permission check sees it: its name and the caller's role in it. */
export interface ProjectAccess {
  name: string;
  /** The caller's role; null when they are not a member. */
  role: Role | null;
}

/** How a refusal words each permission when no action names it more precisely. */
const permissionDoing: Record<Permission, string> = {
  'project.read': 'reading the project',
  'members.manage': 'managing members',
  'audit.read': 'reading the audit log',
  'data.read': 'reading data',
  'data.write': 'writing data',
  'data.import': 'importing data',
  'data.share': 'sharing data',
  'code.run': 'running code',
  'project.delete': 'deleting the project',
};

/** What a call does in a project: the permission it needs, its wording, and whether admins may do it without a role. */
export const projectActions = {
  'project.read': { permission: 'project.read', doing: 'reading the project', admins: true },
  'members.list': { permission: 'project.read', doing: 'listing members', admins: true },
  'member.add': { permission: 'members.manage', doing: 'adding members', admins: true },
  'member.role': { permission: 'members.manage', doing: 'changing roles', admins: false },
  'member.remove': { permission: 'members.manage', doing: 'removing members', admins: false },
  'audit.read': { permission: 'audit.read', doing: 'reading the audit log', admins: false },
  'invite.create': { permission: 'members.manage', doing: 'inviting members', admins: false },
  'project.delete': { permission: 'project.delete', doing: 'deleting the project', admins: false },
} as const satisfies Record<string, { permission: Permission; doing: string; admins: boolean }>;
export type ProjectAction = keyof typeof projectActions;

/**
 * Throws `FORBIDDEN` unless the caller's role in `project` grants `permission`. `doing`
 * words the refusal ("adding members"); by default the permission's own wording.
 */
export function requirePermission(user: User, project: ProjectAccess, permission: Permission, doing: string = permissionDoing[permission]): void {
  if (project.role !== null && roleGrants(project.role, permission)) return;
  const who = project.role === null ? `${user.name} is not a member of "${project.name}"` : `${user.name} is a ${roleTitles[project.role]} in "${project.name}"`;
  const granting = (permissions[permission] as readonly Role[]).map((role) => roleTitles[role]).join(' or ');
  throw new HopsError('FORBIDDEN', `${who}; ${doing} needs ${permission} (${granting}).`);
}

/** Throws `FORBIDDEN` unless the caller may do `action` in `project` (a role granting it, or an admin where admins may). */
export function requireAction(user: User, project: ProjectAccess, action: ProjectAction): void {
  const rule = projectActions[action];
  if (rule.admins && user.admin) return;
  requirePermission(user, project, rule.permission, rule.doing);
}

/** Throws `FORBIDDEN` unless the caller is a cluster admin; `doing` words the refusal ("listing users"). */
export function requireAdmin(user: User, doing: string): void {
  if (user.admin) return;
  throw new HopsError('FORBIDDEN', `${user.name} is not a cluster admin; ${doing} needs the cluster admin.`, {
    hint: 'Ask the cluster admin (who formed the cluster) to do it.',
  });
}
