/**
 * The trash over a real cluster database with a clock of its own: retention, purging
 * (blocks orphaned for the reclaimer, datasets audited), and a project deleted with its
 * trash.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { User } from '../../protocol/projects.ts';
import { memoryLog, tempDir } from '../testing/helpers.ts';
import { ClusterDb } from './cluster-db.ts';
import { Namespace } from './namespace.ts';
import { Projects } from './projects.ts';
import { Trash } from './trash.ts';

const owner: User = { name: 'olga', admin: false, createdAtMs: 1 };
const day = 86_400_000;

describe('the trash', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let db: ClusterDb;
  let namespace: Namespace;
  let projects: Projects;
  let trash: Trash;
  let nowMs = 1_700_000_000_000;
  const now = () => nowMs;

  /** A complete one-block file at `file`. */
  function file(filePath: string, blockId: string): void {
    const upload = namespace.beginUpload(owner, filePath, { overwrite: false, blockSize: 4096, replication: () => 1 });
    namespace.addBlock(upload, 0, blockId, []);
    namespace.blockWritten(upload, blockId, 3, 'ab'.repeat(32), []);
    namespace.completeUpload(upload, 3);
  }

  before(async () => {
    ({ dir, remove } = await tempDir());
    db = ClusterDb.open(path.join(dir, 'cluster.db'));
    db.projects.insertUser({ name: 'olga', admin: false, createdAtMs: 1, tokenHash: null });
    namespace = new Namespace(db.namespace, db.projects, now);
    projects = new Projects(db.projects, now, { created: (p) => namespace.projectCreated(p), deleting: (p) => namespace.projectDeleting(p) });
    projects.create(owner, { name: 'vision' });
    trash = new Trash(db.namespace, db.projects, 7 * day, now);
  });
  after(async () => {
    db.close();
    await remove();
  });

  test('an entry keeps its blocks for the retention, then is purged and its blocks orphaned', () => {
    namespace.mkdir(owner, '/Projects/vision/old/deep', true);
    file('/Projects/vision/old/deep/a.bin', 'a'.repeat(32));
    const { trashId } = namespace.remove(owner, '/Projects/vision/old', true);
    assert.equal(db.namespace.countOrphans(), 0);
    assert.deepEqual(
      trash.list(owner, 'vision').entries.map((e) => [e.id, e.path, e.files, e.dirs, e.purgeAtMs - e.removedAtMs]),
      [[trashId, '/Projects/vision/old', 1, 2, 7 * day]],
    );
    nowMs += 7 * day - 1;
    assert.equal(trash.purgeExpired(), 0);
    nowMs += 2;
    assert.equal(trash.purgeExpired(), 1);
    assert.deepEqual(trash.list(owner, 'vision').entries, []);
    assert.equal(db.namespace.countOrphans(), 1);
    const audit = db.projects.audit(db.projects.project('vision')?.id ?? 0, 0, 100);
    assert.deepEqual(
      audit.filter((e) => e.action.startsWith('dataset.')).map((e) => [e.action, e.target]),
      [
        ['dataset.create', '/Projects/vision/old'],
        ['dataset.trash', '/Projects/vision/old'],
        ['dataset.purge', '/Projects/vision/old'],
      ],
    );
  });

  test('the background pass purges on its interval and has the blocks reclaimed', async () => {
    namespace.mkdir(owner, '/Projects/vision/soon');
    file('/Projects/vision/soon/b.bin', 'b'.repeat(32));
    namespace.remove(owner, '/Projects/vision/soon/b.bin');
    nowMs += 8 * day;
    const orphansBefore = db.namespace.countOrphans();
    const log = memoryLog();
    await new Promise<void>((resolve) => {
      const stop = trash.startPurging(10, () => {
        stop();
        resolve();
      }, log);
    });
    assert.equal(db.namespace.countOrphans(), orphansBefore + 1);
    assert.ok(log.entries().some((e) => e.msg === 'trash entries purged' && e.entries === 1));
  });

  test('a project deleted with things in its trash takes them along', () => {
    projects.create(owner, { name: 'brief' });
    namespace.mkdir(owner, '/Projects/brief/ds');
    file('/Projects/brief/ds/c.bin', 'c'.repeat(32));
    namespace.remove(owner, '/Projects/brief/ds', true);
    const orphansBefore = db.namespace.countOrphans();
    projects.delete(owner, 'brief');
    assert.equal(db.namespace.countOrphans(), orphansBefore + 1);
    assert.equal(trash.purgeExpired(), 0);
  });
});
