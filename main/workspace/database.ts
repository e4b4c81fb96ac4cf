/**
 * Opens the workspace's SQLite file with the settings every connection needs, and turns
 * "this is not a database" into an error that names the file.
 */
import Database from 'better-sqlite3';
import { HopsError } from '../../protocol/errors.ts';

/** SQLite's answers for a file that is not, or no longer, a readable database. */
const unreadableCodes = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CANTOPEN']);

/**
 * WAL lets the app and the CLI read while the other writes; `synchronous=FULL` makes a
 * commit survive a power cut, not just a crash; foreign keys are off by default in SQLite.
 * SQLite reads the file lazily, so a non-database fails here, at the first pragma.
 * The stores run their write transactions with `.immediate`: a deferred one that reads and
 * then writes fails at once with SQLITE_BUSY when another process (the CLI beside the app)
 * wrote in between, while an immediate one waits its turn for up to the busy timeout.
 */
export function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The error to show for a failure while opening `file`: a clear one when SQLite cannot read it. */
export function openFailure(file: string, err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !unreadableCodes.has(code)) return err;
  return new HopsError('WORKSPACE_INVALID', `${file} is not a readable Hopsdesk workspace database (${(err as Error).message}).`, {
    hint: 'Move the file aside to start a fresh workspace, or choose another with --workspace DIR.',
    cause: err,
  });
}
