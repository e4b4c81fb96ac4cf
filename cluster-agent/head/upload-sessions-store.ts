/**
 * The SQL of upload sessions and project quotas, over the cluster database's connection
 * (the `upload_sessions` table and the `quota_bytes`/`used_bytes` columns of `projects`,
 * from the uploads migration in `cluster-db.ts`). Rows in, records out; the rules are
 * `upload-sessions.ts` and `quotas.ts`.
 *
 * A session owns an invisible `writing` inode and the blocks committed into it so far;
 * removing that inode (an abandoned upload, its directory removed) removes the session.
 * `used_bytes` is never written here: triggers of the migration keep it equal to the
 * sizes of the project's complete files plus what its sessions reserve, in the same
 * transaction as each change, whichever code makes it.
 */
import type { DatabaseSync } from 'node:sqlite';
import { commitTogether, inTransaction, prepared } from './sqlite.ts';

export interface UploadSessionRecord {
  id: string;
  inodeId: number;
  projectId: number;
  /** The path the upload was opened for. */
  path: string;
  user: string;
  /** Declared size; null when the client did not know it. */
  size: number | null;
  overwrite: boolean;
  blockSize: number;
  replication: number;
  committedBytes: number;
  committedBlocks: number;
  /** What the session counts against its project's quota: `size`, or the bytes committed when unknown. */
  reservedBytes: number;
  createdAtMs: number;
  expiresAtMs: number;
}

interface SessionRow {
  id: string;
  inode_id: number;
  project_id: number;
  path: string;
  user_name: string;
  size: number | null;
  overwrite: number;
  block_size: number;
  replication: number;
  committed_bytes: number;
  committed_blocks: number;
  reserved_bytes: number;
  created_at: number;
  expires_at: number;
}

const toSession = (row: SessionRow): UploadSessionRecord => ({
  id: row.id,
  inodeId: row.inode_id,
  projectId: row.project_id,
  path: row.path,
  user: row.user_name,
  size: row.size,
  overwrite: row.overwrite === 1,
  blockSize: row.block_size,
  replication: row.replication,
  committedBytes: row.committed_bytes,
  committedBlocks: row.committed_blocks,
  reservedBytes: row.reserved_bytes,
  createdAtMs: row.created_at,
  expiresAtMs: row.expires_at,
});

export class UploadSessionStore {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** Runs `work` in one write transaction (other stores' transactions inside become savepoints of it). */
  transaction<T>(work: () => T): T {
    return inTransaction(this.db, work);
  }

  /**
   * Runs `work` now in a transaction shared with the changes of concurrent requests, and
   * resolves once it is committed (`commitTogether`): what an upload acknowledges is on
   * disk, and concurrent uploads share the fsync.
   */
  together<T>(work: () => T): Promise<T> {
    return commitTogether(this.db, work);
  }

  // Sessions.

  insert(session: UploadSessionRecord): void {
    prepared(
        this.db,
        `INSERT INTO upload_sessions (id, inode_id, project_id, path, user_name, size, overwrite, block_size, replication,
           committed_bytes, committed_blocks, reserved_bytes, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        session.id,
        session.inodeId,
        session.projectId,
        session.path,
        session.user,
        session.size,
        session.overwrite ? 1 : 0,
        session.blockSize,
        session.replication,
        session.committedBytes,
        session.committedBlocks,
        session.reservedBytes,
        session.createdAtMs,
        session.expiresAtMs,
      );
  }

  session(id: string): UploadSessionRecord | undefined {
    const row = prepared(this.db,'SELECT * FROM upload_sessions WHERE id = ?').get(id) as SessionRow | undefined;
    return row === undefined ? undefined : toSession(row);
  }

  /** Records a block committed: the new totals, the reservation and the new expiry. */
  committed(id: string, change: { committedBytes: number; committedBlocks: number; reservedBytes: number; expiresAtMs: number }): void {
    prepared(this.db, 'UPDATE upload_sessions SET committed_bytes = ?, committed_blocks = ?, reserved_bytes = ?, expires_at = ? WHERE id = ?')
      .run(change.committedBytes, change.committedBlocks, change.reservedBytes, change.expiresAtMs, id);
  }

  /** Fixes the size of a session that had none (its last bytes arrived). */
  declareSize(id: string, size: number): void {
    prepared(this.db,'UPDATE upload_sessions SET size = ? WHERE id = ?').run(size, id);
  }

  /** Pushes a session's expiry back (it was used). */
  touch(id: string, expiresAtMs: number): void {
    prepared(this.db,'UPDATE upload_sessions SET expires_at = ? WHERE id = ?').run(expiresAtMs, id);
  }

  delete(id: string): void {
    prepared(this.db,'DELETE FROM upload_sessions WHERE id = ?').run(id);
  }

  /** Sessions whose expiry is at or before `nowMs`, at most `limit`. */
  expired(nowMs: number, limit: number): UploadSessionRecord[] {
    const rows = prepared(this.db,'SELECT * FROM upload_sessions WHERE expires_at <= ? ORDER BY expires_at LIMIT ?').all(nowMs, limit) as unknown as SessionRow[];
    return rows.map(toSession);
  }

  /** How many sessions `user` holds open. */
  countOpenBy(user: string): number {
    return (prepared(this.db,'SELECT count(*) AS n FROM upload_sessions WHERE user_name = ?').get(user) as { n: number }).n;
  }

  /**
   * Detaches the blocks of `inodeId` from index `fromIndex` on — written, or half written,
   * by an append that did not commit them — so the reclaimer deletes their replicas and a
   * resumed append writes those indexes afresh. Returns how many.
   */
  dropUncommittedBlocks(inodeId: number, fromIndex: number): number {
    return Number(prepared(this.db,'UPDATE blocks SET inode_id = NULL WHERE inode_id = ? AND idx >= ?').run(inodeId, fromIndex).changes);
  }

  /** Detaches one block (its pipeline failed before it was committed). */
  dropBlock(blockId: string): void {
    prepared(this.db,'UPDATE blocks SET inode_id = NULL WHERE id = ?').run(blockId);
  }

  // Quotas.

  /** Sets a project's byte quota (null: none); its usage is the triggers' (see the module comment). */
  setQuota(projectId: number, quotaBytes: number | null): void {
    prepared(this.db,'UPDATE projects SET quota_bytes = ? WHERE id = ?').run(quotaBytes, projectId);
  }
}
