/**
 * The SQL of the trash (table `trash`, migration 5 in `cluster-db.ts`). A trashed file or
 * directory keeps its inode (and so its blocks), moved under the hidden `.trash`
 * directory, which has no parent and is therefore outside `/`: no path resolves into it,
 * no listing or search reaches it. Its name there is its entry's id, unique by
 * construction. Deleting the inode (a purge) deletes the entry with it and orphans the
 * blocks, which the block map then reclaims. Rules live in `trash.ts`.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { FileType } from '../../protocol/fs.ts';

export interface TrashRecord {
  id: number;
  projectId: number;
  project: string;
  inodeId: number;
  path: string;
  type: FileType;
  bytes: number;
  files: number;
  dirs: number;
  removedBy: string;
  removedAtMs: number;
}

interface TrashRow {
  id: number;
  project_id: number;
  project: string;
  inode_id: number;
  path: string;
  type: FileType;
  bytes: number;
  files: number;
  dirs: number;
  removed_by: string;
  removed_at: number;
}

const selectTrash = 'SELECT tr.*, p.name AS project FROM trash tr JOIN projects p ON p.id = tr.project_id';

const toRecord = (row: TrashRow): TrashRecord => ({
  id: row.id,
  projectId: row.project_id,
  project: row.project,
  inodeId: row.inode_id,
  path: row.path,
  type: row.type,
  bytes: row.bytes,
  files: row.files,
  dirs: row.dirs,
  removedBy: row.removed_by,
  removedAtMs: row.removed_at,
});

/** The trash table of the cluster database. */
export class TrashStore {
  private readonly db: DatabaseSync;
  private holderId: number | undefined;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** The hidden directory trashed inodes hang under (made by migration 5). */
  holder(): number {
    if (this.holderId === undefined) {
      const row = this.db.prepare("SELECT id FROM inodes WHERE parent_id IS NULL AND name = '.trash'").get() as { id: number } | undefined;
      if (row === undefined) throw new Error('The cluster database has lost its .trash directory.');
      this.holderId = row.id;
    }
    return this.holderId;
  }

  /** Records an entry; the caller then moves the inode under `holder()` named by the returned id. */
  insert(entry: Omit<TrashRecord, 'id' | 'project'>): number {
    const result = this.db
      .prepare('INSERT INTO trash (project_id, inode_id, path, type, bytes, files, dirs, removed_by, removed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(entry.projectId, entry.inodeId, entry.path, entry.type, entry.bytes, entry.files, entry.dirs, entry.removedBy, entry.removedAtMs);
    return Number(result.lastInsertRowid);
  }

  entry(id: number): TrashRecord | undefined {
    const row = this.db.prepare(`${selectTrash} WHERE tr.id = ?`).get(id) as TrashRow | undefined;
    return row === undefined ? undefined : toRecord(row);
  }

  /** A project's entries, newest first, at most `limit`. */
  entriesOf(projectId: number, limit: number): TrashRecord[] {
    return (this.db.prepare(`${selectTrash} WHERE tr.project_id = ? ORDER BY tr.removed_at DESC, tr.id DESC LIMIT ?`).all(projectId, limit) as unknown as TrashRow[]).map(
      toRecord,
    );
  }

  /** Entries removed before `beforeMs`, oldest first, at most `limit`. */
  expired(beforeMs: number, limit: number): TrashRecord[] {
    return (this.db.prepare(`${selectTrash} WHERE tr.removed_at < ? ORDER BY tr.removed_at LIMIT ?`).all(beforeMs, limit) as unknown as TrashRow[]).map(toRecord);
  }

  /** The inodes of a project's entries (to delete with the project). */
  inodesOf(projectId: number): number[] {
    return (this.db.prepare('SELECT inode_id FROM trash WHERE project_id = ?').all(projectId) as unknown as Array<{ inode_id: number }>).map((row) => row.inode_id);
  }

  /** Forgets an entry whose inode went back into the namespace. */
  delete(id: number): void {
    this.db.prepare('DELETE FROM trash WHERE id = ?').run(id);
  }
}
