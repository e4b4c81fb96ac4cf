/**
 * Who may touch a path: the caller's role in the path's project (`permissions.ts`), or,
 * for a dataset shared with a project the caller is in, what the share grants. A share
 * grants data.read to whoever holds data.read in the project it is shared with, and
 * data.write to whoever holds data.write there when it is read-write; it never grants
 * data.import or data.share, so a shared dataset is renamed, removed and re-shared only
 * by its own project. The share is looked up (one indexed query) only when the caller's
 * own role does not decide, so members pay nothing for it.
 */
import { HopsError } from '../../protocol/errors.ts';
import { showPath, type FsPathParts } from '../../protocol/fs.ts';
import { roleGrants, roleTitles, type Permission, type User } from '../../protocol/projects.ts';
import { requirePermission } from './permissions.ts';
import type { ProjectRecord, ProjectStore } from './project-store.ts';
import { projectsInodeId, type InodeRecord, type NamespaceStore } from './namespace-store.ts';

/** A project a call works in, and its directory. */
export interface ProjectScope {
  record: ProjectRecord;
  dir: InodeRecord;
}

export class NamespaceAccess {
  private readonly store: NamespaceStore;
  private readonly projects: ProjectStore;

  constructor(store: NamespaceStore, projects: ProjectStore) {
    this.store = store;
    this.projects = projects;
  }

  /** The project named `name`, or 404 `PROJECT_NOT_FOUND`. */
  project(name: string): ProjectRecord {
    const record = this.projects.project(name);
    if (record === undefined) throw new HopsError('PROJECT_NOT_FOUND', `The cluster has no project "${name}".`);
    return record;
  }

  /** The project's directory; made if missing (a project from before the filesystem). */
  projectDir(record: ProjectRecord): InodeRecord {
    return this.store.child(projectsInodeId, record.name) ?? this.store.insertDir(projectsInodeId, record.name, record.createdBy, record.createdAtMs);
  }

  /** The project named `name`, once the caller's role there grants `permission` (shares do not count). */
  projectScope(caller: User, name: string, permission: Permission, doing: string): ProjectScope {
    const record = this.project(name);
    const scope = { record, dir: this.projectDir(record) };
    this.requireRole(caller, record, permission, doing);
    return scope;
  }

  /** The project a path is in, once the caller holds `permission` on that path (by role, or through a share of its dataset). */
  pathScope(caller: User, parts: FsPathParts, permission: Permission, doing: string): ProjectScope {
    const record = this.project(parts.project ?? '');
    const scope = { record, dir: this.projectDir(record) };
    const role = this.projects.member(record.id, caller.name)?.role ?? null;
    if (role !== null && roleGrants(role, permission)) return scope;
    const shareable = (permission === 'data.read' || permission === 'data.write') && parts.dataset !== undefined;
    const dataset = shareable ? this.store.child(scope.dir.id, parts.dataset ?? '') : undefined;
    const grants = dataset === undefined ? [] : this.store.shares.grants(dataset.id, caller.name);
    if (grants.some((grant) => roleGrants(grant.role, permission) && (permission === 'data.read' || !grant.readOnly))) return scope;
    const readOnly = grants.find((grant) => grant.readOnly && roleGrants(grant.role, permission));
    if (readOnly !== undefined) {
      throw new HopsError(
        'FORBIDDEN',
        `${caller.name} reaches ${showPath(`${parts.names.slice(0, 3).map((n) => `/${n}`).join('')}`)} through its share with "${readOnly.withProject}" ` +
          `(as a ${roleTitles[readOnly.role]}), and that share is read-only; ${doing} needs ${permission}, which a read-only share never grants.`,
        { hint: `Ask a Data Owner of "${record.name}" to share it read-write, or copy what you need into a dataset of "${readOnly.withProject}".` },
      );
    }
    requirePermission(caller, { name: record.name, role }, permission, doing);
    return scope;
  }

  /** Throws `FORBIDDEN` unless the caller's role in `record` grants `permission`. */
  requireRole(caller: User, record: ProjectRecord, permission: Permission, doing: string): void {
    const role = this.projects.member(record.id, caller.name)?.role ?? null;
    requirePermission(caller, { name: record.name, role }, permission, doing);
  }

  /** Whether the caller's role in `record` grants `permission`. */
  roleGrants(caller: User, record: ProjectRecord, permission: Permission): boolean {
    const role = this.projects.member(record.id, caller.name)?.role;
    return role !== undefined && roleGrants(role, permission);
  }
}
