/**
 * Drafts: the unsaved changes of files open in the editor, one per file of a cluster,
 * written a moment after the user stops typing so that a restart, a crash or a closed
 * window loses nothing. Each remembers the file's version it was made on, so the editor
 * can tell when the file changed on the cluster in the meantime.
 */
import type { Database, Statement, Transaction } from 'better-sqlite3';
import { HopsError } from '../../protocol/errors.ts';
import { textFileLimits, type Draft, type DraftSummary } from '../../protocol/text-files.ts';

interface DraftRow {
  cluster: string;
  path: string;
  text?: string;
  bytes: number;
  base_mtime: number | null;
  saved_at: number;
}

const summaryColumns = 'c.name AS cluster, d.path, length(CAST(d.text AS BLOB)) AS bytes, d.base_mtime, d.saved_at';

export class Drafts {
  private readonly selectOne: Statement<[string, string], DraftRow>;
  private readonly selectAll: Statement<[string], DraftRow>;
  private readonly removeOne: Statement<[string, string]>;
  private readonly keep: Transaction<(cluster: string, path: string, text: string, baseMtimeMs: number | null, savedAtMs: number) => void>;
  private readonly now: () => number;

  constructor(db: Database, now: () => number = Date.now) {
    this.now = now;
    this.selectOne = db.prepare(
      `SELECT ${summaryColumns}, d.text FROM drafts d JOIN clusters c ON c.id = d.cluster_id WHERE c.name = ? AND d.path = ?`,
    );
    this.selectAll = db.prepare(`SELECT ${summaryColumns} FROM drafts d JOIN clusters c ON c.id = d.cluster_id WHERE c.name = ? ORDER BY d.saved_at DESC, d.path`);
    this.removeOne = db.prepare('DELETE FROM drafts WHERE cluster_id = (SELECT id FROM clusters WHERE name = ?) AND path = ?');
    const upsert = db.prepare<[string, string, string, number | null, number]>(
      `INSERT INTO drafts (cluster_id, path, text, base_mtime, saved_at)
       VALUES ((SELECT id FROM clusters WHERE name = ?), ?, ?, ?, ?)
       ON CONFLICT (cluster_id, path) DO UPDATE SET text = excluded.text, base_mtime = excluded.base_mtime, saved_at = excluded.saved_at`,
    );
    // Bounded: a workspace never fills up with drafts nobody returns to.
    const trim = db.prepare<[number]>('DELETE FROM drafts WHERE rowid IN (SELECT rowid FROM drafts ORDER BY saved_at DESC LIMIT -1 OFFSET ?)');
    const clusterExists = db.prepare<[string], { id: number }>('SELECT id FROM clusters WHERE name = ?');
    this.keep = db.transaction((cluster, path, text, baseMtimeMs, savedAtMs) => {
      if (clusterExists.get(cluster) === undefined) throw new HopsError('CLUSTER_NOT_FOUND', `No cluster "${cluster}" in this workspace.`);
      upsert.run(cluster, path, text, baseMtimeMs, savedAtMs);
      trim.run(textFileLimits.maxDrafts);
    });
  }

  /** Keeps `text` as the draft of `path`, replacing the one before; refuses text over the editor's limit. */
  save(cluster: string, path: string, text: string, baseMtimeMs: number | null): DraftSummary {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > textFileLimits.maxBytes) {
      throw new HopsError('TEXT_FILE_TOO_LARGE', `The changes to ${path} come to ${bytes} bytes; the editor keeps files of at most ${textFileLimits.maxBytes}.`);
    }
    const savedAtMs = this.now();
    this.keep.immediate(cluster, path, text, baseMtimeMs, savedAtMs);
    return { cluster, path, baseMtimeMs, savedAtMs, bytes };
  }

  /** The draft of `path` with its text, if one is kept. */
  get(cluster: string, path: string): Draft | undefined {
    const row = this.selectOne.get(cluster, path);
    return row === undefined ? undefined : { ...toSummary(row), text: row.text ?? '' };
  }

  /** A cluster's drafts without their text, newest first. */
  list(cluster: string): DraftSummary[] {
    return this.selectAll.all(cluster).map(toSummary);
  }

  /** Forgets the draft of `path`; true when there was one. */
  discard(cluster: string, path: string): boolean {
    return this.removeOne.run(cluster, path).changes > 0;
  }
}

function toSummary(row: DraftRow): DraftSummary {
  return { cluster: row.cluster, path: row.path, baseMtimeMs: row.base_mtime, savedAtMs: row.saved_at, bytes: row.bytes };
}
