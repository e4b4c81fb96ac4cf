/**
 * The trash (the contract is `protocol/fs-trash.ts`). Removing a file, folder or dataset
 * moves its inode out of the namespace (`trash-store.ts`), keeping its blocks; an entry
 * records where it was, who removed it and when. Listing a project's trash needs
 * data.read there; restoring needs what removing needed (data.import for a dataset,
 * data.write inside one) and puts it back at its path, or at `to` when that is taken.
 * Entries older than `trashRetentionMs` are purged by a background pass: their inodes are
 * deleted, their blocks orphaned and then reclaimed from the workers by the block map.
 * Dataset entries are audited (`dataset.trash`, `dataset.restore`, `dataset.purge`).
 */
import { HopsError } from '../../protocol/errors.ts';
import { trashListLimit, type TrashEntry, type TrashReply } from '../../protocol/fs-trash.ts';
import { fsName, fsPathRules, parseFsPath, quotePath, showPath, type FileStat, type FsPathParts } from '../../protocol/fs.ts';
import type { User } from '../../protocol/projects.ts';
import type { AgentLog } from '../log.ts';
import { NamespaceAccess, type ProjectScope } from './namespace-access.ts';
import { fileStat, type InodeRecord, type NamespaceStore } from './namespace-store.ts';
import type { ProjectStore } from './project-store.ts';
import type { TrashRecord } from './trash-store.ts';

/** Entries purged per pass, so one pass never holds the database long. */
const purgeBatch = 100;

/** What `moveToTrash` records. */
export interface Removal {
  inode: InodeRecord;
  projectId: number;
  path: string;
  files: number;
  dirs: number;
  removedBy: string;
  removedAtMs: number;
}

/**
 * Moves a removed inode into the trash (inside the caller's transaction); returns the
 * entry's id. Files still being written below it are dropped: their uploads fail, as
 * they would if it had been deleted.
 */
export function moveToTrash(store: NamespaceStore, removal: Removal): number {
  const { inode } = removal;
  if (inode.type === 'dir') store.deleteWritingBelow(inode.id);
  const bytes = inode.type === 'file' ? inode.size : store.subtreeBytes(inode.id);
  const id = store.trash.insert({
    projectId: removal.projectId,
    inodeId: inode.id,
    path: removal.path,
    type: inode.type,
    bytes,
    files: removal.files,
    dirs: removal.dirs,
    removedBy: removal.removedBy,
    removedAtMs: removal.removedAtMs,
  });
  store.rename(inode.id, store.trash.holder(), String(id), inode.mtimeMs);
  return id;
}

export class Trash {
  private readonly store: NamespaceStore;
  private readonly projects: ProjectStore;
  private readonly access: NamespaceAccess;
  private readonly retentionMs: number;
  private readonly now: () => number;

  constructor(store: NamespaceStore, projects: ProjectStore, retentionMs: number, now: () => number = Date.now) {
    this.store = store;
    this.projects = projects;
    this.access = new NamespaceAccess(store, projects);
    this.retentionMs = retentionMs;
    this.now = now;
  }

  /** A project's trash, newest first (data.read there). */
  list(caller: User, project: string): TrashReply {
    const scope = this.access.projectScope(caller, project, 'data.read', 'listing the trash');
    return { entries: this.store.trash.entriesOf(scope.record.id, trashListLimit).map((entry) => this.view(entry)) };
  }

  /**
   * Puts entry `trashId` back at its path, or at `to` (in the same project). Needs what
   * removing it needed: data.import when a dataset is restored or made, data.write
   * otherwise. 409 `PATH_EXISTS` when the path is taken, pointing at `to`.
   */
  restore(caller: User, trashId: number, options: { project?: string | undefined; to?: string | undefined } = {}): FileStat {
    if (options.to !== undefined) parseFsPath(options.to, '/to');
    return this.store.transaction(() => {
      const entry = this.store.trash.entry(trashId);
      if (entry === undefined || (options.project !== undefined && entry.project !== options.project)) {
        throw new HopsError('TRASH_ENTRY_NOT_FOUND', `${options.project === undefined ? 'The trash' : `The trash of "${options.project}"`} has no entry ${trashId}.`);
      }
      const original = parseFsPath(entry.path);
      const target = parseFsPath(options.to ?? entry.path, options.to === undefined ? '/path' : '/to');
      if (target.level === 'root' || target.level === 'projects' || target.level === 'project') {
        throw pathRule(target.path, 'managed-directory', 'it is made with its project');
      }
      if (target.project !== original.project) throw pathRule(target.path, 'same-project', `entry ${trashId} belongs to "${entry.project}"`);
      if (entry.type === 'file' && target.level === 'dataset') throw pathRule(target.path, 'inside-dataset', 'a file cannot become a dataset');
      const datasets = original.level === 'dataset' || target.level === 'dataset';
      const scope = this.access.pathScope(caller, target, datasets ? 'data.import' : 'data.write', `restoring ${entry.path}${options.to === undefined ? '' : ` to ${target.path}`}`);
      const parent = this.parentOf(scope, target);
      const name = fsName(target.path);
      if (this.store.child(parent.id, name) !== undefined) {
        throw new HopsError('PATH_EXISTS', `${showPath(target.path)} is taken now, so entry ${trashId} cannot go back there.`, {
          hint: 'Restore it under another name (`to`, or --to PATH on the command line), or move what is there away first.',
        });
      }
      const inode = this.store.inode(entry.inodeId);
      if (inode === undefined) throw new Error(`Trash entry ${trashId} lost its inode.`);
      const nowMs = this.now();
      this.store.rename(inode.id, parent.id, name, inode.mtimeMs);
      this.store.trash.delete(entry.id);
      this.store.touch(parent.id, nowMs);
      if (datasets) {
        const detail = `restored from the trash (entry ${trashId})${target.path === entry.path ? '' : `, removed as ${entry.path}`}`;
        this.projects.appendAudit({ atMs: nowMs, user: caller.name, action: 'dataset.restore', projectId: scope.record.id, project: scope.record.name, target: target.path, detail });
      }
      return fileStat(target.path, { ...inode, name });
    });
  }

  /** Purges up to a batch of entries past their retention; returns how many (their blocks are then orphans). */
  purgeExpired(): number {
    return this.store.transaction(() => {
      const nowMs = this.now();
      const expired = this.store.trash.expired(nowMs - this.retentionMs, purgeBatch);
      for (const entry of expired) {
        this.store.deleteInode(entry.inodeId);
        if (parseFsPath(entry.path).level === 'dataset') {
          const detail = `purged from the trash (entry ${entry.id}, removed by ${entry.removedBy}) with ${entry.files} files`;
          this.projects.appendAudit({ atMs: nowMs, user: 'hopsdesk', action: 'dataset.purge', projectId: entry.projectId, project: entry.project, target: entry.path, detail });
        }
      }
      return expired.length;
    });
  }

  /**
   * Purges expired entries every `intervalMs` and has their blocks reclaimed; returns the
   * function that stops it.
   */
  startPurging(intervalMs: number, reclaimSoon: () => void, log: AgentLog): () => void {
    const timer = setInterval(() => {
      try {
        let purged = 0;
        let batch: number;
        do {
          batch = this.purgeExpired();
          purged += batch;
        } while (batch === purgeBatch);
        if (purged > 0) {
          log.info('trash entries purged', { entries: purged });
          reclaimSoon();
        }
      } catch (err) {
        log.error('purging the trash failed', { err });
      }
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** The directory `target` goes into, or 404 pointing at what is missing. */
  private parentOf(scope: ProjectScope, target: FsPathParts): InodeRecord {
    let dir = scope.dir;
    const names = target.names.slice(2, -1);
    for (const [i, name] of names.entries()) {
      const child = this.store.child(dir.id, name);
      const here = `/${target.names.slice(0, 3 + i).join('/')}`;
      if (child === undefined) {
        throw new HopsError('PATH_NOT_FOUND', `${showPath(here)} does not exist, so ${showPath(target.path)} cannot be restored there.`, {
          hint: 'Restore the folder it was in first (it may be in the trash too), or restore it elsewhere with `to`.',
        });
      }
      if (child.type !== 'dir') throw new HopsError('NOT_A_DIRECTORY', `${showPath(here)} is a file.`);
      dir = child;
    }
    return dir;
  }

  private view(entry: TrashRecord): TrashEntry {
    return {
      id: entry.id,
      project: entry.project,
      path: entry.path,
      name: fsName(entry.path),
      type: entry.type,
      size: entry.bytes,
      files: entry.files,
      dirs: entry.dirs,
      removedBy: entry.removedBy,
      removedAtMs: entry.removedAtMs,
      purgeAtMs: entry.removedAtMs + this.retentionMs,
    };
  }
}

function pathRule(path: string, rule: keyof typeof fsPathRules, what: string): HopsError {
  return new HopsError('PATH_INVALID', `Invalid path ${quotePath(path)}: ${what} (rule ${rule}: ${fsPathRules[rule]}).`, { field: '/to' });
}
