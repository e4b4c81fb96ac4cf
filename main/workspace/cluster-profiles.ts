/**
 * The clusters a user has set up in this workspace and which one is active. A profile is
 * what it takes to reach a cluster again (kind and non-secret settings); what the cluster
 * itself knows lives on its head.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { ClusterKind } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { limits } from '../../protocol/limits.ts';

/** Settings to reach a cluster: addresses, user names, key paths — never secrets. */
export type ClusterConfig = Record<string, unknown>;

export interface ClusterProfile {
  name: string;
  kind: ClusterKind;
  config: ClusterConfig;
  createdAtMs: number;
}

export interface NewClusterProfile {
  name: string;
  kind: ClusterKind;
  config: ClusterConfig;
}

interface ClusterRow {
  name: string;
  kind: ClusterKind;
  config: string;
  created_at: number;
}

/** The desktop API's rule for names, repeated here for a clear message before SQLite's CHECK. */
const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const kinds: readonly string[] = ['local', 'ssh'];

export class ClusterProfiles {
  private readonly selectAll: Statement<[], ClusterRow>;
  private readonly selectByName: Statement<[string], ClusterRow>;
  private readonly insert: Statement<[string, string, string, number]>;
  private readonly deleteByName: Statement<[string]>;
  private readonly updateConfigByName: Statement<[string, string]>;
  private readonly upsertActive: Statement<[string]>;
  private readonly selectActive: Statement<[], { name: string }>;

  constructor(db: Database) {
    const columns = 'name, kind, config, created_at';
    this.selectAll = db.prepare(`SELECT ${columns} FROM clusters ORDER BY created_at, id`);
    this.selectByName = db.prepare(`SELECT ${columns} FROM clusters WHERE name = ?`);
    this.insert = db.prepare('INSERT INTO clusters (name, kind, config, created_at) VALUES (?, ?, ?, ?)');
    this.deleteByName = db.prepare('DELETE FROM clusters WHERE name = ?');
    this.updateConfigByName = db.prepare('UPDATE clusters SET config = ? WHERE name = ?');
    this.upsertActive = db.prepare(
      `INSERT INTO active_cluster (singleton, cluster_id) SELECT 1, id FROM clusters WHERE name = ?
       ON CONFLICT (singleton) DO UPDATE SET cluster_id = excluded.cluster_id`,
    );
    this.selectActive = db.prepare('SELECT c.name FROM active_cluster a JOIN clusters c ON c.id = a.cluster_id');
  }

  /** Every cluster, oldest first. */
  list(): ClusterProfile[] {
    return this.selectAll.all().map(toProfile);
  }

  /** The cluster called `name`, if there is one. */
  get(name: string): ClusterProfile | undefined {
    const row = this.selectByName.get(name);
    return row && toProfile(row);
  }

  /** Adds a cluster; refuses a taken or malformed name with a VALIDATION error. */
  create(profile: NewClusterProfile): ClusterProfile {
    checkProfile(profile);
    try {
      this.insert.run(profile.name, profile.kind, JSON.stringify(profile.config), Date.now());
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err;
      throw new HopsError('VALIDATION', `A cluster named "${profile.name}" already exists.`, {
        field: '/name',
        hint: 'Pick another name, or remove the existing cluster first.',
        cause: err,
      });
    }
    return this.get(profile.name)!;
  }

  /** Replaces a cluster's settings (hosts added, removed or upgraded). */
  updateConfig(name: string, config: ClusterConfig): void {
    if (this.updateConfigByName.run(JSON.stringify(config), name).changes === 0) {
      throw new HopsError('CLUSTER_NOT_FOUND', `No cluster named "${name}" in this workspace.`);
    }
  }

  /**
   * Removes a cluster together with its cached hosts; if it was active, no cluster is
   * active afterwards. Returns whether there was such a cluster.
   */
  remove(name: string): boolean {
    return this.deleteByName.run(name).changes > 0;
  }

  /** Makes `name` the cluster that calls without a cluster name go to. */
  setActive(name: string): void {
    if (this.upsertActive.run(name).changes === 0) {
      throw new HopsError('CLUSTER_NOT_FOUND', `No cluster named "${name}" in this workspace.`);
    }
  }

  /** The active cluster's name, or undefined when none is set. */
  active(): string | undefined {
    return this.selectActive.get()?.name;
  }
}

function checkProfile(profile: NewClusterProfile): void {
  if (typeof profile.name !== 'string' || profile.name.length > limits.maxNameLength || !namePattern.test(profile.name)) {
    throw new HopsError(
      'VALIDATION',
      `"${String(profile.name).slice(0, 80)}" is not a valid cluster name: use up to ${limits.maxNameLength} ` +
        'letters, digits, ".", "_" or "-", starting with a letter or digit.',
      { field: '/name' },
    );
  }
  if (!kinds.includes(profile.kind)) {
    throw new HopsError('VALIDATION', `Unknown cluster kind "${String(profile.kind)}"; use "local" or "ssh".`, { field: '/kind' });
  }
  if (typeof profile.config !== 'object' || profile.config === null || Array.isArray(profile.config)) {
    throw new HopsError('VALIDATION', 'A cluster config must be a JSON object.', { field: '/config' });
  }
}

function toProfile(row: ClusterRow): ClusterProfile {
  return { name: row.name, kind: row.kind, config: JSON.parse(row.config) as ClusterConfig, createdAtMs: row.created_at };
}
