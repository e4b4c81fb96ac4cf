/**
 * The namespace and block map over a real cluster database: listings, the upload
 * lifecycle, project directories, block reports and reclaiming, without any agent.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { HopsError, type ErrorCode } from '../../protocol/errors.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import type { User } from '../../protocol/projects.ts';
import type { BlockTransport } from '../blocks/transport.ts';
import { memoryLog, tempDir, testInventory } from '../testing/helpers.ts';
import { BlockMap } from './block-map.ts';
import { ClusterDb } from './cluster-db.ts';
import { Namespace, type Upload } from './namespace.ts';
import { Projects } from './projects.ts';
import { Shares } from './shares.ts';

const owner: User = { name: 'olga', admin: false, createdAtMs: 1 };

function throwsCode(work: () => unknown, code: ErrorCode, message?: RegExp): void {
  assert.throws(work, (err: unknown) => {
    assert.ok(err instanceof HopsError, String(err));
    assert.equal(err.code, code, err.message);
    if (message !== undefined) assert.match(err.message, message);
    return true;
  });
}

/** UTF-8 byte order, as SQLite compares names. */
const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('the namespace', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let db: ClusterDb;
  let namespace: Namespace;
  let projects: Projects;
  let nowMs = 1_700_000_000_000;
  const now = () => nowMs;

  const upload = (file: string, overwrite = false): Upload => namespace.beginUpload(owner, file, { overwrite, blockSize: 4096, replication: () => 2 });
  const addHost = (hostId: string): void =>
    db.upsertHost({
      hostId,
      hostname: `${hostId}.lab`,
      address: '127.0.0.1:1',
      roles: ['worker'],
      agentVersion: '0.1.0',
      inventory: testInventory(hostId),
      registeredAtMs: nowMs,
      lastHeartbeatMs: nowMs,
      draining: false,
    });

  before(async () => {
    ({ dir, remove } = await tempDir());
    db = ClusterDb.open(path.join(dir, 'cluster.db'));
    db.projects.insertUser({ name: 'olga', admin: false, createdAtMs: 1, tokenHash: null });
    namespace = new Namespace(db.namespace, db.projects, now);
    projects = new Projects(db.projects, now, { created: (p) => namespace.projectCreated(p), deleting: (p) => namespace.projectDeleting(p) });
    projects.create(owner, { name: 'vision' });
    namespace.mkdir(owner, '/Projects/vision/data');
    addHost('w1');
    addHost('w2');
  });
  after(async () => {
    db.close();
    await remove();
  });

  test('a listing of 10,000 entries pages through every name once, in UTF-8 byte order', () => {
    const names = Array.from({ length: 10_000 }, (_, i) => (i % 997 === 0 ? ['é-', '日本-', '😀-', '\uffff-', 'Z-'][i % 5] : 'entry-') + String(i).padStart(5, '0'));
    const parent = db.namespace.child(db.namespace.child(2, 'vision')?.id ?? 0, 'data');
    assert.ok(parent !== undefined);
    const big = db.namespace.transaction(() => db.namespace.insertDir(parent.id, 'big', 'olga', nowMs));
    db.namespace.transaction(() => {
      for (const name of names) db.namespace.insertDir(big.id, name, 'olga', nowMs);
    });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = namespace.list(owner, '/Projects/vision/data/big', cursor);
      assert.ok(page.entries.length <= 1000);
      seen.push(...page.entries.map((e) => e.name));
      assert.ok(page.entries.every((e) => e.path === `/Projects/vision/data/big/${e.name}` && e.type === 'dir'));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor !== undefined);
    assert.equal(pages, 10);
    assert.equal(seen.length, 10_000);
    assert.deepEqual(seen, [...names].sort(byBytes));
    // A smaller page size, and a cursor that this head never made.
    const first = namespace.list(owner, '/Projects/vision/data/big', undefined, 3);
    assert.equal(first.entries.length, 3);
    assert.deepEqual(namespace.list(owner, '/Projects/vision/data/big', first.nextCursor ?? '', 2).entries.map((e) => e.name), seen.slice(3, 5));
    throwsCode(() => namespace.list(owner, '/Projects/vision/data/big', '!!not-base64url'), 'VALIDATION', /cursor/);
    namespace.remove(owner, '/Projects/vision/data/big', true);
  });

  test('a file being written is invisible until complete, and replaces an existing one only then', () => {
    const first = upload('/Projects/vision/data/a.txt');
    throwsCode(() => namespace.stat(owner, '/Projects/vision/data/a.txt'), 'PATH_NOT_FOUND');
    assert.deepEqual(namespace.list(owner, '/Projects/vision/data').entries.map((e) => e.name), []);
    namespace.addBlock(first, 0, 'a'.repeat(32), ['w1', 'w2']);
    namespace.blockWritten(first, 'a'.repeat(32), 10, 'f'.repeat(64), ['w1', 'w2']);
    const stat = namespace.completeUpload(first, 10);
    assert.deepEqual({ path: stat.path, size: stat.size, replication: stat.replication, blockSize: stat.blockSize }, { path: '/Projects/vision/data/a.txt', size: 10, replication: 2, blockSize: 4096 });
    // A second upload without overwrite is refused at once; with it, the old file stays until the new one completes.
    throwsCode(() => upload('/Projects/vision/data/a.txt'), 'PATH_EXISTS');
    const second = upload('/Projects/vision/data/a.txt', true);
    assert.equal(namespace.stat(owner, '/Projects/vision/data/a.txt').size, 10);
    namespace.addBlock(second, 0, 'b'.repeat(32), ['w1']);
    namespace.blockWritten(second, 'b'.repeat(32), 3, 'e'.repeat(64), ['w1']);
    namespace.completeUpload(second, 3);
    assert.equal(namespace.stat(owner, '/Projects/vision/data/a.txt').size, 3);
    assert.deepEqual(namespace.readPlan(owner, '/Projects/vision/data/a.txt').blocks.map((b) => b.id), ['b'.repeat(32)]);
    // The replaced file's block is an orphan now.
    assert.equal(db.namespace.block('a'.repeat(32))?.inodeId, null);
    // An upload whose directory goes away fails at completion, and leaves nothing visible.
    namespace.mkdir(owner, '/Projects/vision/data/tmp');
    const doomed = upload('/Projects/vision/data/tmp/x');
    namespace.remove(owner, '/Projects/vision/data/tmp', true);
    throwsCode(() => namespace.completeUpload(doomed, 0), 'PATH_NOT_FOUND', /while it was being uploaded/);
  });

  test('an empty file is created complete in one step, replaces a file only with overwrite, and never a directory', () => {
    const create = (file: string, overwrite = false) => namespace.createEmptyFile(owner, file, { overwrite, blockSize: 4096, replication: () => 2 });
    nowMs += 1000;
    const made = create('/Projects/vision/data/empty.txt');
    assert.deepEqual(
      { ...namespace.stat(owner, '/Projects/vision/data/empty.txt') },
      { path: '/Projects/vision/data/empty.txt', name: 'empty.txt', type: 'file', size: 0, replication: 2, blockSize: 4096, mtimeMs: nowMs, complete: true, createdBy: owner.name },
    );
    assert.deepEqual(made, namespace.stat(owner, '/Projects/vision/data/empty.txt'));
    assert.equal(namespace.stat(owner, '/Projects/vision/data').mtimeMs, nowMs, 'its directory was touched');
    assert.equal(namespace.statIn(owner, '/Projects/vision/data/empty.txt').dirId, db.namespace.child(db.namespace.child(2, 'vision')?.id ?? 0, 'data')?.id);
    throwsCode(() => create('/Projects/vision/data/empty.txt'), 'PATH_EXISTS');
    // Overwriting a file with blocks leaves them orphans; the new file has none.
    const withBlock = upload('/Projects/vision/data/full.bin');
    namespace.addBlock(withBlock, 0, 'c'.repeat(32), ['w1']);
    namespace.blockWritten(withBlock, 'c'.repeat(32), 7, 'd'.repeat(64), ['w1']);
    namespace.completeUpload(withBlock, 7);
    assert.equal(create('/Projects/vision/data/full.bin', true).size, 0);
    assert.deepEqual(namespace.readPlan(owner, '/Projects/vision/data/full.bin').blocks, []);
    assert.equal(db.namespace.block('c'.repeat(32))?.inodeId, null);
    namespace.mkdir(owner, '/Projects/vision/data/folder');
    throwsCode(() => create('/Projects/vision/data/folder', true), 'NOT_A_FILE');
    throwsCode(() => create('/Projects/vision/nope/x'), 'PATH_NOT_FOUND');
    throwsCode(() => create('/Projects/vision/data2'), 'PATH_INVALID', /inside-dataset/);
    for (const file of ['empty.txt', 'full.bin', 'folder']) namespace.remove(owner, `/Projects/vision/data/${file}`, true, true);
  });

  test('directories: mkdir with parents, files in the way, moves and removes', () => {
    const made = namespace.mkdir(owner, '/Projects/vision/data/x/y/z', true);
    assert.equal(made.path, '/Projects/vision/data/x/y/z');
    assert.equal(namespace.mkdir(owner, '/Projects/vision/data/x/y', true).type, 'dir', 'an existing directory is fine with parents');
    throwsCode(() => namespace.mkdir(owner, '/Projects/vision/data/x/y'), 'PATH_EXISTS');
    throwsCode(() => namespace.mkdir(owner, '/Projects/vision/data/q/r'), 'PATH_NOT_FOUND', /data\/q does not exist/);
    throwsCode(() => namespace.mkdir(owner, '/Projects/vision/data/a.txt/sub', true), 'NOT_A_DIRECTORY');
    throwsCode(() => namespace.readPlan(owner, '/Projects/vision/data/x'), 'NOT_A_FILE');
    const moved = namespace.move(owner, '/Projects/vision/data/x/y', '/Projects/vision/data/y2');
    assert.equal(moved.path, '/Projects/vision/data/y2');
    assert.equal(namespace.stat(owner, '/Projects/vision/data/y2/z').type, 'dir');
    throwsCode(() => namespace.move(owner, '/Projects/vision/data/y2', '/Projects/vision/data/a.txt'), 'PATH_EXISTS');
    throwsCode(() => namespace.move(owner, '/Projects/vision/data/a.txt', '/Projects/vision/new'), 'PATH_INVALID', /rule inside-dataset/);
    // A dataset renamed is a dataset still.
    namespace.move(owner, '/Projects/vision/data', '/Projects/vision/data2');
    namespace.move(owner, '/Projects/vision/data2', '/Projects/vision/data');
    // Removed into the trash: each removal is an entry of its own.
    const { trashId: first, ...x } = namespace.remove(owner, '/Projects/vision/data/x', true);
    const { trashId: second, ...y2 } = namespace.remove(owner, '/Projects/vision/data/y2', true);
    assert.deepEqual([x, y2], [{ path: '/Projects/vision/data/x', files: 0, dirs: 1 }, { path: '/Projects/vision/data/y2', files: 0, dirs: 2 }]);
    assert.ok(first !== undefined && second !== undefined && second > first);
  });

  test("a project's listing merges the datasets shared with it, in byte order, page by page", () => {
    db.projects.insertUser({ name: 'pete', admin: false, createdAtMs: 1, tokenHash: null });
    const pete: User = { name: 'pete', admin: false, createdAtMs: 1 };
    projects.create(pete, { name: 'lab' });
    for (const name of ['a', 'vision::zz', 'w', 'é']) namespace.mkdir(pete, `/Projects/lab/${name.replace('::', '-')}`);
    const shares = new Shares(db.namespace, db.projects, now);
    for (const name of ['b', 'x']) {
      namespace.mkdir(owner, `/Projects/vision/${name}`);
      shares.share(owner, `/Projects/vision/${name}`, 'lab', name === 'x');
      shares.accept(pete, 'lab', `/Projects/vision/${name}`);
    }
    namespace.mkdir(owner, '/Projects/vision/pending');
    shares.share(owner, '/Projects/vision/pending', 'lab');
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = namespace.list(pete, '/Projects/lab', cursor, 2);
      names.push(...page.entries.map((e) => (e.sharedFrom === undefined ? e.name : `${e.name} → ${e.path}${e.sharedFrom.readOnly ? ' (ro)' : ''}`)));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    assert.deepEqual(names, ['a', 'vision-zz', 'vision::b → /Projects/vision/b', 'vision::x → /Projects/vision/x (ro)', 'w', 'é']);
    // Members of lab read a shared dataset by its own path; the pending one stays closed.
    assert.equal(namespace.stat(pete, '/Projects/vision/x').type, 'dir');
    throwsCode(() => namespace.mkdir(pete, '/Projects/vision/x/new'), 'FORBIDDEN', /read-only.*needs data\.write/);
    throwsCode(() => namespace.stat(pete, '/Projects/vision/pending'), 'FORBIDDEN', /pete is not a member of "vision"/);
    namespace.mkdir(pete, '/Projects/vision/b/new');
  });

  test('each project has its directory while it exists; a project with datasets is not deleted', () => {
    projects.create(owner, { name: 'other' });
    assert.equal(namespace.stat(owner, '/Projects/other').type, 'dir');
    namespace.mkdir(owner, '/Projects/other/ds');
    throwsCode(() => projects.delete(owner, 'other'), 'PROJECT_NOT_EMPTY');
    namespace.remove(owner, '/Projects/other/ds');
    projects.delete(owner, 'other');
    assert.equal(db.namespace.child(2, 'other'), undefined);
    throwsCode(() => namespace.stat(owner, '/Projects/other'), 'PROJECT_NOT_FOUND');
  });

  describe('the block map', () => {
    let deleted: Array<[string, string[]]>;
    let map: BlockMap;
    const host = (hostId: string, state: ClusterHost['state'] = 'healthy') => ({ hostId, state, roles: ['worker'], address: '127.0.0.1:1' }) as ClusterHost;
    let hosts: ClusterHost[];

    before(() => {
      deleted = [];
      hosts = [host('w1'), host('w2')];
      const transport = {
        workers: () => hosts,
        deleteBlocks: async (hostId: string, ids: readonly string[]) => {
          deleted.push([hostId, [...ids]]);
          return ids.length;
        },
      } as unknown as BlockTransport;
      map = new BlockMap(db.namespace, transport, memoryLog(), { reclaimIntervalMs: 60_000, missingGraceMs: 1000 }, now);
    });

    test('a block report: unknown blocks are sent back, new ones recorded, wrong sizes corrupt, silent ones forgotten after the grace', () => {
      const file = upload('/Projects/vision/data/report.bin');
      for (const [i, id] of ['1', '2', '3'].entries()) {
        const blockId = id.repeat(32);
        namespace.addBlock(file, i, blockId, ['w1']);
        namespace.blockWritten(file, blockId, 100, 'a'.repeat(64), ['w1']);
      }
      namespace.completeUpload(file, 300);
      nowMs += 5000;
      const reply = map.report({
        hostId: 'w2',
        blocks: [
          { id: '1'.repeat(32), size: 100 },
          { id: '2'.repeat(32), size: 99 },
          { id: '9'.repeat(32), size: 5 },
        ],
      });
      assert.deepEqual(reply, { delete: ['9'.repeat(32)] });
      const replicas = (id: string) => db.namespace.fileBlocks(db.namespace.block(id.repeat(32))?.inodeId ?? 0).find((b) => b.id === id.repeat(32))?.replicas.map((r) => `${r.hostId}:${r.state}`);
      assert.deepEqual(replicas('1'), ['w1:finalized', 'w2:finalized']);
      assert.deepEqual(replicas('2'), ['w1:finalized', 'w2:corrupt']);
      // w1 reports only block 1: its replicas of 2 and 3 are gone.
      map.report({ hostId: 'w1', blocks: [{ id: '1'.repeat(32), size: 100 }] });
      assert.deepEqual(replicas('2'), ['w2:corrupt']);
      assert.deepEqual(replicas('3'), []);
      throwsCode(() => map.report({ hostId: 'w9', blocks: [] }), 'HOST_NOT_FOUND');
    });

    test('reclaiming deletes the replicas of removed files on reachable hosts, then forgets the blocks', async () => {
      namespace.remove(owner, '/Projects/vision/data/report.bin', false, true);
      hosts = [host('w1'), host('w2', 'unreachable')];
      deleted.length = 0;
      await map.reclaim();
      assert.deepEqual(deleted, [['w1', ['1'.repeat(32)]]]);
      assert.ok(db.namespace.countOrphans() > 0, 'w2 still holds orphans');
      hosts = [host('w1'), host('w2')];
      await map.reclaim();
      await map.reclaim();
      assert.equal(db.namespace.countOrphans(), 0);
    });

    test('files left writing by a previous head are dropped at start', async () => {
      upload('/Projects/vision/data/interrupted.bin');
      map.start();
      await map.stop();
      const listed = namespace.list(owner, '/Projects/vision/data').entries.map((e) => e.name);
      assert.equal(listed.includes('interrupted.bin'), false);
      // Its name is free again.
      namespace.completeUpload(upload('/Projects/vision/data/interrupted.bin'), 0);
    });
  });
});

/** The tables and columns of schema version 3; everything later migrations added is dropped. */
const version3: Record<string, string[]> = {
  hosts: ['id', 'hostname', 'address', 'roles', 'agent_version', 'inventory', 'registered_at', 'last_heartbeat_at', 'draining'],
  heartbeats: ['seq', 'host_id', 'at', 'sample'],
  users: ['name', 'admin', 'created_at', 'token_hash'],
  projects: ['id', 'name', 'description', 'created_by', 'created_at'],
  members: ['project_id', 'user_name', 'role', 'added_at'],
  invites: ['code_hash', 'project_id', 'role', 'created_by', 'created_at', 'expires_at', 'used_at', 'used_by'],
  audit: ['seq', 'at', 'user_name', 'action', 'project_id', 'project', 'target', 'detail'],
  sqlite_sequence: ['name', 'seq'],
};
const version3Indexes = new Set(['heartbeats_by_host', 'members_by_user', 'audit_by_project']);

function rollBackToVersion3(raw: import('node:sqlite').DatabaseSync): void {
  const names = (type: string) => (raw.prepare('SELECT name FROM sqlite_master WHERE type = ?').all(type) as Array<{ name: string }>).map((row) => row.name);
  raw.exec('PRAGMA foreign_keys = OFF');
  for (const name of names('trigger')) if (!name.startsWith('audit_no_')) raw.exec(`DROP TRIGGER "${name}"`);
  for (const name of names('index')) if (!name.startsWith('sqlite_autoindex') && !version3Indexes.has(name)) raw.exec(`DROP INDEX "${name}"`);
  for (const name of names('table')) {
    const columns = version3[name];
    if (columns === undefined) {
      raw.exec(`DROP TABLE "${name}"`);
      continue;
    }
    for (const { name: column } of raw.prepare(`PRAGMA table_info("${name}")`).all() as Array<{ name: string }>) {
      if (!columns.includes(column)) raw.exec(`ALTER TABLE "${name}" DROP COLUMN "${column}"`);
    }
  }
  raw.exec('PRAGMA user_version = 3');
}

test('a database of schema version 3 is migrated: each project gets its directory', async () => {
  const { dir, remove } = await tempDir();
  try {
    const file = path.join(dir, 'cluster.db');
    let db = ClusterDb.open(file);
    db.projects.insertUser({ name: 'olga', admin: false, createdAtMs: 1, tokenHash: null });
    const id = db.projects.insertProject({ name: 'legacy', description: '', createdBy: 'olga', createdAtMs: 5 });
    db.projects.insertMember(id, { user: 'olga', role: 'data-owner', addedAtMs: 5 });
    db.close();
    // Back to version 3, as the agent before the filesystem left it.
    const { DatabaseSync } = await import('node:sqlite');
    const raw = new DatabaseSync(file);
    rollBackToVersion3(raw);
    raw.close();
    db = ClusterDb.open(file);
    const namespace = new Namespace(db.namespace, db.projects);
    assert.deepEqual(namespace.list(owner, '/Projects').entries.map((e) => [e.path, e.createdBy, e.mtimeMs]), [['/Projects/legacy', 'olga', 5]]);
    db.close();
  } finally {
    await remove();
  }
});
