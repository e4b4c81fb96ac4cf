/**
 * The filesystem's namespace, as the head serves it: paths, directories, files and which
 * blocks make them, with every call checked against the caller's role in the project
 * the path belongs to (`permissions.ts`):
 *
 * - reading (stat, list, content, block locations) needs data.read;
 * - changing anything inside a dataset (mkdir, upload, remove, move) needs data.write;
 * - creating, removing or renaming a dataset (a directory right under its project) needs
 *   data.import.
 *
 * A refused caller learns only that the project exists: the path is validated, the
 * project found and the permission checked before anything under it is looked at.
 * Members of a project a dataset is shared with reach it by its own path, as far as the
 * share grants (`namespace-access.ts`); their project's listing shows it.
 *
 * Removing moves what is removed into its project's trash (`trash.ts`) unless the call
 * says `permanent`. Removing or trashing a dataset ends its shares, as does moving it
 * into another dataset; renaming it keeps them (a share names its dataset's inode).
 *
 * Uploads are a lifecycle: `beginUpload` adds an invisible `writing` file, `addBlock`
 * and `blockWritten` record each block as its pipeline starts and is acknowledged,
 * `completeUpload` makes the file visible (replacing an existing one only then, in one
 * transaction), and `abandonUpload` drops it, leaving its blocks to be reclaimed.
 */
import { HopsError } from '../../protocol/errors.ts';
import {
  fsDefaults,
  fsIsWithin,
  fsPathRules,
  parseFsPath,
  projectPath,
  quotePath,
  showPath,
  type FileStat,
  type FsPathParts,
  type FsPathRule,
  type ListPage,
  type RemoveReply,
} from '../../protocol/fs.ts';
import { roleGrants, type Permission, type User } from '../../protocol/projects.ts';
import { NamespaceAccess, type ProjectScope } from './namespace-access.ts';
import type { ProjectRecord, ProjectStore } from './project-store.ts';
import { fileStat, projectsInodeId, rootInodeId, type FileBlock, type InodeRecord, type NamespaceStore } from './namespace-store.ts';
import { endShares } from './shares.ts';
import { moveToTrash } from './trash.ts';

/** A file being uploaded, as `beginUpload` returns it. */
export interface Upload {
  inodeId: number;
  path: string;
  user: string;
  overwrite: boolean;
  replication: number;
  blockSize: number;
}

export interface UploadOptions {
  overwrite: boolean;
  blockSize: number;
  /** Chooses the replication once the path and permission are checked (may throw `NOT_ENOUGH_WORKERS`). */
  replication: () => number;
}

/** What reading a file needs: its stat and its blocks with their replicas. */
export interface ReadPlan {
  stat: FileStat;
  blocks: FileBlock[];
}

function pathRule(path: string, rule: FsPathRule, what: string, field = '/path'): HopsError {
  return new HopsError('PATH_INVALID', `Invalid path ${quotePath(path)}: ${what} (rule ${rule}: ${fsPathRules[rule]}).`, { field });
}

/** Listing cursors carry the last name returned, base64url-encoded. */
function encodeCursor(name: string): string {
  return Buffer.from(name, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const name = Buffer.from(cursor, 'base64url').toString('utf8');
  if (name === '' || encodeCursor(name) !== cursor) {
    throw new HopsError('VALIDATION', 'Invalid field "/cursor" of the query string: not a cursor this head returned.', { field: '/cursor' });
  }
  return name;
}

export class Namespace {
  private readonly store: NamespaceStore;
  private readonly projects: ProjectStore;
  private readonly now: () => number;
  private readonly access: NamespaceAccess;

  constructor(store: NamespaceStore, projects: ProjectStore, now: () => number = Date.now) {
    this.store = store;
    this.projects = projects;
    this.now = now;
    this.access = new NamespaceAccess(store, projects);
  }

  // Projects' directories, kept in step with the projects (called inside their transactions).

  /** Makes `/Projects/<name>` for a project just created. */
  projectCreated(project: ProjectRecord): void {
    if (this.store.child(projectsInodeId, project.name) === undefined) {
      this.store.insertDir(projectsInodeId, project.name, project.createdBy, project.createdAtMs);
    }
  }

  /**
   * Removes the directory of a project being deleted, and its trash (whose blocks are then
   * reclaimed); refuses (`PROJECT_NOT_EMPTY`) while it holds datasets.
   */
  projectDeleting(project: ProjectRecord): void {
    const dir = this.store.child(projectsInodeId, project.name);
    if (dir === undefined) return;
    if (this.store.hasChildren(dir.id)) {
      throw new HopsError('PROJECT_NOT_EMPTY', `"${project.name}" still holds datasets under ${projectPath(project.name)}; only an empty project can be deleted.`);
    }
    for (const inodeId of this.store.trash.inodesOf(project.id)) this.store.deleteInode(inodeId);
    this.store.deleteInode(dir.id);
  }

  // Reading.

  /** A file or directory (data.read; `/` and `/Projects` for any user). */
  stat(caller: User, path: string): FileStat {
    return this.statIn(caller, path).stat;
  }

  /** `stat`, with the inode id of the directory holding what it names (`/` has none). */
  statIn(caller: User, path: string): { stat: FileStat; dirId: number | null } {
    const parts = parseFsPath(path);
    if (parts.level === 'root' || parts.level === 'projects') {
      const inode = this.fixedDir(parts);
      return { stat: fileStat(path, inode), dirId: inode.parentId };
    }
    const scope = this.scope(caller, parts, 'data.read', `reading ${path}`);
    const inode = this.mustResolve(scope, parts);
    return { stat: fileStat(path, inode), dirId: inode.parentId };
  }

  /**
   * A page of a directory's entries in name order (data.read); a file lists as itself.
   * `/Projects` lists the projects whose data the caller may read.
   */
  list(caller: User, path: string, cursor?: string, limit: number = fsDefaults.listPage): ListPage {
    return this.listIn(caller, path, cursor, limit).page;
  }

  /** `list`, with the inode id of the directory its entries are in (a listed file's own). */
  listIn(caller: User, path: string, cursor?: string, limit: number = fsDefaults.listPage): { page: ListPage; dirId: number | null } {
    const parts = parseFsPath(path);
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (parts.level === 'root') {
      const entries = after === undefined ? [fileStat('/Projects', this.fixedDir({ ...parts, level: 'projects' }))] : [];
      return { page: { entries: entries.slice(0, limit), nextCursor: null }, dirId: rootInodeId };
    }
    if (parts.level === 'projects') return { page: this.listProjects(caller, after, limit), dirId: projectsInodeId };
    const scope = this.scope(caller, parts, 'data.read', `listing ${path}`);
    const inode = this.mustResolve(scope, parts);
    if (inode.type === 'file') return { page: { entries: after === undefined ? [fileStat(path, inode)] : [], nextCursor: null }, dirId: inode.parentId };
    const own = this.store.children(inode.id, after, limit + 1).map((child) => ({ name: child.name, stat: fileStat(`${path}/${child.name}`, child) }));
    const entries = parts.level === 'project' ? mergeByName(own, this.sharedEntries(scope.record, after, limit + 1)) : own;
    const page = entries.slice(0, limit);
    const last = page.at(-1);
    return {
      page: {
        entries: page.map((entry) => entry.stat),
        nextCursor: entries.length > limit && last !== undefined ? encodeCursor(last.name) : null,
      },
      dirId: inode.id,
    };
  }

  /** What reading a file's content needs (data.read). */
  readPlan(caller: User, path: string): ReadPlan {
    const parts = parseFsPath(path);
    if (parts.level === 'root' || parts.level === 'projects') throw this.notAFile(path);
    const scope = this.scope(caller, parts, 'data.read', `reading ${path}`);
    const inode = this.mustResolve(scope, parts);
    if (inode.type !== 'file') throw this.notAFile(path);
    return { stat: fileStat(path, inode), blocks: this.store.fileBlocks(inode.id) };
  }

  /**
   * Throws unless the caller holds `permission` on `path` now, by role or through a share:
   * the check every namespace call makes, for work that goes on after its first call (an
   * upload resumed later must be refused once a share ended).
   */
  requireAccess(caller: User, path: string, permission: Permission, doing: string): void {
    this.scope(caller, parseFsPath(path), permission, doing);
  }

  // Changing.

  /**
   * Creates a directory: a dataset right under a project (data.import) or a directory
   * inside one (data.write). With `parents`, missing directories above it are created
   * too (the dataset as well, which then needs data.import), and an existing directory
   * is no error.
   */
  mkdir(caller: User, path: string, parents = false): FileStat {
    const parts = parseFsPath(path);
    this.refuseManaged(parts, 'it is made with its project');
    const datasetPath = `${projectPath(parts.project ?? '')}/${parts.dataset ?? ''}`;
    return this.store.transaction(() => {
      const creatingDataset = `creating dataset "${parts.dataset ?? ''}"`;
      const isDataset = parts.level === 'dataset';
      const scope = this.scope(caller, parts, isDataset ? 'data.import' : 'data.write', isDataset ? creatingDataset : `creating ${path}`);
      if (parents && this.store.child(scope.dir.id, parts.dataset ?? '') === undefined) this.require(caller, scope, 'data.import', creatingDataset);
      let dir = scope.dir;
      const below = parts.names.slice(2);
      for (const [i, name] of below.entries()) {
        const here = `${projectPath(scope.record.name)}/${below.slice(0, i + 1).join('/')}`;
        const existing = this.store.child(dir.id, name);
        const last = i === below.length - 1;
        if (existing !== undefined) {
          if (existing.type !== 'dir') throw new HopsError('NOT_A_DIRECTORY', `${showPath(here)} is a file.`);
          if (last && !parents) throw new HopsError('PATH_EXISTS', `${showPath(path)} already exists.`);
          dir = existing;
          continue;
        }
        if (!last && !parents) throw new HopsError('PATH_NOT_FOUND', `${showPath(here)} does not exist.`, { hint: 'Create it first, or pass parents: true.' });
        const nowMs = this.now();
        const created = this.store.insertDir(dir.id, name, caller.name, nowMs);
        this.store.touch(dir.id, nowMs);
        if (here === datasetPath) this.audit(caller, scope.record, 'dataset.create', here, 'created');
        dir = created;
      }
      return fileStat(path, dir);
    });
  }

  /**
   * Removes a file or a directory (data.write; a dataset needs data.import); a directory
   * that holds anything only with `recursive`. It goes to its project's trash, from where
   * it can be restored until purged; with `permanent` it is deleted at once, and the
   * blocks of its files are deleted from the workers in the background.
   */
  remove(caller: User, path: string, recursive = false, permanent = false): RemoveReply {
    const parts = parseFsPath(path);
    this.refuseManaged(parts, 'it is removed with its project');
    return this.store.transaction(() => {
      const isDataset = parts.level === 'dataset';
      const scope = this.scope(caller, parts, isDataset ? 'data.import' : 'data.write', isDataset ? `deleting dataset "${parts.dataset ?? ''}"` : `removing ${path}`);
      const inode = this.mustResolve(scope, parts);
      const below = inode.type === 'dir' ? this.store.subtreeCounts(inode.id) : { files: 0, dirs: 0 };
      if (!recursive && below.files + below.dirs > 0) {
        throw new HopsError('DIRECTORY_NOT_EMPTY', `${showPath(path)} holds ${below.files} files and ${below.dirs} directories.`);
      }
      const files = below.files + (inode.type === 'file' ? 1 : 0);
      const dirs = below.dirs + (inode.type === 'dir' ? 1 : 0);
      const nowMs = this.now();
      if (isDataset) endShares(this.store, this.projects, caller, inode.id, nowMs, permanent ? 'the dataset was deleted' : 'the dataset was moved to the trash');
      if (inode.parentId !== null) this.store.touch(inode.parentId, nowMs);
      if (!permanent) {
        const trashId = moveToTrash(this.store, { inode, projectId: scope.record.id, path, files, dirs, removedBy: caller.name, removedAtMs: nowMs });
        if (isDataset) this.audit(caller, scope.record, 'dataset.trash', path, `moved to the trash (entry ${trashId}) with ${files} files and ${dirs - 1} directories`);
        return { path, files, dirs, trashId };
      }
      this.store.deleteInode(inode.id);
      if (isDataset) this.audit(caller, scope.record, 'dataset.delete', path, `deleted with ${files} files and ${dirs - 1} directories`);
      return { path, files, dirs };
    });
  }

  /**
   * Renames `from` to `to` within one project; `to` must not exist and its parent must.
   * data.write, or data.import when a dataset is renamed, made or moved into another.
   */
  move(caller: User, from: string, to: string): FileStat {
    const source = parseFsPath(from, '/from');
    const target = parseFsPath(to, '/to');
    this.refuseManaged(source, 'it moves only with its project', '/from');
    this.refuseManaged(target, 'it is made with its project', '/to');
    if (source.project !== target.project) throw pathRule(to, 'same-project', `it is in another project than ${quotePath(from)}`, '/to');
    if (fsIsWithin(to, from)) throw pathRule(to, 'not-into-itself', `it lies within ${quotePath(from)}`, '/to');
    return this.store.transaction(() => {
      const datasets = source.level === 'dataset' || target.level === 'dataset';
      const scope = this.scope(caller, source, datasets ? 'data.import' : 'data.write', datasets ? `moving ${from} to ${to} (a dataset)` : `moving ${from}`);
      const inode = this.mustResolve(scope, source);
      if (inode.type === 'file' && target.level === 'dataset') throw pathRule(to, 'inside-dataset', 'a file cannot become a dataset', '/to');
      const parent = this.resolveDir(scope, target.names.slice(0, -1));
      const name = target.names.at(-1) ?? '';
      if (this.store.child(parent.id, name) !== undefined) throw new HopsError('PATH_EXISTS', `${showPath(to)} already exists.`);
      const nowMs = this.now();
      if (inode.parentId !== null) this.store.touch(inode.parentId, nowMs);
      this.store.touch(parent.id, nowMs);
      // A dataset that becomes a folder of another dataset is no longer shareable by itself.
      if (source.level === 'dataset' && target.level !== 'dataset') endShares(this.store, this.projects, caller, inode.id, nowMs, `the dataset was moved into ${to}`);
      this.store.rename(inode.id, parent.id, name, inode.mtimeMs);
      if (datasets) this.audit(caller, scope.record, 'dataset.move', to, `moved from ${from}`);
      return fileStat(to, { ...inode, parentId: parent.id, name });
    });
  }

  // Uploads.

  /**
   * Starts an upload to `path` (data.write): the parent directory must exist, and an
   * existing file is replaced only with `overwrite` (and only once the new one is
   * complete). The file stays invisible until `completeUpload`.
   */
  beginUpload(caller: User, path: string, options: UploadOptions): Upload {
    const parts = this.fileParts(path);
    return this.store.transaction(() => {
      const { parent, name } = this.fileTarget(caller, parts, options.overwrite);
      const replication = options.replication();
      const inode = this.store.insertWritingFile(parent.id, name, { replication, blockSize: options.blockSize, createdBy: caller.name, mtimeMs: this.now() });
      return { inodeId: inode.id, path, user: caller.name, overwrite: options.overwrite, replication, blockSize: options.blockSize };
    });
  }

  /**
   * Creates an empty file at `path` (data.write), checked as `beginUpload` checks, in one
   * transaction: with no bytes to wait for, it skips the invisible writing stage.
   */
  createEmptyFile(caller: User, path: string, options: UploadOptions): FileStat {
    const parts = this.fileParts(path);
    return this.store.transaction(() => {
      const { parent, name, existing } = this.fileTarget(caller, parts, options.overwrite);
      const replication = options.replication();
      if (existing !== undefined) this.store.deleteInode(existing.id);
      const nowMs = this.now();
      const inode = this.store.insertEmptyFile(parent.id, name, { replication, blockSize: options.blockSize, createdBy: caller.name, mtimeMs: nowMs });
      this.store.touch(parent.id, nowMs);
      return fileStat(path, inode);
    });
  }

  /** Records a block about to be written to `hostIds` (in pipeline order), before a byte is sent. */
  addBlock(upload: Upload, index: number, blockId: string, hostIds: readonly string[]): void {
    this.store.transaction(() => {
      this.mustBeWriting(upload);
      const atMs = this.now();
      this.store.insertBlock({ id: blockId, inodeId: upload.inodeId, index, createdAtMs: atMs });
      hostIds.forEach((hostId, ord) => this.store.upsertReplica({ blockId, hostId, state: 'writing', ord, atMs }));
    });
  }

  /** Records a block its whole pipeline acknowledged. */
  blockWritten(upload: Upload, blockId: string, size: number, sha256: string, hostIds: readonly string[]): void {
    this.store.transaction(() => {
      this.mustBeWriting(upload);
      this.store.setBlockWritten(blockId, size, sha256);
      const atMs = this.now();
      hostIds.forEach((hostId, ord) => this.store.upsertReplica({ blockId, hostId, state: 'finalized', ord, atMs }));
    });
  }

  /** Makes an uploaded file visible, replacing the file of that name if the upload may. */
  completeUpload(upload: Upload, size: number): FileStat {
    return this.store.transaction(() => {
      const inode = this.mustBeWriting(upload);
      const parentId = inode.parentId ?? rootInodeId;
      const existing = this.store.child(parentId, inode.name);
      if (existing?.type === 'dir') throw new HopsError('NOT_A_FILE', `${showPath(upload.path)} became a directory during the upload.`);
      if (existing !== undefined) {
        if (!upload.overwrite) throw new HopsError('PATH_EXISTS', `${showPath(upload.path)} was created by someone else during the upload.`);
        this.store.deleteInode(existing.id);
      }
      const nowMs = this.now();
      this.store.completeFile(inode.id, size, nowMs);
      this.store.touch(parentId, nowMs);
      return fileStat(this.pathOf(inode), { ...inode, state: 'complete', size, mtimeMs: nowMs });
    });
  }

  /** Drops an upload that failed; its blocks are left to be reclaimed. */
  abandonUpload(upload: Upload): void {
    const inode = this.store.inode(upload.inodeId);
    if (inode?.state === 'writing') this.store.deleteInode(inode.id);
  }

  // Helpers.

  private listProjects(caller: User, after: string | undefined, limit: number): ListPage {
    const readable = this.projects
      .projectsOf(caller.name)
      .filter((project) => {
        const role = this.projects.member(project.id, caller.name)?.role;
        return role !== undefined && roleGrants(role, 'data.read') && (after === undefined || project.name > after);
      })
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const page = readable.slice(0, limit);
    const last = page.at(-1);
    return {
      entries: page.map((project) => fileStat(projectPath(project.name), this.projectDir(project))),
      nextCursor: readable.length > limit && last !== undefined ? encodeCursor(last.name) : null,
    };
  }

  /** Datasets of other projects shared with `record` and accepted, listed as `<project>::<dataset>` after `after`. */
  private sharedEntries(record: ProjectRecord, after: string | undefined, limit: number): Array<{ name: string; stat: FileStat }> {
    return this.store.shares.acceptedInto(record.id, after, limit).flatMap((share) => {
      const dataset = this.store.inode(share.datasetId);
      if (dataset === undefined) return [];
      const name = `${share.project}::${share.dataset}`;
      return [{ name, stat: { ...fileStat(share.path, dataset), name, sharedFrom: { project: share.project, dataset: share.dataset, readOnly: share.readOnly } } }];
    });
  }

  /** The project a path is in, once the caller holds `permission` on it (by role, or through a share). */
  private scope(caller: User, parts: FsPathParts, permission: Permission, doing: string): ProjectScope {
    return this.access.pathScope(caller, parts, permission, doing);
  }

  private require(caller: User, scope: ProjectScope, permission: Permission, doing: string): void {
    this.access.requireRole(caller, scope.record, permission, doing);
  }

  private projectDir(record: ProjectRecord): InodeRecord {
    return this.access.projectDir(record);
  }

  private fixedDir(parts: FsPathParts): InodeRecord {
    const inode = this.store.inode(parts.level === 'root' ? rootInodeId : projectsInodeId);
    if (inode === undefined) throw new Error('The cluster database has lost its root directories.');
    return inode;
  }

  /** The complete inode at `parts` (within `scope`), or `PATH_NOT_FOUND` naming the first missing part. */
  private mustResolve(scope: ProjectScope, parts: FsPathParts): InodeRecord {
    let inode = scope.dir;
    const below = parts.names.slice(2);
    for (const [i, name] of below.entries()) {
      const child = inode.type === 'dir' ? this.store.child(inode.id, name) : undefined;
      if (child === undefined) {
        const here = `${projectPath(scope.record.name)}/${below.slice(0, i + 1).join('/')}`;
        throw new HopsError('PATH_NOT_FOUND', here === parts.path ? `${showPath(parts.path)} does not exist.` : `${showPath(parts.path)} does not exist (${showPath(here)} does not).`);
      }
      inode = child;
    }
    return inode;
  }

  /** The directory at `names` (within `scope`). */
  private resolveDir(scope: ProjectScope, names: string[]): InodeRecord {
    const path = `/${names.join('/')}`;
    const inode = this.mustResolve(scope, { path, names, level: 'inside', project: names[1], dataset: names[2] });
    if (inode.type !== 'dir') throw new HopsError('NOT_A_DIRECTORY', `${showPath(path)} is a file.`);
    return inode;
  }

  /** The parts of a path a file may be written at: inside a dataset. */
  private fileParts(path: string): FsPathParts {
    const parts = parseFsPath(path);
    this.refuseManaged(parts, 'it is a directory made with its project');
    if (parts.level === 'dataset') throw pathRule(path, 'inside-dataset', `"${parts.dataset ?? ''}" would be a file right under the project`);
    return parts;
  }

  /** Where a file is written (data.write): its directory, its name, and the file it replaces, which needs `overwrite`. */
  private fileTarget(caller: User, parts: FsPathParts, overwrite: boolean): { parent: InodeRecord; name: string; existing: InodeRecord | undefined } {
    const scope = this.scope(caller, parts, 'data.write', `writing ${parts.path}`);
    const parent = this.resolveDir(scope, parts.names.slice(0, -1));
    const name = parts.names.at(-1) ?? '';
    const existing = this.store.child(parent.id, name);
    if (existing?.type === 'dir') throw new HopsError('NOT_A_FILE', `${showPath(parts.path)} is a directory.`);
    if (existing !== undefined && !overwrite) {
      throw new HopsError('PATH_EXISTS', `${showPath(parts.path)} already exists.`, { hint: 'Upload with overwrite=true to replace it.' });
    }
    return { parent, name, existing };
  }

  private refuseManaged(parts: FsPathParts, why: string, field = '/path'): void {
    if (parts.level === 'root' || parts.level === 'projects' || parts.level === 'project') {
      throw pathRule(parts.path, 'managed-directory', why, field);
    }
  }

  private mustBeWriting(upload: Upload): InodeRecord {
    const inode = this.store.inode(upload.inodeId);
    if (inode?.state !== 'writing') {
      throw new HopsError('PATH_NOT_FOUND', `${showPath(upload.path)} was removed (or its directory was) while it was being uploaded.`);
    }
    return inode;
  }

  /** The current path of an inode (its directory may have moved since the upload began). */
  private pathOf(inode: InodeRecord): string {
    const names: string[] = [];
    let current: InodeRecord | undefined = inode;
    while (current !== undefined && current.id !== rootInodeId) {
      names.unshift(current.name);
      current = current.parentId === null ? undefined : this.store.inode(current.parentId);
    }
    return `/${names.join('/')}`;
  }

  private notAFile(path: string): HopsError {
    return new HopsError('NOT_A_FILE', `${showPath(path)} is a directory.`);
  }

  private audit(caller: User, project: ProjectRecord, action: string, target: string, detail: string): void {
    this.projects.appendAudit({ atMs: this.now(), user: caller.name, action, projectId: project.id, project: project.name, target, detail });
  }

}

/** Two name-ordered lists as one, in UTF-8 byte order (as SQLite sorts names). */
function mergeByName<T extends { name: string }>(a: T[], b: T[]): T[] {
  const merged: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const left = a[i];
    const right = b[j];
    if (right === undefined || (left !== undefined && Buffer.compare(Buffer.from(left.name), Buffer.from(right.name)) <= 0)) {
      merged.push(left as T);
      i += 1;
    } else {
      merged.push(right);
      j += 1;
    }
  }
  return merged;
}
