/**
 * The workspace schema as an ordered history: migration N takes a database from
 * `user_version` N-1 to N. Released migrations are never edited, only appended to, so
 * every workspace a user ever had can walk up to the current schema.
 */
export interface Migration {
  /** What the step adds, in words, for error messages and the migration tests. */
  description: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    description: 'clusters, their cached hosts, settings, UI state and recent items',
    sql: `
      CREATE TABLE clusters (
        id INTEGER PRIMARY KEY,
        -- The same shape the desktop API accepts for a cluster name.
        name TEXT NOT NULL UNIQUE CHECK (
          length(name) BETWEEN 1 AND 128
          AND name GLOB '[A-Za-z0-9]*'
          AND name NOT GLOB '*[^A-Za-z0-9._-]*'
        ),
        kind TEXT NOT NULL CHECK (kind IN ('local', 'ssh')),
        -- Connection profile without secrets: tokens and keys are never stored here.
        config TEXT NOT NULL CHECK (json_valid(config) AND json_type(config) = 'object'),
        created_at INTEGER NOT NULL
      ) STRICT;

      -- At most one row; removing the active cluster clears it rather than dangling.
      CREATE TABLE active_cluster (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        cluster_id INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE
      ) STRICT;

      -- The last host list seen per cluster, so a cluster can be shown while offline.
      CREATE TABLE cluster_hosts (
        cluster_id INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        host_id TEXT NOT NULL CHECK (length(host_id) > 0),
        hostname TEXT NOT NULL,
        host TEXT NOT NULL CHECK (json_valid(host) AND json_type(host) = 'object'),
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (cluster_id, host_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE settings (
        key TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 128),
        value TEXT NOT NULL CHECK (json_valid(value))
      ) STRICT, WITHOUT ROWID;

      -- Window and workbench state (the layout today), one JSON document per key.
      CREATE TABLE ui_state (
        key TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 128),
        value TEXT NOT NULL CHECK (json_valid(value) AND json_type(value) = 'object')
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE recent_items (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('host', 'cluster', 'view')),
        ref TEXT NOT NULL CHECK (length(ref) BETWEEN 1 AND 512),
        title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 256),
        opened_at INTEGER NOT NULL,
        UNIQUE (kind, ref)
      ) STRICT;
      CREATE INDEX recent_items_by_opened_at ON recent_items (opened_at DESC);
    `,
  },
  {
    description: 'known SSH host keys, for trust on first use',
    sql: `
      -- One trusted key per host and port: a different key later is a hard failure
      -- until the user forgets the old one.
      CREATE TABLE known_hosts (
        host TEXT NOT NULL CHECK (length(host) BETWEEN 1 AND 255 AND host = lower(host)),
        port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
        key_type TEXT NOT NULL CHECK (length(key_type) BETWEEN 1 AND 64),
        -- OpenSSH's form: "SHA256:" and 43 characters of unpadded base64.
        fingerprint TEXT NOT NULL CHECK (fingerprint GLOB 'SHA256:*' AND length(fingerprint) = 50),
        first_seen INTEGER NOT NULL,
        PRIMARY KEY (host, port)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    description: 'offline copies of cluster data, and the samples put on clusters',
    sql: `
      -- Files and directories of a cluster copied into <workspace>/offline/<cluster>/, so
      -- they can be explored and previewed with no connection. Copies never nest: a copy
      -- of a directory replaces the copies inside it.
      CREATE TABLE offline_copies (
        cluster_id INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        path TEXT NOT NULL CHECK (length(path) BETWEEN 1 AND 4096 AND path GLOB '/Projects/*'),
        type TEXT NOT NULL CHECK (type IN ('file', 'dir')),
        bytes INTEGER NOT NULL CHECK (bytes >= 0),
        files INTEGER NOT NULL CHECK (files >= 0),
        -- The first N rows of each table file; NULL for a whole copy.
        sample_rows INTEGER CHECK (sample_rows IS NULL OR sample_rows > 0),
        copied_at INTEGER NOT NULL,
        PRIMARY KEY (cluster_id, path)
      ) STRICT, WITHOUT ROWID;

      -- Sample data put on a cluster once; remembered so that one the user deleted is
      -- not put back at the next start.
      CREATE TABLE seeded_samples (
        cluster_id INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        sample TEXT NOT NULL CHECK (length(sample) BETWEEN 1 AND 128),
        seeded_at INTEGER NOT NULL,
        PRIMARY KEY (cluster_id, sample)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    description: 'drafts: unsaved changes of files open in the editor',
    sql: `
      -- What the user typed and has not saved yet, per file of a cluster, so it survives a
      -- restart or a crash. base_mtime is the file's version the changes were made on (NULL
      -- for a file not on the cluster yet): a file changed since is a conflict to show.
      CREATE TABLE drafts (
        cluster_id INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        path TEXT NOT NULL CHECK (length(path) BETWEEN 1 AND 4096 AND path GLOB '/Projects/*'),
        text TEXT NOT NULL CHECK (length(CAST(text AS BLOB)) <= 4194304),
        base_mtime REAL,
        saved_at INTEGER NOT NULL,
        PRIMARY KEY (cluster_id, path)
      ) STRICT; -- with rowid: rows hold whole files, too large to sit in a primary key's b-tree
      CREATE INDEX drafts_by_saved_at ON drafts (saved_at DESC);
    `,
  },
];

/** The schema version this build of Hopsdesk writes. */
export const latestVersion = migrations.length;
