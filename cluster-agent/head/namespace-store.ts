/**
 * The SQL of the filesystem's namespace and block map, over the cluster database's
 * connection (tables from migration 4 in `cluster-db.ts`). Rows in, records out; no rule
 * lives here: paths, permissions and what a call does are `namespace.ts`, blocks on
 * workers `block-map.ts`.
 *
 * Inode 1 is `/`, inode 2 is `/Projects`. A name is unique among the complete children
 * of a directory (a partial unique index); files being written (`writing`) sit beside
 * them unseen. Deleting an inode cascades to its subtree, and its blocks lose their
 * file (`inode_id` NULL): they are then orphans, whose replicas the head deletes.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { FileStat, FileType, ReplicaState } from '../../protocol/fs.ts';
import { ShareStore } from './shares-store.ts';
import { inTransaction, prepared } from './sqlite.ts';
import { TrashStore } from './trash-store.ts';

export const rootInodeId = 1;
export const projectsInodeId = 2;

export interface InodeRecord {
  id: number;
  parentId: number | null;
  name: string;
  type: FileType;
  state: 'writing' | 'complete';
  size: number;
  replication: number;
  blockSize: number;
  mtimeMs: number;
  createdBy: string;
}

export interface BlockRecord {
  id: string;
  /** Null once its file is gone (an orphan, to be deleted from the workers). */
  inodeId: number | null;
  index: number;
  size: number;
  /** Null until the block's pipeline acknowledged it. */
  sha256: string | null;
}

export interface ReplicaRecord {
  blockId: string;
  hostId: string;
  state: ReplicaState;
  /** Position in the block's write pipeline. */
  ord: number;
  updatedAtMs: number;
}

/** A block of a file with its replicas, in pipeline order. */
export interface FileBlock extends BlockRecord {
  replicas: ReplicaRecord[];
}

interface InodeRow {
  id: number;
  parent_id: number | null;
  name: string;
  type: FileType;
  state: 'writing' | 'complete';
  size: number;
  replication: number;
  block_size: number;
  mtime: number;
  created_by: string;
}

interface BlockRow {
  id: string;
  inode_id: number | null;
  idx: number;
  size: number;
  sha256: string | null;
}

interface ReplicaRow {
  block_id: string;
  host_id: string;
  state: ReplicaState;
  ord: number;
  updated_at: number;
}

/** How an inode reads at `path` to a client. */
export function fileStat(path: string, inode: InodeRecord): FileStat {
  return {
    path,
    name: inode.name,
    type: inode.type,
    size: inode.size,
    replication: inode.replication,
    blockSize: inode.blockSize,
    mtimeMs: inode.mtimeMs,
    complete: inode.state === 'complete',
    createdBy: inode.createdBy,
  };
}

const toInode = (row: InodeRow): InodeRecord => ({
  id: row.id,
  parentId: row.parent_id,
  name: row.name,
  type: row.type,
  state: row.state,
  size: row.size,
  replication: row.replication,
  blockSize: row.block_size,
  mtimeMs: row.mtime,
  createdBy: row.created_by,
});
const toBlock = (row: BlockRow): BlockRecord => ({ id: row.id, inodeId: row.inode_id, index: row.idx, size: row.size, sha256: row.sha256 });
const toReplica = (row: ReplicaRow): ReplicaRecord => ({
  blockId: row.block_id,
  hostId: row.host_id,
  state: row.state,
  ord: row.ord,
  updatedAtMs: row.updated_at,
});

/** A directory a search starts from, and its path. */
export interface SearchRoot {
  id: number;
  path: string;
}

/** A search hit: the inode and its path. */
export interface SearchHit {
  inode: InodeRecord;
  path: string;
}

/** Escapes `%`, `_` and `\\` for a LIKE pattern with `ESCAPE '\\'`. */
const likeEscape = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The namespace-and-blocks tables of the cluster database. */
export class NamespaceStore {
  private readonly db: DatabaseSync;
  /** Shares of datasets with other projects (same connection, same transactions). */
  readonly shares: ShareStore;
  /** The trash (same connection, same transactions). */
  readonly trash: TrashStore;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.shares = new ShareStore(db);
    this.trash = new TrashStore(db);
    // SQLite's LIKE folds ASCII only; names in other scripts are folded by JavaScript.
    db.function('hops_fold', { deterministic: true }, (name) => String(name).toLowerCase());
  }

  /** Runs `work` in one write transaction. */
  transaction<T>(work: () => T): T {
    return inTransaction(this.db, work);
  }

  // Inodes.

  inode(id: number): InodeRecord | undefined {
    const row = prepared(this.db,'SELECT * FROM inodes WHERE id = ?').get(id) as InodeRow | undefined;
    return row === undefined ? undefined : toInode(row);
  }

  /** The complete child `name` of `parentId`. */
  child(parentId: number, name: string): InodeRecord | undefined {
    const row = prepared(this.db,"SELECT * FROM inodes WHERE parent_id = ? AND name = ? AND state = 'complete'").get(parentId, name) as InodeRow | undefined;
    return row === undefined ? undefined : toInode(row);
  }

  /** Complete children of `parentId` named after `afterName` (UTF-8 byte order), at most `limit`. */
  children(parentId: number, afterName: string | undefined, limit: number): InodeRecord[] {
    const rows = (
      afterName === undefined
        ? prepared(this.db,"SELECT * FROM inodes WHERE parent_id = ? AND state = 'complete' ORDER BY name LIMIT ?").all(parentId, limit)
        : prepared(this.db,"SELECT * FROM inodes WHERE parent_id = ? AND state = 'complete' AND name > ? ORDER BY name LIMIT ?").all(parentId, afterName, limit)
    ) as unknown as InodeRow[];
    return rows.map(toInode);
  }

  /** Whether `parentId` has a complete child. */
  hasChildren(parentId: number): boolean {
    return prepared(this.db,"SELECT 1 FROM inodes WHERE parent_id = ? AND state = 'complete' LIMIT 1").get(parentId) !== undefined;
  }

  /** Complete files and directories in the subtree under `id` (not counting `id`). */
  subtreeCounts(id: number): { files: number; dirs: number } {
    const row = prepared(
        this.db,
        `WITH RECURSIVE tree(id, type) AS (
           SELECT id, type FROM inodes WHERE parent_id = ? AND state = 'complete'
           UNION ALL
           SELECT i.id, i.type FROM inodes i JOIN tree t ON i.parent_id = t.id WHERE i.state = 'complete'
         )
         SELECT coalesce(sum(type = 'file'), 0) AS files, coalesce(sum(type = 'dir'), 0) AS dirs FROM tree`,
      )
      .get(id) as { files: number; dirs: number };
    return { files: row.files, dirs: row.dirs };
  }

  /** Bytes of the complete files in the subtree under `id` (not counting `id`). */
  subtreeBytes(id: number): number {
    const row = prepared(
        this.db,
        `WITH RECURSIVE tree(id, type, size) AS (
           SELECT id, type, size FROM inodes WHERE parent_id = ? AND state = 'complete'
           UNION ALL
           SELECT i.id, i.type, i.size FROM inodes i JOIN tree t ON i.parent_id = t.id WHERE i.state = 'complete'
         )
         SELECT coalesce(sum(CASE WHEN type = 'file' THEN size ELSE 0 END), 0) AS bytes FROM tree`,
      )
      .get(id) as { bytes: number };
    return row.bytes;
  }

  /** Drops the files being written anywhere under directory `id` (their uploads then fail). */
  deleteWritingBelow(id: number): void {
    prepared(
        this.db,
        `WITH RECURSIVE tree(id) AS (
           SELECT id FROM inodes WHERE parent_id = ? AND state = 'complete' AND type = 'dir'
           UNION ALL
           SELECT i.id FROM inodes i JOIN tree t ON i.parent_id = t.id WHERE i.state = 'complete' AND i.type = 'dir'
         )
         DELETE FROM inodes WHERE state = 'writing' AND (parent_id = ? OR parent_id IN (SELECT id FROM tree))`,
      )
      .run(id, id);
  }

  /**
   * Complete files and directories below `roots` whose name contains `query`, ignoring
   * case: the newest first (or in path order), at most `limit`. A recursive walk collects
   * the directories (with their paths), then their children are matched by SQLite's LIKE
   * (by `hops_fold` when the query is not ASCII); CROSS JOIN keeps that order, which
   * SQLite would otherwise turn around into a scan of every inode per directory.
   */
  search(roots: readonly SearchRoot[], query: string, order: 'newest' | 'path', limit: number): SearchHit[] {
    const ascii = /^[\x00-\x7f]*$/.test(query);
    const pattern = `%${likeEscape(ascii ? query : query.toLowerCase())}%`;
    const match = ascii ? "i.name LIKE ? ESCAPE '\\'" : "hops_fold(i.name) LIKE ? ESCAPE '\\'";
    const rows = prepared(
        this.db,
        `WITH RECURSIVE tree(id, path) AS (
           SELECT r.value ->> 'id', r.value ->> 'path' FROM json_each(?) r
           UNION ALL
           SELECT i.id, t.path || '/' || i.name FROM inodes i JOIN tree t ON i.parent_id = t.id WHERE i.state = 'complete' AND i.type = 'dir'
         )
         SELECT i.*, t.path || '/' || i.name AS path FROM tree t CROSS JOIN inodes i ON i.parent_id = t.id WHERE i.state = 'complete' AND ${match}
         ORDER BY ${order === 'newest' ? 'i.mtime DESC, path' : 'path'} LIMIT ?`,
      )
      .all(JSON.stringify(roots), pattern, limit) as unknown as Array<InodeRow & { path: string }>;
    return rows.map((row) => ({ inode: toInode(row), path: row.path }));
  }

  insertDir(parentId: number, name: string, createdBy: string, mtimeMs: number): InodeRecord {
    const result = prepared(this.db, "INSERT INTO inodes (parent_id, name, type, state, mtime, created_by) VALUES (?, ?, 'dir', 'complete', ?, ?)")
      .run(parentId, name, mtimeMs, createdBy);
    return this.mustInode(Number(result.lastInsertRowid));
  }

  /** A file being written: invisible until `completeFile`. */
  insertWritingFile(parentId: number, name: string, file: { replication: number; blockSize: number; createdBy: string; mtimeMs: number }): InodeRecord {
    const result = prepared(this.db, "INSERT INTO inodes (parent_id, name, type, state, replication, block_size, mtime, created_by) VALUES (?, ?, 'file', 'writing', ?, ?, ?, ?)")
      .run(parentId, name, file.replication, file.blockSize, file.mtimeMs, file.createdBy);
    return this.mustInode(Number(result.lastInsertRowid));
  }

  /** An empty file, complete at once. */
  insertEmptyFile(parentId: number, name: string, file: { replication: number; blockSize: number; createdBy: string; mtimeMs: number }): InodeRecord {
    const result = prepared(this.db, "INSERT INTO inodes (parent_id, name, type, state, replication, block_size, mtime, created_by) VALUES (?, ?, 'file', 'complete', ?, ?, ?, ?)")
      .run(parentId, name, file.replication, file.blockSize, file.mtimeMs, file.createdBy);
    return { id: Number(result.lastInsertRowid), parentId, name, type: 'file', state: 'complete', size: 0, ...file };
  }

  completeFile(id: number, size: number, mtimeMs: number): void {
    prepared(this.db,"UPDATE inodes SET state = 'complete', size = ?, mtime = ? WHERE id = ?").run(size, mtimeMs, id);
  }

  touch(id: number, mtimeMs: number): void {
    prepared(this.db,'UPDATE inodes SET mtime = ? WHERE id = ?').run(mtimeMs, id);
  }

  rename(id: number, parentId: number, name: string, mtimeMs: number): void {
    prepared(this.db,'UPDATE inodes SET parent_id = ?, name = ?, mtime = ? WHERE id = ?').run(parentId, name, mtimeMs, id);
  }

  /** Deletes `id` and its subtree; their blocks become orphans. */
  deleteInode(id: number): void {
    prepared(this.db,'DELETE FROM inodes WHERE id = ?').run(id);
  }

  /** Deletes every file left `writing` by an upload without a session (it died with the previous head); returns how many. */
  deleteWritingFiles(): number {
    // An upload session's file is kept: the session resumes it (upload-sessions.ts).
    return Number(
      prepared(this.db,"DELETE FROM inodes WHERE state = 'writing' AND id NOT IN (SELECT inode_id FROM upload_sessions)").run().changes,
    );
  }

  // Blocks and replicas.

  insertBlock(block: { id: string; inodeId: number; index: number; createdAtMs: number }): void {
    prepared(this.db,'INSERT INTO blocks (id, inode_id, idx, created_at) VALUES (?, ?, ?, ?)').run(block.id, block.inodeId, block.index, block.createdAtMs);
  }

  /** Records what the pipeline acknowledged: the block's size and digest. */
  setBlockWritten(id: string, size: number, sha256: string): void {
    prepared(this.db,'UPDATE blocks SET size = ?, sha256 = ? WHERE id = ?').run(size, sha256, id);
  }

  block(id: string): BlockRecord | undefined {
    const row = prepared(this.db,'SELECT id, inode_id, idx, size, sha256 FROM blocks WHERE id = ?').get(id) as BlockRow | undefined;
    return row === undefined ? undefined : toBlock(row);
  }

  /** A file's blocks in order, each with its replicas in pipeline order. */
  fileBlocks(inodeId: number): FileBlock[] {
    const blocks = (prepared(this.db,'SELECT id, inode_id, idx, size, sha256 FROM blocks WHERE inode_id = ? ORDER BY idx').all(inodeId) as unknown as BlockRow[]).map(toBlock);
    const replicas = prepared(this.db, 'SELECT r.* FROM replicas r JOIN blocks b ON b.id = r.block_id WHERE b.inode_id = ? ORDER BY r.block_id, r.ord')
      .all(inodeId) as unknown as ReplicaRow[];
    const byBlock = new Map<string, ReplicaRecord[]>();
    for (const row of replicas) {
      const list = byBlock.get(row.block_id) ?? [];
      list.push(toReplica(row));
      byBlock.set(row.block_id, list);
    }
    return blocks.map((block) => ({ ...block, replicas: byBlock.get(block.id) ?? [] }));
  }

  replica(blockId: string, hostId: string): ReplicaRecord | undefined {
    const row = prepared(this.db,'SELECT * FROM replicas WHERE block_id = ? AND host_id = ?').get(blockId, hostId) as ReplicaRow | undefined;
    return row === undefined ? undefined : toReplica(row);
  }

  /** Adds a replica, or changes the state of one already recorded. */
  upsertReplica(replica: { blockId: string; hostId: string; state: ReplicaState; ord: number; atMs: number }): void {
    prepared(
        this.db,
        `INSERT INTO replicas (block_id, host_id, state, ord, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(block_id, host_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      )
      .run(replica.blockId, replica.hostId, replica.state, replica.ord, replica.atMs);
  }

  /** The next pipeline position for a replica added to `blockId` after its write. */
  nextReplicaOrd(blockId: string): number {
    return (prepared(this.db,'SELECT coalesce(max(ord) + 1, 0) AS n FROM replicas WHERE block_id = ?').get(blockId) as { n: number }).n;
  }

  deleteReplica(blockId: string, hostId: string): void {
    prepared(this.db,'DELETE FROM replicas WHERE block_id = ? AND host_id = ?').run(blockId, hostId);
  }

  /** Finalized replicas of `hostId` last changed before `beforeMs`. */
  finalizedReplicasOf(hostId: string, beforeMs: number): string[] {
    const rows = prepared(this.db, "SELECT block_id FROM replicas WHERE host_id = ? AND state = 'finalized' AND updated_at < ?")
      .all(hostId, beforeMs) as unknown as Array<{ block_id: string }>;
    return rows.map((row) => row.block_id);
  }

  /** Replicas of orphaned blocks (their file is gone), at most `limit`. */
  orphanReplicas(limit: number): Array<{ blockId: string; hostId: string }> {
    const rows = prepared(this.db, 'SELECT r.block_id, r.host_id FROM blocks b JOIN replicas r ON r.block_id = b.id WHERE b.inode_id IS NULL ORDER BY r.host_id LIMIT ?')
      .all(limit) as unknown as Array<{ block_id: string; host_id: string }>;
    return rows.map((row) => ({ blockId: row.block_id, hostId: row.host_id }));
  }

  /** Forgets orphaned blocks no host holds any more; returns how many. */
  deleteBareOrphans(): number {
    return Number(
      prepared(this.db,'DELETE FROM blocks WHERE inode_id IS NULL AND NOT EXISTS (SELECT 1 FROM replicas r WHERE r.block_id = blocks.id)').run().changes,
    );
  }

  /** Orphaned blocks (tests and diagnostics). */
  countOrphans(): number {
    return (prepared(this.db,'SELECT count(*) AS n FROM blocks WHERE inode_id IS NULL').get() as { n: number }).n;
  }

  private mustInode(id: number): InodeRecord {
    const inode = this.inode(id);
    if (inode === undefined) throw new Error(`Inode ${id} vanished right after it was written.`);
    return inode;
  }
}
