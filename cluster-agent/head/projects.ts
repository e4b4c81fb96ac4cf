/**
 * Projects and their members, as the head serves them. Every call checks the caller's
 * permission (`permissions.ts`) before it looks any further, so a refused caller learns
 * nothing but that the project exists; every change appends its audit entry in the same
 * transaction as the change itself.
 *
 * A project always keeps at least one Data Owner: the last one can be neither removed
 * nor demoted (409 `LAST_DATA_OWNER`).
 */
import { HopsError } from '../../protocol/errors.ts';
import { roleTitles, type AuditEntry, type Member, type Project, type Role, type User } from '../../protocol/projects.ts';
import { requireAction, type ProjectAccess, type ProjectAction } from './permissions.ts';
import { projectLimits } from './project-limits.ts';
import type { ProjectRecord, ProjectStore } from './project-store.ts';

export interface CreateProject {
  name: string;
  description?: string | undefined;
}

export interface AuditPage {
  afterSeq?: number | undefined;
  limit?: number | undefined;
}

/**
 * What else keeps in step with projects (the filesystem's `/Projects/<name>`), called
 * inside the transaction of the change; throwing refuses the change.
 */
export interface ProjectHooks {
  created?: (project: ProjectRecord) => void;
  deleting?: (project: ProjectRecord) => void;
}

export class Projects {
  private readonly store: ProjectStore;
  private readonly now: () => number;
  private readonly hooks: ProjectHooks;

  constructor(store: ProjectStore, now: () => number = Date.now, hooks: ProjectHooks = {}) {
    this.store = store;
    this.now = now;
    this.hooks = hooks;
  }

  /** Projects the caller is a member of; every project for an admin. */
  list(caller: User): Project[] {
    const records = caller.admin ? this.store.projects() : this.store.projectsOf(caller.name);
    return records.map((record) => this.view(record, caller));
  }

  /** Creates a project; the caller becomes its Data Owner. */
  create(caller: User, request: CreateProject): Project {
    return this.store.transaction(() => {
      if (this.store.project(request.name) !== undefined) {
        throw new HopsError('PROJECT_EXISTS', `The cluster already has a project "${request.name}".`);
      }
      const count = this.store.countProjects();
      if (count >= projectLimits.maxProjects) {
        throw new HopsError('LIMIT_REACHED', `The cluster has ${count} projects, the most it holds (${projectLimits.maxProjects}).`, {
          hint: 'Delete a project that is no longer needed first.',
        });
      }
      const nowMs = this.now();
      const record = { name: request.name, description: request.description ?? '', createdBy: caller.name, createdAtMs: nowMs };
      const id = this.store.insertProject(record);
      this.store.insertMember(id, { user: caller.name, role: 'data-owner', addedAtMs: nowMs });
      this.hooks.created?.({ id, ...record });
      this.audit(caller, { id, name: record.name }, 'project.create', caller.name, `created, with ${caller.name} as Data Owner`);
      return this.view({ id, ...record }, caller);
    });
  }

  /** One project with its members (project.read). */
  get(caller: User, name: string): Project {
    const record = this.find(name);
    this.require(caller, record, 'project.read');
    return this.view(record, caller);
  }

  /** A project's members (project.read). */
  members(caller: User, name: string): Member[] {
    const record = this.find(name);
    this.require(caller, record, 'members.list');
    return this.store.members(record.id);
  }

  /**
   * Adds `user` with `role`, or changes the role of a member (members.manage; adding is
   * also open to admins). Setting the role a member already has changes nothing.
   */
  setMember(caller: User, name: string, user: string, role: Role): Project {
    return this.store.transaction(() => {
      const record = this.find(name);
      const existing = this.store.member(record.id, user);
      this.require(caller, record, existing === undefined ? 'member.add' : 'member.role');
      if (existing === undefined) {
        if (this.store.user(user) === undefined) {
          throw new HopsError('USER_NOT_FOUND', `The cluster has no user "${user}".`, {
            hint: 'Invite them to the project instead: they choose their user name when they redeem the invite.',
          });
        }
        const count = this.store.countMembers(record.id);
        if (count >= projectLimits.maxMembersPerProject) {
          throw new HopsError('LIMIT_REACHED', `"${name}" has ${count} members, the most a project holds (${projectLimits.maxMembersPerProject}).`, {
            hint: 'Remove members who no longer need the project first.',
          });
        }
        this.store.insertMember(record.id, { user, role, addedAtMs: this.now() });
        this.audit(caller, record, 'member.add', user, `added as ${roleTitles[role]}`);
      } else if (existing.role !== role) {
        if (existing.role === 'data-owner') this.keepAnOwner(record, user, 'demoted');
        this.store.setMemberRole(record.id, user, role);
        this.audit(caller, record, 'member.role', user, `${roleTitles[existing.role]} → ${roleTitles[role]}`);
      }
      return this.view(record, caller);
    });
  }

  /** Removes a member (members.manage); the last Data Owner stays. */
  removeMember(caller: User, name: string, user: string): Project {
    return this.store.transaction(() => {
      const record = this.find(name);
      this.require(caller, record, 'member.remove');
      const existing = this.store.member(record.id, user);
      if (existing === undefined) throw new HopsError('MEMBER_NOT_FOUND', `${user} is not a member of "${name}".`);
      if (existing.role === 'data-owner') this.keepAnOwner(record, user, 'removed');
      this.store.deleteMember(record.id, user);
      this.audit(caller, record, 'member.remove', user, `removed (was ${roleTitles[existing.role]})`);
      return this.view(record, caller);
    });
  }

  /**
   * Deletes a project, its members and open invites (project.delete). Its audit entries
   * are kept (under the project's id, so a new project of the same name starts with an
   * empty log). Only a project without datasets can be deleted (409 `PROJECT_NOT_EMPTY`).
   */
  delete(caller: User, name: string): void {
    this.store.transaction(() => {
      const record = this.find(name);
      this.require(caller, record, 'project.delete');
      this.hooks.deleting?.(record);
      this.store.deleteProject(record.id);
      this.audit(caller, record, 'project.delete', null, 'deleted');
    });
  }

  /** A project's audit entries after `afterSeq`, oldest first (audit.read). */
  auditLog(caller: User, name: string, page: AuditPage = {}): AuditEntry[] {
    const record = this.find(name);
    this.require(caller, record, 'audit.read');
    return this.store.audit(record.id, page.afterSeq ?? 0, page.limit ?? projectLimits.defaultAuditPage);
  }

  /** The project named `name`, or `PROJECT_NOT_FOUND`. */
  private find(name: string): ProjectRecord {
    const record = this.store.project(name);
    if (record === undefined) throw new HopsError('PROJECT_NOT_FOUND', `The cluster has no project "${name}".`);
    return record;
  }

  private require(caller: User, record: ProjectRecord, action: ProjectAction): void {
    requireAction(caller, this.access(caller, record), action);
  }

  private access(caller: User, record: ProjectRecord): ProjectAccess {
    return { name: record.name, role: this.store.member(record.id, caller.name)?.role ?? null };
  }

  /** Refuses to remove or demote `user` when they are the project's only Data Owner. */
  private keepAnOwner(record: ProjectRecord, user: string, change: 'removed' | 'demoted'): void {
    if (this.store.countMembers(record.id, 'data-owner') > 1) return;
    throw new HopsError('LAST_DATA_OWNER', `${user} is the last Data Owner of "${record.name}" and cannot be ${change}: a project needs at least one.`);
  }

  private audit(caller: User, record: { id: number; name: string }, action: string, target: string | null, detail: string): void {
    this.store.appendAudit({ atMs: this.now(), user: caller.name, action, projectId: record.id, project: record.name, target, detail });
  }

  private view(record: ProjectRecord, caller: User): Project {
    const members = this.store.members(record.id);
    return {
      name: record.name,
      description: record.description,
      createdBy: record.createdBy,
      createdAtMs: record.createdAtMs,
      myRole: members.find((m) => m.user === caller.name)?.role ?? null,
      members,
      ...this.store.quota(record.id),
    };
  }
}
