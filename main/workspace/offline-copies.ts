/**
 * The record of offline copies: which file or directory of which cluster was copied into
 * the workspace, how big, whole or sampled, and when. The files themselves live under
 * `<workspace>/offline/` (main/offline/).
 */
import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { OfflineCopy } from '../../protocol/previews.ts';

interface CopyRow {
  cluster: string;
  path: string;
  type: 'file' | 'dir';
  bytes: number;
  files: number;
  sample_rows: number | null;
  copied_at: number;
}

const columns = 'c.name AS cluster, o.path, o.type, o.bytes, o.files, o.sample_rows, o.copied_at';

export class OfflineCopyRecords {
  private readonly selectAll: Statement<[string], CopyRow>;
  private readonly selectOne: Statement<[string, string], CopyRow>;
  private readonly removeOne: Statement<[string, string]>;
  private readonly replace: Transaction<(copy: OfflineCopy) => void>;

  constructor(db: Database) {
    this.selectAll = db.prepare(`SELECT ${columns} FROM offline_copies o JOIN clusters c ON c.id = o.cluster_id WHERE c.name = ? ORDER BY o.path`);
    this.selectOne = db.prepare(`SELECT ${columns} FROM offline_copies o JOIN clusters c ON c.id = o.cluster_id WHERE c.name = ? AND o.path = ?`);
    this.removeOne = db.prepare('DELETE FROM offline_copies WHERE cluster_id = (SELECT id FROM clusters WHERE name = ?) AND path = ?');
    const removeInside = db.prepare<[string, string, string]>(
      // substr, not LIKE or GLOB: a path may hold their wildcards.
      "DELETE FROM offline_copies WHERE cluster_id = (SELECT id FROM clusters WHERE name = ?) AND substr(path, 1, length(?) + 1) = ? || '/'",
    );
    const upsert = db.prepare<[string, string, string, number, number, number | null, number]>(
      `INSERT INTO offline_copies (cluster_id, path, type, bytes, files, sample_rows, copied_at)
       VALUES ((SELECT id FROM clusters WHERE name = ?), ?, ?, ?, ?, ?, ?)
       ON CONFLICT (cluster_id, path) DO UPDATE SET type = excluded.type, bytes = excluded.bytes, files = excluded.files,
         sample_rows = excluded.sample_rows, copied_at = excluded.copied_at`,
    );
    this.replace = db.transaction((copy: OfflineCopy) => {
      removeInside.run(copy.cluster, copy.path, copy.path);
      upsert.run(copy.cluster, copy.path, copy.type, copy.bytes, copy.files, copy.sampleRows, copy.copiedAtMs);
    });
  }

  /** A cluster's copies, by path. */
  list(cluster: string): OfflineCopy[] {
    return this.selectAll.all(cluster).map(toCopy);
  }

  /** The copy of exactly `path`, if there is one. */
  get(cluster: string, path: string): OfflineCopy | undefined {
    const row = this.selectOne.get(cluster, path);
    return row === undefined ? undefined : toCopy(row);
  }

  /** Records a new copy (or a fresh one of the same path), forgetting the copies inside it. */
  record(copy: OfflineCopy): void {
    this.replace.immediate(copy);
  }

  /** Forgets the copy of `path`; true when there was one. */
  remove(cluster: string, path: string): boolean {
    return this.removeOne.run(cluster, path).changes > 0;
  }
}

function toCopy(row: CopyRow): OfflineCopy {
  return {
    cluster: row.cluster,
    path: row.path,
    type: row.type,
    bytes: row.bytes,
    files: row.files,
    sampleRows: row.sample_rows,
    copiedAtMs: row.copied_at,
  };
}
