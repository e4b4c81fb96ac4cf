/** Small helpers over `node:sqlite` shared by the head's stores. */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/**
 * Runs `work` in one write transaction and returns its result; rolls back if it throws.
 * `BEGIN IMMEDIATE` takes the write lock up front, so checks made inside (a count, a
 * unique name) still hold when the writes land.
 */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  if (db.isTransaction) {
    // Called inside another transaction (one change made of several stores' changes), it
    // becomes a savepoint of that one: it lands with it, or alone rolls back if it throws.
    const group = groups.get(db);
    if (group === undefined || group.working) return inSavepoint(db, work);
    // A group commit is open but this change is not part of it: its caller expects it
    // durable on return, so the group is committed first and this one on its own.
    commitGroup(db, group);
  }
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

/**
 * Runs `work` in one write transaction whose commit does not wait for the disk: for soft
 * state, such as when a host was last heard from and its metrics, which a power cut may
 * lose without harm. A heartbeat's fsync otherwise stalled the head's event loop for as
 * long as the disk took to flush, tens of milliseconds under a large upload. Under WAL
 * such a commit is never torn, and it is on disk with the next durable commit or
 * checkpoint. In an open transaction or group it lands with that one.
 */
export function inSoftTransaction<T>(db: DatabaseSync, work: () => T): T {
  if (db.isTransaction) return inSavepoint(db, work);
  const { synchronous } = prepared(db, 'PRAGMA synchronous').get() as { synchronous: number };
  db.exec('PRAGMA synchronous = NORMAL');
  try {
    return inTransaction(db, work);
  } finally {
    db.exec(`PRAGMA synchronous = ${synchronous}`);
  }
}

/** Changes run in one open transaction, each acknowledged once it is committed. */
interface CommitGroup {
  /** True while a member's work runs (its nested transactions are savepoints of the group). */
  working: boolean;
  members: Array<{ committed: () => void; failed: (err: unknown) => void }>;
}

const groups = new WeakMap<DatabaseSync, CommitGroup>();

/**
 * How long a group stays open while changes keep joining it. A commit waits one more turn
 * of the event loop whenever the turn before added a member, up to this age: under load,
 * requests that arrive a turn apart share one COMMIT and its fsync (the bench's creates
 * at 8 clients gained 4-76%, median 24%, in seven pairs); a lone change waits one idle turn.
 */
const groupGrowsForMs = 2;

/**
 * Group commit: runs `work` at once, as a savepoint of a transaction shared with every
 * change made the same way during this turn of the event loop (and the next ones while
 * they bring more, up to `groupGrowsForMs`), and resolves with its
 * result only once that transaction is committed (one `COMMIT`, so one fsync of the WAL
 * under `synchronous = FULL`, for all of them). Durability is the same as a transaction
 * of its own: nothing is acknowledged before it is on disk. A `work` that throws rolls
 * back alone and rejects at once; a failed `COMMIT` rejects every member.
 *
 * `growsForMs` is the group's window when `work` opens one (tests lengthen it).
 *
 * Reads on the same connection see a member's changes before its commit (they might not
 * survive a crash), as they would see those of a request still being answered.
 */
export function commitTogether<T>(db: DatabaseSync, work: () => T, growsForMs = groupGrowsForMs): Promise<T> {
  let group = groups.get(db);
  // Inside a transaction of its own caller, the change lands with that one.
  if (group === undefined && db.isTransaction) return Promise.resolve(inSavepoint(db, work));
  if (group === undefined) {
    db.exec('BEGIN IMMEDIATE');
    const opened: CommitGroup = { working: false, members: [] };
    groups.set(db, opened);
    const openedAt = performance.now();
    let members = 0;
    // After the I/O callbacks of this turn, so the requests that arrived together share it,
    // and of the next turns too while they bring more.
    const commitWhenStill = () => {
      const grew = opened.members.length > members;
      members = opened.members.length;
      if (grew && performance.now() - openedAt < growsForMs) setImmediate(commitWhenStill);
      else commitGroup(db, opened);
    };
    setImmediate(commitWhenStill);
    group = opened;
  }
  const current = group;
  let result: T;
  current.working = true;
  try {
    result = inSavepoint(db, work);
  } catch (err) {
    return Promise.reject(err);
  } finally {
    current.working = false;
  }
  return new Promise((resolve, reject) => current.members.push({ committed: () => resolve(result), failed: reject }));
}

/**
 * Commits the group open on `db`, if any, now: before the database is closed, so that no
 * change already made waits for a commit that would find the database gone.
 */
export function commitOpenGroup(db: DatabaseSync): void {
  const group = groups.get(db);
  if (group !== undefined) commitGroup(db, group);
}

/** Commits `group` now (if still open), acknowledging or failing each of its members. */
function commitGroup(db: DatabaseSync, group: CommitGroup): void {
  if (groups.get(db) !== group) return;
  groups.delete(db);
  try {
    db.exec('COMMIT');
  } catch (err) {
    if (db.isOpen && db.isTransaction) db.exec('ROLLBACK');
    for (const member of group.members) member.failed(err);
    return;
  }
  for (const member of group.members) member.committed();
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
