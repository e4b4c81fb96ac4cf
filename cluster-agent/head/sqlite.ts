/** Small helpers over `node:sqlite` shared by the head's stores. */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/**
 * Runs `work` in one write transaction and returns its result; rolls back if it throws.
 * `BEGIN IMMEDIATE` takes the write lock up front, so checks made inside (a count, a
 * unique name) still hold when the writes land.
 */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  // Called inside another transaction (one change made of several stores' changes), it
  // becomes a savepoint of that one: it lands with it, or alone rolls back if it throws.
  if (db.isTransaction) return inSavepoint(db, work);
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

function inSavepoint<T>(db: DatabaseSync, work: () => T): T {
  db.exec('SAVEPOINT nested');
  try {
    const result = work();
    db.exec('RELEASE nested');
    return result;
  } catch (err) {
    db.exec('ROLLBACK TO nested');
    db.exec('RELEASE nested');
    throw err;
  }
}

const statements = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

/**
 * `db.prepare(sql)`, compiled once per database and reused: preparing costs more than
 * running the small indexed statements the namespace is made of (stats ran 3× faster).
 * A statement is reset by every run, so reuse is safe as long as none is iterated lazily.
 */
export function prepared(db: DatabaseSync, sql: string): StatementSync {
  let cache = statements.get(db);
  if (cache === undefined) {
    cache = new Map();
    statements.set(db, cache);
  }
  let statement = cache.get(sql);
  if (statement === undefined) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}
