/**
 * Projects as the UI reasons about them: what makes a name valid (in the words a person
 * reads), what the roles are called, and what a role lets someone do on screen. Derived
 * from `protocol/projects.ts`, so the UI offers exactly what the head will allow.
 */
import { ProjectName, UserName, permissions, roleGrants, roleTitles, type Permission, type Project, type Role, type User } from '../../protocol/projects.ts';

const PROJECT_PATTERN = new RegExp(ProjectName.pattern ?? '^[a-z][a-z0-9_-]*$');
const PROJECT_MIN = ProjectName.minLength ?? 2;
const PROJECT_MAX = ProjectName.maxLength ?? 63;
const USER_PATTERN = new RegExp(UserName.pattern ?? '^[a-z_][a-z0-9._-]*$');
const USER_MAX = UserName.maxLength ?? 64;

/** The rule, said once and repeated in every message about a bad name. */
export const PROJECT_NAME_RULE = `Project names have ${PROJECT_MIN}–${PROJECT_MAX} characters: lowercase letters, digits, - and _, starting with a letter.`;
export const USER_NAME_RULE = `User names have 1–${USER_MAX} characters: lowercase letters, digits, ., _ and -, starting with a letter or _.`;

/** Why `text` cannot name a new project, or undefined when it can. */
export function projectNameProblem(text: string, existing: readonly string[] = []): string | undefined {
  const name = text.trim();
  if (name === '') return `Give the project a name, e.g. vision. ${PROJECT_NAME_RULE}`;
  if (name.length > PROJECT_MAX) return `This name has ${name.length} characters. ${PROJECT_NAME_RULE}`;
  if (!PROJECT_PATTERN.test(name)) {
    const lower = name.toLowerCase();
    if (lower !== name && PROJECT_PATTERN.test(lower) && lower.length >= PROJECT_MIN) return `Use lowercase: ${lower}. ${PROJECT_NAME_RULE}`;
    if (!/^[a-z]/.test(lower)) return `Start with a letter. ${PROJECT_NAME_RULE}`;
    const bad = [...new Set([...lower].filter((c) => !/[a-z0-9_-]/.test(c)))].map((c) => (c === ' ' ? 'spaces' : `“${c}”`));
    if (bad.length === 0) return `Use lowercase letters. ${PROJECT_NAME_RULE}`;
    return `No ${bad.join(', ')} in a project name. ${PROJECT_NAME_RULE}`;
  }
  if (name.length < PROJECT_MIN) return `Too short. ${PROJECT_NAME_RULE}`;
  if (existing.includes(name)) return `A project named ${name} exists already on this cluster; choose another name.`;
  return undefined;
}

/** Why `text` is not a user name on a cluster, or undefined when it is; `whenEmpty` words the request for one. */
export function userNameProblem(text: string, whenEmpty = 'Enter the user name they have on the cluster, e.g. ana.'): string | undefined {
  const name = text.trim();
  if (name === '') return whenEmpty;
  if (name.length > USER_MAX || !USER_PATTERN.test(name)) return USER_NAME_RULE;
  return undefined;
}

/** The roles in the order a picker offers them: the smaller one, the usual choice, first. */
export const roleChoices: readonly Role[] = ['data-scientist', 'data-owner'];

/** "Data Owner"; "No role" for an admin looking at a project they are not in. */
export function roleLabel(role: Role | null): string {
  return role === null ? 'No role' : roleTitles[role];
}

/** A role from a picker's value, a title or a short word ("owner"); null for anything else. */
export function parseRole(text: string): Role | null {
  const word = text.trim().toLowerCase().replace(/[\s_]+/g, '-');
  for (const role of roleChoices) {
    if (word === role || word === role.replace('data-', '')) return role;
  }
  return null;
}

/** How each permission reads in a sentence about a role. */
const permissionWords: Record<Permission, string> = {
  'project.read': 'see the project',
  'members.manage': 'manage members and invites',
  'audit.read': 'read the audit log',
  'data.read': 'read data',
  'data.write': 'write data',
  'data.import': 'import and export data',
  'data.share': 'share data',
  'code.run': 'run code',
  'project.delete': 'delete the project',
};

/** What a role may do, from the permissions table: "see the project, read data, …". */
export function roleSummary(role: Role): string {
  return (Object.keys(permissions) as Permission[])
    .filter((p) => roleGrants(role, p))
    .map((p) => permissionWords[p])
    .join(', ');
}

/** The project controls a person is offered. */
export interface ProjectAbilities {
  addMembers: boolean;
  changeRoles: boolean;
  removeMembers: boolean;
  invite: boolean;
  readAudit: boolean;
}

/**
 * What the caller may do in `project`. A role grants what the permissions table says; a
 * cluster admin without a role may still add members (to repair a project whose Data
 * Owners left), as the head allows, and nothing else.
 */
export function projectAbilities(project: Pick<Project, 'myRole'>, me: Pick<User, 'admin'> | null): ProjectAbilities {
  const grants = (permission: Permission) => project.myRole !== null && roleGrants(project.myRole, permission);
  const manage = grants('members.manage');
  return {
    addMembers: manage || me?.admin === true,
    changeRoles: manage,
    removeMembers: manage,
    invite: manage,
    readAudit: grants('audit.read'),
  };
}
