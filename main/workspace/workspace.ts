/**
 * The user's workspace on this machine: one directory holding `workspace.db`, a SQLite
 * database with the cluster profiles, known SSH host keys, cached cluster views for
 * offline use, settings, the layout and recent items. One store per theme.
 */
import type { Database } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CachedHosts } from './cached-hosts.ts';
import { ClusterProfiles } from './cluster-profiles.ts';
import { openDatabase, openFailure } from './database.ts';
import { Drafts } from './drafts.ts';
import { KnownHosts } from './known-hosts.ts';
import { migrate } from './migrate.ts';
import { OfflineCopyRecords } from './offline-copies.ts';
import { RecentItems } from './recent-items.ts';
import { SavedLayout } from './saved-layout.ts';
import { SavedSettings } from './saved-settings.ts';
import { SeededSamples } from './seeded-samples.ts';

export const WORKSPACE_DB = 'workspace.db';

export interface Workspace {
  readonly dir: string;
  /** The database file, for messages. */
  readonly file: string;
  readonly clusters: ClusterProfiles;
  readonly hosts: CachedHosts;
  readonly knownHosts: KnownHosts;
  readonly settings: SavedSettings;
  readonly layout: SavedLayout;
  readonly recent: RecentItems;
  /** Copies of cluster data kept for offline use. */
  readonly offlineCopies: OfflineCopyRecords;
  /** Sample data already put on each cluster. */
  readonly seededSamples: SeededSamples;
  /** Unsaved changes of files open in the editor. */
  readonly drafts: Drafts;
  /** Closes the database; the stores must not be used afterwards. Idempotent. */
  close(): void;
}

/**
 * Opens (creating if needed) the workspace in `dir` and upgrades its schema. Throws
 * WORKSPACE_INVALID naming the file when it is not a database, or was written by a newer
 * Hopsdesk.
 */
export function openWorkspace(dir: string): Workspace {
  // Private to the user: it names their clusters, hosts and trusted keys.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, WORKSPACE_DB);
  let db: Database | undefined;
  try {
    db = openDatabase(file);
    migrate(db, file);
    return workspaceOver(db, dir, file);
  } catch (err) {
    db?.close();
    throw openFailure(file, err);
  }
}

function workspaceOver(db: Database, dir: string, file: string): Workspace {
  return {
    dir,
    file,
    clusters: new ClusterProfiles(db),
    hosts: new CachedHosts(db),
    knownHosts: new KnownHosts(db),
    settings: new SavedSettings(db),
    layout: new SavedLayout(db),
    recent: new RecentItems(db),
    offlineCopies: new OfflineCopyRecords(db),
    seededSamples: new SeededSamples(db),
    drafts: new Drafts(db),
    close: () => {
      if (db.open) db.close();
    },
  };
}
