/**
 * The head's cluster database (`<dataDir>/cluster.db`), the source of truth for which
 * hosts belong to the cluster, for its users, projects and audit log (those tables
 * are read and written through `project-store.ts`), and for the filesystem's namespace
 * and block map (`namespace-store.ts`). SQLite through `node:sqlite`, so a
 * host needs no compiled addon: WAL, `synchronous=FULL` (a registration the head
 * acknowledged survives a power cut), foreign keys on, a busy timeout, and schema
 * migrations keyed on `user_version`.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { HostInventory, HostRole, MetricsSample } from '../../protocol/host.ts';
import { NamespaceStore } from './namespace-store.ts';
import { ProjectStore } from './project-store.ts';
import { ReplicationStore } from './replication-store.ts';
import { commitOpenGroup, inSoftTransaction, inTransaction, prepared } from './sqlite.ts';
import { UploadSessionStore } from './upload-sessions-store.ts';
import { JobStore } from './job-store.ts';

/** A registered host as stored. */
export interface HostRecord {
  hostId: string;
  hostname: string;
  address: string;
  roles: HostRole[];
  agentVersion: string;
  inventory: HostInventory;
  registeredAtMs: number;
  /** When the head last heard from the host, by the head's clock. */
  lastHeartbeatMs: number;
  /** Taken out of scheduling (`POST …/drain`); kept across registrations until forgotten. */
  draining: boolean;
}

/** Migrations in order; entry i brings the schema to version i + 1. Never edit one that shipped. */
const migrations: readonly string[] = [
  `CREATE TABLE hosts (
     id TEXT PRIMARY KEY,
     hostname TEXT NOT NULL,
     address TEXT NOT NULL,
     roles TEXT NOT NULL,
     agent_version TEXT NOT NULL,
     inventory TEXT NOT NULL,
     registered_at INTEGER NOT NULL,
     last_heartbeat_at INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE heartbeats (
     seq INTEGER PRIMARY KEY,
     host_id TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
     at INTEGER NOT NULL,
     sample TEXT NOT NULL
   ) STRICT;
   CREATE INDEX heartbeats_by_host ON heartbeats(host_id, seq);`,
  `ALTER TABLE hosts ADD COLUMN draining INTEGER NOT NULL DEFAULT 0;`,
  // Users, projects, members, invites and the audit log (project-store.ts). Projects have
  // an id besides their name (AUTOINCREMENT: never reused) so that the audit of a deleted
  // project never shows up in a new project of the same name; audit rows keep the name as
  // it was and outlive the project.
  `CREATE TABLE users (
     name TEXT PRIMARY KEY,
     admin INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
     created_at INTEGER NOT NULL,
     token_hash TEXT UNIQUE
   ) STRICT;
   CREATE TABLE projects (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL UNIQUE,
     description TEXT NOT NULL,
     created_by TEXT NOT NULL REFERENCES users(name),
     created_at INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE members (
     project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
     user_name TEXT NOT NULL REFERENCES users(name),
     role TEXT NOT NULL CHECK (role IN ('data-owner', 'data-scientist')),
     added_at INTEGER NOT NULL,
     PRIMARY KEY (project_id, user_name)
   ) STRICT;
   CREATE INDEX members_by_user ON members(user_name);
   CREATE TABLE invites (
     code_hash TEXT PRIMARY KEY,
     project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
     role TEXT CHECK (role IN ('data-owner', 'data-scientist')),
     created_by TEXT NOT NULL REFERENCES users(name),
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     used_at INTEGER,
     used_by TEXT
   ) STRICT;
   CREATE TABLE audit (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     user_name TEXT NOT NULL,
     action TEXT NOT NULL,
     project_id INTEGER,
     project TEXT,
     target TEXT,
     detail TEXT NOT NULL
   ) STRICT;
   CREATE INDEX audit_by_project ON audit(project_id, seq);
   CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
   CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`,
  // The filesystem's namespace and block map (namespace-store.ts). An inode's name is
  // unique among the complete children of its parent; files being written are inodes in
  // state 'writing', invisible and free to collide with a complete file they will
  // replace. Deleting an inode deletes its subtree and leaves its blocks without a file
  // (inode_id NULL): the head then deletes their replicas on the workers. Root (1) and
  // /Projects (2) are fixed; each project has its directory from the start.
  `CREATE TABLE inodes (
     id INTEGER PRIMARY KEY,
     parent_id INTEGER REFERENCES inodes(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     type TEXT NOT NULL CHECK (type IN ('file', 'dir')),
     state TEXT NOT NULL CHECK (state IN ('writing', 'complete')),
     size INTEGER NOT NULL DEFAULT 0,
     replication INTEGER NOT NULL DEFAULT 0,
     block_size INTEGER NOT NULL DEFAULT 0,
     mtime INTEGER NOT NULL,
     created_by TEXT NOT NULL
   ) STRICT;
   CREATE UNIQUE INDEX inodes_by_name ON inodes(parent_id, name) WHERE state = 'complete';
   CREATE INDEX inodes_writing ON inodes(parent_id) WHERE state = 'writing';
   INSERT INTO inodes (id, parent_id, name, type, state, mtime, created_by)
     VALUES (1, NULL, '', 'dir', 'complete', CAST(unixepoch('subsec') * 1000 AS INTEGER), 'hopsdesk'),
            (2, 1, 'Projects', 'dir', 'complete', CAST(unixepoch('subsec') * 1000 AS INTEGER), 'hopsdesk');
   INSERT INTO inodes (parent_id, name, type, state, mtime, created_by)
     SELECT 2, name, 'dir', 'complete', created_at, created_by FROM projects;
   CREATE TABLE blocks (
     id TEXT PRIMARY KEY,
     inode_id INTEGER REFERENCES inodes(id) ON DELETE SET NULL,
     idx INTEGER NOT NULL,
     size INTEGER NOT NULL DEFAULT 0,
     sha256 TEXT,
     created_at INTEGER NOT NULL
   ) STRICT;
   CREATE INDEX blocks_by_inode ON blocks(inode_id, idx);
   CREATE INDEX blocks_orphaned ON blocks(id) WHERE inode_id IS NULL;
   CREATE TABLE replicas (
     block_id TEXT NOT NULL REFERENCES blocks(id) ON DELETE CASCADE,
     host_id TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
     state TEXT NOT NULL CHECK (state IN ('writing', 'finalized', 'corrupt')),
     ord INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (block_id, host_id)
   ) STRICT;
   CREATE INDEX replicas_by_host ON replicas(host_id, block_id);`,
  // Shares of datasets with other projects (shares.ts) and the trash (trash.ts). A share
  // names its dataset by inode, so it follows a rename. A trashed subtree is re-parented
  // under the hidden `.trash` directory (no parent: outside `/`), named by its entry's id,
  // so its blocks stay attached until the entry is purged.
  `CREATE TABLE shares (
     id INTEGER PRIMARY KEY,
     dataset_id INTEGER NOT NULL REFERENCES inodes(id) ON DELETE CASCADE,
     project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
     target_project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
     read_only INTEGER NOT NULL CHECK (read_only IN (0, 1)),
     state TEXT NOT NULL CHECK (state IN ('pending', 'accepted')),
     shared_by TEXT NOT NULL,
     shared_at INTEGER NOT NULL,
     accepted_by TEXT,
     accepted_at INTEGER,
     UNIQUE (dataset_id, target_project_id)
   ) STRICT;
   CREATE INDEX shares_by_target ON shares(target_project_id, state);
   CREATE INDEX shares_by_project ON shares(project_id);
   INSERT INTO inodes (parent_id, name, type, state, mtime, created_by)
     VALUES (NULL, '.trash', 'dir', 'complete', CAST(unixepoch('subsec') * 1000 AS INTEGER), 'hopsdesk');
   CREATE TABLE trash (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
     inode_id INTEGER NOT NULL UNIQUE REFERENCES inodes(id) ON DELETE CASCADE,
     path TEXT NOT NULL,
     type TEXT NOT NULL CHECK (type IN ('file', 'dir')),
     bytes INTEGER NOT NULL,
     files INTEGER NOT NULL,
     dirs INTEGER NOT NULL,
     removed_by TEXT NOT NULL,
     removed_at INTEGER NOT NULL
   ) STRICT;
   CREATE INDEX trash_by_project ON trash(project_id, removed_at);
   CREATE INDEX trash_by_age ON trash(removed_at);`,
  // Upload sessions and project quotas (upload-sessions-store.ts). A session owns its
  // invisible 'writing' inode (and so the blocks committed so far) and dies with it. Each
  // inode knows its project (set at insert from its parent; moves stay in the project, and
  // a trashed subtree keeps counting until it is purged), so triggers keep every project's
  // used_bytes = its complete files' sizes + its sessions' reservations, in the very
  // transaction of each change, whichever code makes it.
  `ALTER TABLE projects ADD COLUMN quota_bytes INTEGER;
   ALTER TABLE projects ADD COLUMN used_bytes INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE inodes ADD COLUMN project_id INTEGER;
   WITH RECURSIVE owned(id, project_id) AS (
     SELECT i.id, p.id FROM inodes i JOIN projects p ON p.name = i.name WHERE i.parent_id = 2
     UNION ALL
     SELECT c.id, o.project_id FROM inodes c JOIN owned o ON c.parent_id = o.id
   )
   UPDATE inodes SET project_id = (SELECT project_id FROM owned WHERE owned.id = inodes.id);
   UPDATE projects SET used_bytes = coalesce(
     (SELECT sum(size) FROM inodes WHERE project_id = projects.id AND type = 'file' AND state = 'complete'), 0);
   CREATE INDEX inodes_by_project ON inodes(project_id);
   CREATE TABLE upload_sessions (
     id TEXT PRIMARY KEY,
     inode_id INTEGER NOT NULL UNIQUE REFERENCES inodes(id) ON DELETE CASCADE,
     project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
     path TEXT NOT NULL,
     user_name TEXT NOT NULL,
     size INTEGER CHECK (size IS NULL OR size >= 0),
     overwrite INTEGER NOT NULL CHECK (overwrite IN (0, 1)),
     block_size INTEGER NOT NULL,
     replication INTEGER NOT NULL,
     committed_bytes INTEGER NOT NULL DEFAULT 0,
     committed_blocks INTEGER NOT NULL DEFAULT 0,
     reserved_bytes INTEGER NOT NULL CHECK (reserved_bytes >= 0),
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   ) STRICT;
   CREATE INDEX upload_sessions_by_user ON upload_sessions(user_name);
   CREATE INDEX upload_sessions_by_expiry ON upload_sessions(expires_at);
   CREATE TRIGGER inodes_project AFTER INSERT ON inodes BEGIN
     UPDATE inodes SET project_id = CASE WHEN NEW.parent_id = 2 THEN (SELECT id FROM projects WHERE name = NEW.name)
       ELSE (SELECT project_id FROM inodes WHERE id = NEW.parent_id) END
     WHERE id = NEW.id;
     UPDATE projects SET used_bytes = used_bytes + NEW.size
     WHERE NEW.type = 'file' AND NEW.state = 'complete' AND id = (SELECT project_id FROM inodes WHERE id = NEW.id);
   END;
   CREATE TRIGGER usage_file_completed AFTER UPDATE OF state ON inodes
   WHEN NEW.type = 'file' AND OLD.state = 'writing' AND NEW.state = 'complete' BEGIN
     UPDATE projects SET used_bytes = used_bytes + NEW.size WHERE id = NEW.project_id;
   END;
   CREATE TRIGGER usage_file_deleted AFTER DELETE ON inodes
   WHEN OLD.type = 'file' AND OLD.state = 'complete' BEGIN
     UPDATE projects SET used_bytes = used_bytes - OLD.size WHERE id = OLD.project_id;
   END;
   CREATE TRIGGER usage_session_opened AFTER INSERT ON upload_sessions BEGIN
     UPDATE projects SET used_bytes = used_bytes + NEW.reserved_bytes WHERE id = NEW.project_id;
   END;
   CREATE TRIGGER usage_session_grew AFTER UPDATE OF reserved_bytes ON upload_sessions BEGIN
     UPDATE projects SET used_bytes = used_bytes - OLD.reserved_bytes + NEW.reserved_bytes WHERE id = NEW.project_id;
   END;
   CREATE TRIGGER usage_session_closed AFTER DELETE ON upload_sessions BEGIN
     UPDATE projects SET used_bytes = used_bytes - OLD.reserved_bytes WHERE id = OLD.project_id;
   END;`,
  `CREATE TABLE jobs (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     project TEXT NOT NULL,
     name TEXT NOT NULL,
     spec TEXT NOT NULL,
     after TEXT NOT NULL DEFAULT '[]',
     schedule_id TEXT,
     request_id TEXT,
     state TEXT NOT NULL,
     attempt INTEGER NOT NULL CHECK (attempt >= 1),
     retries_left INTEGER NOT NULL CHECK (retries_left >= 0),
     submitted_by TEXT NOT NULL,
     submitted_at INTEGER NOT NULL,
     started_at INTEGER,
     ended_at INTEGER,
     placement TEXT,
     end_reason TEXT,
     exit_code INTEGER,
     signal TEXT,
     message TEXT,
     usage TEXT,
     stop_requested INTEGER NOT NULL DEFAULT 0,
     timeline TEXT NOT NULL DEFAULT '[]'
   ) STRICT;
   CREATE INDEX jobs_active ON jobs(state) WHERE state NOT IN ('succeeded', 'failed', 'stopped');
   CREATE INDEX jobs_by_project ON jobs(project, seq);
   CREATE UNIQUE INDEX jobs_by_request ON jobs(submitted_by, request_id) WHERE request_id IS NOT NULL;
   CREATE TABLE job_schedules (
     id TEXT PRIMARY KEY,
     project TEXT NOT NULL,
     cron TEXT NOT NULL,
     spec TEXT NOT NULL,
     enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
     created_by TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     next_run_at INTEGER,
     last_job_seq INTEGER
   ) STRICT;`,
];

interface HostRow {
  id: string;
  hostname: string;
  address: string;
  roles: string;
  agent_version: string;
  inventory: string;
  registered_at: number;
  last_heartbeat_at: number;
  draining: number;
}

/**
 * How the head's connection is set up. WAL with `synchronous = FULL`: a change is on disk
 * when its commit returns. `locking_mode = EXCLUSIVE`, set before WAL is entered, keeps
 * the WAL index in this process's memory and the file locked until the connection
 * closes: the head is the database's only user, and without it every statement outside a
 * transaction took and released shared-memory and file locks (system calls), which made
 * a stat's six small lookups cost 3-4x as much. A second process (another head on the
 * same data directory, or the sqlite3 shell) is refused with "database is locked" while
 * the head runs.
 */
export function clusterDbPragmas(synchronous: 'FULL' | 'NORMAL'): string {
  return `PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous}; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;`;
}

/** The cluster database; one per head, opened at start and closed at stop. */
export class ClusterDb {
  private readonly db: DatabaseSync;
  /** Users, projects, members, invites and the audit log, in the same file. */
  readonly projects: ProjectStore;
  /** The filesystem's inodes, blocks and replicas, in the same file. */
  readonly namespace: NamespaceStore;
  /** Upload sessions and project quotas, in the same file. */
  readonly uploads: UploadSessionStore;
  /** Replica counts for re-replication, safe mode, file health and fsck, in the same file. */
  readonly replication: ReplicationStore;
  /** The job queue, its history and the schedules, in the same file. */
  readonly jobs: JobStore;

  private constructor(db: DatabaseSync) {
    this.db = db;
    this.projects = new ProjectStore(db);
    this.namespace = new NamespaceStore(db);
    this.uploads = new UploadSessionStore(db);
    this.replication = new ReplicationStore(db);
    this.jobs = new JobStore(db);
  }

  /**
   * Opens (creating if needed) and migrates the database at `file`. The connection holds
   * the file exclusively until it is closed (see `clusterDbPragmas`).
   */
  static open(file: string): ClusterDb {
    // Loaded here rather than imported at the top so that importing this module has no
    // side effects (older runtimes warn when node:sqlite loads) and worker-only agents
    // never load SQLite at all.
    const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
    const db = new DatabaseSync(file, { enableForeignKeyConstraints: true, timeout: 5000 });
    try {
      db.exec(clusterDbPragmas('FULL'));
      migrate(db, file);
    } catch (err) {
      db.close();
      throw err;
    }
    return new ClusterDb(db);
  }

  /** Inserts or replaces a host's registration. */
  upsertHost(host: HostRecord): void {
    this.db
      .prepare(
        `INSERT INTO hosts (id, hostname, address, roles, agent_version, inventory, registered_at, last_heartbeat_at, draining)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET hostname = excluded.hostname, address = excluded.address,
           roles = excluded.roles, agent_version = excluded.agent_version, inventory = excluded.inventory,
           registered_at = excluded.registered_at, last_heartbeat_at = excluded.last_heartbeat_at,
           draining = excluded.draining`,
      )
      .run(
        host.hostId,
        host.hostname,
        host.address,
        JSON.stringify(host.roles),
        host.agentVersion,
        JSON.stringify(host.inventory),
        host.registeredAtMs,
        host.lastHeartbeatMs,
        host.draining ? 1 : 0,
      );
  }

  /** Marks a host draining (or not). */
  setDraining(hostId: string, draining: boolean): void {
    this.db.prepare('UPDATE hosts SET draining = ? WHERE id = ?').run(draining ? 1 : 0, hostId);
  }

  /** Removes a host and, by cascade, its samples. */
  deleteHost(hostId: string): void {
    this.db.prepare('DELETE FROM hosts WHERE id = ?').run(hostId);
  }

  /** Records that the head heard from a host, without a new sample (soft state: see `inSoftTransaction`). */
  touchHost(hostId: string, receivedAtMs: number): void {
    inSoftTransaction(this.db, () => prepared(this.db, 'UPDATE hosts SET last_heartbeat_at = ? WHERE id = ?').run(receivedAtMs, hostId));
  }

  /** Stores a heartbeat and keeps only the newest `keep` samples of that host (soft state). */
  recordHeartbeat(hostId: string, receivedAtMs: number, sample: MetricsSample, keep: number): void {
    inSoftTransaction(this.db, () => {
      this.touchHost(hostId, receivedAtMs);
      prepared(this.db, 'INSERT INTO heartbeats (host_id, at, sample) VALUES (?, ?, ?)').run(hostId, sample.atMs, JSON.stringify(sample));
      prepared(
        this.db,
        `DELETE FROM heartbeats WHERE host_id = ? AND seq <= (
           SELECT seq FROM heartbeats WHERE host_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
      ).run(hostId, hostId, keep);
    });
  }

  /** Every registered host. */
  hosts(): HostRecord[] {
    const rows = this.db.prepare('SELECT * FROM hosts ORDER BY id').all() as unknown as HostRow[];
    return rows.map((row) => ({
      hostId: row.id,
      hostname: row.hostname,
      address: row.address,
      roles: JSON.parse(row.roles) as HostRole[],
      agentVersion: row.agent_version,
      inventory: JSON.parse(row.inventory) as HostInventory,
      registeredAtMs: row.registered_at,
      lastHeartbeatMs: row.last_heartbeat_at,
      draining: row.draining === 1,
    }));
  }

  /** A host's samples taken after `sinceMs`, oldest first, at most the newest `limit`. */
  samples(hostId: string, sinceMs: number, limit: number): MetricsSample[] {
    const rows = this.db
      .prepare('SELECT sample FROM heartbeats WHERE host_id = ? AND at > ? ORDER BY seq DESC LIMIT ?')
      .all(hostId, sinceMs, limit) as unknown as Array<{ sample: string }>;
    return rows.reverse().map((row) => JSON.parse(row.sample) as MetricsSample);
  }

  /** Closes the database, committing first the changes a group commit still holds. */
  close(): void {
    if (!this.db.isOpen) return;
    commitOpenGroup(this.db);
    this.db.close();
  }

  private transaction(work: () => void): void {
    inTransaction(this.db, work);
  }
}

function migrate(db: DatabaseSync, file: string): void {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number } | undefined;
  const current = row?.user_version ?? 0;
  if (current > migrations.length) {
    throw new Error(
      `${file} has schema version ${current}, newer than this agent knows (${migrations.length}); run the newer agent.`,
    );
  }
  for (let version = current; version < migrations.length; version += 1) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(migrations[version] ?? '');
      db.exec(`PRAGMA user_version = ${version + 1}`);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
}
