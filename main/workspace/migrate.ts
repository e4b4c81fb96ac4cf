/**
 * Brings a workspace database up to the schema this build writes, one migration per
 * transaction, with `PRAGMA user_version` as the record of how far it got.
 */
import type { Database } from 'better-sqlite3';
import { HopsError } from '../../protocol/errors.ts';
import { productVersion } from '../../protocol/version.ts';
import { latestVersion, migrations } from './migrations.ts';

/** The schema version recorded in the database file (0 for a new, empty one). */
export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies the migrations after the database's version up to `target` (default: latest).
 * Each step re-reads the version inside an IMMEDIATE transaction, so a second Hopsdesk
 * process opening the same workspace at the same moment never applies a step twice.
 * Refuses a database written by a newer Hopsdesk instead of guessing at its schema.
 */
export function migrate(db: Database, file: string, target: number = latestVersion): void {
  const step = db.transaction((): boolean => {
    const current = schemaVersion(db);
    if (current > latestVersion) {
      throw new HopsError(
        'WORKSPACE_INVALID',
        `The workspace database ${file} has schema version ${current}, newer than version ${latestVersion} that Hopsdesk ${productVersion} understands.`,
        { hint: 'Update Hopsdesk, or choose another workspace with --workspace DIR.' },
      );
    }
    if (current >= target) return true;
    const migration = migrations[current]!;
    try {
      db.exec(migration.sql);
    } catch (err) {
      throw new HopsError(
        'WORKSPACE_INVALID',
        `Upgrading the workspace database ${file} to version ${current + 1} (${migration.description}) failed: ${(err as Error).message}.`,
        { cause: err },
      );
    }
    db.pragma(`user_version = ${current + 1}`);
    return false;
  });
  for (let done = false; !done; ) done = step.immediate();
}
