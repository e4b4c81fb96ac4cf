/**
 * Every earlier schema version walks up to the latest with its data intact and ends with
 * exactly the schema a fresh workspace gets. Each migration brings a fixture: rows written
 * with the SQL of the version it introduced, and the check that the stores still read them.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import path from 'node:path';
import { test } from 'node:test';
import { HopsError } from '../../protocol/errors.ts';
import { openDatabase } from './database.ts';
import { sampleHost, tempDir } from './fixtures.ts';
import { migrate, schemaVersion } from './migrate.ts';
import { latestVersion, migrations } from './migrations.ts';
import { openWorkspace, WORKSPACE_DB, type Workspace } from './workspace.ts';

interface Fixture {
  insert(db: Database.Database): void;
  check(workspace: Workspace): void;
}

const host = sampleHost('h1', 'gpu1.lab');
const fingerprint = 'SHA256:' + 'Q'.repeat(43);

/** Keyed by the version whose schema the inserts are written against. */
const fixtures: Record<number, Fixture> = {
  1: {
    insert: (db) => {
      db.prepare("INSERT INTO clusters (id, name, kind, config, created_at) VALUES (1, 'local', 'local', '{}', 1000)").run();
      db.prepare("INSERT INTO clusters (id, name, kind, config, created_at) VALUES (2, 'lab', 'ssh', ?, 2000)").run(
        JSON.stringify({ host: 'gpu1.lab', user: 'ada' }),
      );
      db.prepare('INSERT INTO active_cluster (singleton, cluster_id) VALUES (1, 2)').run();
      db.prepare("INSERT INTO cluster_hosts (cluster_id, host_id, hostname, host, updated_at) VALUES (2, 'h1', 'gpu1.lab', ?, 3000)").run(
        JSON.stringify(host),
      );
      db.prepare(`INSERT INTO settings (key, value) VALUES ('theme', '"dark"')`).run();
      db.prepare("INSERT INTO ui_state (key, value) VALUES ('layout', ?)").run(
        JSON.stringify({ activeView: 'jobs', sidebarWidth: 300, sidebarVisible: true, panelVisible: true, panelHeight: 300 }),
      );
      db.prepare("INSERT INTO recent_items (kind, ref, title, opened_at) VALUES ('host', 'h1', 'gpu1', 4000)").run();
    },
    check: (workspace) => {
      assert.deepEqual(
        workspace.clusters.list().map((c) => [c.name, c.kind, c.createdAtMs]),
        [
          ['local', 'local', 1000],
          ['lab', 'ssh', 2000],
        ],
      );
      assert.deepEqual(workspace.clusters.get('lab')?.config, { host: 'gpu1.lab', user: 'ada' });
      assert.equal(workspace.clusters.active(), 'lab');
      assert.deepEqual(workspace.hosts.list('lab'), [host]);
      assert.deepEqual(workspace.settings.get(), { theme: 'dark' });
      assert.equal(workspace.layout.get().activeView, 'jobs');
      assert.deepEqual(workspace.recent.list(), [{ kind: 'host', ref: 'h1', title: 'gpu1', openedAtMs: 4000 }]);
    },
  },
  2: {
    insert: (db) => {
      db.prepare("INSERT INTO known_hosts (host, port, key_type, fingerprint, first_seen) VALUES ('gpu1.lab', 22, 'ssh-ed25519', ?, 5000)").run(
        fingerprint,
      );
    },
    check: (workspace) => {
      assert.deepEqual(workspace.knownHosts.get('gpu1.lab', 22), {
        host: 'gpu1.lab',
        port: 22,
        keyType: 'ssh-ed25519',
        fingerprint,
        firstSeenMs: 5000,
      });
    },
  },
  3: {
    insert: (db) => {
      db.prepare(
        "INSERT INTO offline_copies (cluster_id, path, type, bytes, files, sample_rows, copied_at) VALUES (2, '/Projects/demo/penguins', 'dir', 100, 2, 50, 6000)",
      ).run();
      db.prepare("INSERT INTO seeded_samples (cluster_id, sample, seeded_at) VALUES (1, 'demo', 7000)").run();
    },
    check: (workspace) => {
      assert.deepEqual(workspace.offlineCopies.list('lab'), [
        { cluster: 'lab', path: '/Projects/demo/penguins', type: 'dir', bytes: 100, files: 2, sampleRows: 50, copiedAtMs: 6000 },
      ]);
      assert.equal(workspace.seededSamples.seededAt('local', 'demo'), 7000);
    },
  },
  4: {
    insert: (db) => {
      db.prepare("INSERT INTO drafts (cluster_id, path, text, base_mtime, saved_at) VALUES (2, '/Projects/demo/code/train.py', 'print(1)', 8000.5, 9000)").run();
    },
    check: (workspace) => {
      assert.deepEqual(workspace.drafts.get('lab', '/Projects/demo/code/train.py'), {
        cluster: 'lab',
        path: '/Projects/demo/code/train.py',
        text: 'print(1)',
        bytes: 8,
        baseMtimeMs: 8000.5,
        savedAtMs: 9000,
      });
    },
  },
};

function schemaOf(file: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all();
  } finally {
    db.close();
  }
}

test('every migration comes with a fixture', () => {
  assert.deepEqual(
    Object.keys(fixtures).map(Number),
    migrations.map((_, i) => i + 1),
  );
});

test('a new workspace is created at the latest version', (t) => {
  const workspace = openWorkspace(tempDir(t));
  workspace.close();
  const db = new Database(workspace.file, { readonly: true });
  t.after(() => db.close());
  assert.equal(schemaVersion(db), latestVersion);
});

for (let from = 0; from < latestVersion; from++) {
  test(`a workspace at version ${from} migrates to ${latestVersion} keeping its data`, (t) => {
    const fresh = openWorkspace(tempDir(t));
    fresh.close();

    const dir = tempDir(t);
    const file = path.join(dir, WORKSPACE_DB);
    const old = openDatabase(file);
    migrate(old, file, from);
    assert.equal(schemaVersion(old), from);
    for (let version = 1; version <= from; version++) fixtures[version]!.insert(old);
    old.close();

    const workspace = openWorkspace(dir);
    for (let version = 1; version <= from; version++) fixtures[version]!.check(workspace);
    workspace.close();

    assert.deepEqual(schemaOf(file), schemaOf(fresh.file));
    const db = new Database(file, { readonly: true });
    t.after(() => db.close());
    assert.equal(schemaVersion(db), latestVersion);
    assert.deepEqual(db.pragma('foreign_key_check'), []);
  });
}

test('a workspace written by a newer Hopsdesk is refused, naming both versions', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, WORKSPACE_DB);
  const db = new Database(file);
  db.pragma(`user_version = ${latestVersion + 3}`);
  db.close();
  assert.throws(
    () => openWorkspace(dir),
    (err: unknown) => {
      assert.ok(err instanceof HopsError);
      assert.equal(err.code, 'WORKSPACE_INVALID');
      assert.ok(err.message.includes(file), err.message);
      assert.ok(err.message.includes(`schema version ${latestVersion + 3}`), err.message);
      assert.ok(err.message.includes(`version ${latestVersion} that Hopsdesk`), err.message);
      assert.match(err.hint, /Update Hopsdesk/);
      return true;
    },
  );
});

test('a second connection finds the migrations applied and applies none twice', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, WORKSPACE_DB);
  const a = openDatabase(file);
  const b = openDatabase(file);
  t.after(() => {
    a.close();
    b.close();
  });
  migrate(a, file, 1);
  migrate(b, file);
  migrate(a, file);
  assert.equal(schemaVersion(a), latestVersion);
});
