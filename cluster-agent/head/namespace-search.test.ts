/**
 * Search by name over a real cluster database of 100,000 files: what it finds, in which
 * order, and how long it takes (printed; bounded generously so a slow machine passes and
 * a full scan per name, or worse, does not).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { User } from '../../protocol/projects.ts';
import { tempDir } from '../testing/helpers.ts';
import { ClusterDb } from './cluster-db.ts';
import { NamespaceSearch } from './namespace-search.ts';
import { Namespace } from './namespace.ts';
import { Projects } from './projects.ts';

const owner: User = { name: 'olga', admin: false, createdAtMs: 1 };
const dirs = 100;
const filesPerDir = 1000;

describe('search by name over 100,000 files', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let db: ClusterDb;
  let search: NamespaceSearch;

  before(async () => {
    ({ dir, remove } = await tempDir());
    db = ClusterDb.open(path.join(dir, 'cluster.db'));
    db.projects.insertUser({ name: 'olga', admin: false, createdAtMs: 1, tokenHash: null });
    const namespace = new Namespace(db.namespace, db.projects);
    new Projects(db.projects, Date.now, { created: (p) => namespace.projectCreated(p) }).create(owner, { name: 'vision' });
    const dataset = namespace.mkdir(owner, '/Projects/vision/images');
    assert.equal(dataset.type, 'dir');
    const store = db.namespace;
    store.transaction(() => {
      const datasetId = store.child(store.child(2, 'vision')?.id ?? 0, 'images')?.id ?? 0;
      for (let d = 0; d < dirs; d += 1) {
        const sub = store.insertDir(datasetId, `batch-${String(d).padStart(3, '0')}`, 'olga', 1_000 + d);
        for (let f = 0; f < filesPerDir; f += 1) {
          const n = d * filesPerDir + f;
          // One name in 1,000 is a "Label", one in 100,000 a "Résumé"; mtimes grow with n.
          const name = n === 77_777 ? 'Résumé-77777.pdf' : f % 1000 === 7 ? `Label-${n}.json` : `img-${n}.jpg`;
          const file = store.insertWritingFile(sub.id, name, { replication: 1, blockSize: 4096, createdBy: 'olga', mtimeMs: 0 });
          store.completeFile(file.id, 10, 10_000 + n);
        }
      }
    });
    search = new NamespaceSearch(db.namespace, db.projects);
  });
  after(async () => {
    db.close();
    await remove();
  });

  /** Runs `work` 5 times; returns its result and the median time in ms. */
  function timed<T>(work: () => T): { result: T; ms: number } {
    const times: number[] = [];
    let result: T | undefined;
    for (let i = 0; i < 5; i += 1) {
      const started = performance.now();
      result = work();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return { result: result as T, ms: times[2] ?? 0 };
  }

  test('finds the few matches, the many (newest first or by path), and names in other scripts', () => {
    const rare = timed(() => search.search(owner, '/Projects/vision', 'résumé'));
    assert.deepEqual(rare.result.entries.map((e) => e.path), ['/Projects/vision/images/batch-077/Résumé-77777.pdf']);
    const some = timed(() => search.search(owner, '/Projects/vision/images', 'LABEL', { limit: 200 }));
    assert.equal(some.result.entries.length, 100);
    assert.equal(some.result.truncated, false);
    assert.equal(some.result.entries[0]?.name, 'Label-99007.json');
    const many = timed(() => search.search(owner, '/Projects/vision/images', 'IMG-', { limit: 200 }));
    assert.deepEqual([many.result.entries.length, many.result.truncated, many.result.entries[0]?.name], [200, true, 'img-99999.jpg']);
    const byPath = timed(() => search.search(owner, '/Projects/vision/images', 'img-', { limit: 200, order: 'path' }));
    assert.equal(byPath.result.entries[0]?.path, '/Projects/vision/images/batch-000/img-0.jpg');
    const under = timed(() => search.search(owner, '/Projects/vision/images/batch-042', 'label'));
    assert.deepEqual(under.result.entries.map((e) => e.name), ['Label-42007.json']);
    const figures = { rareNonAscii: rare.ms, hundredMatches: some.ms, manyNewest: many.ms, manyByPath: byPath.ms, oneDirectory: under.ms };
    console.log(`# search over ${dirs * filesPerDir} files, median ms: ${JSON.stringify(Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Math.round(v)])))}`);
    for (const [what, ms] of Object.entries(figures)) assert.ok(ms < 2000, `${what} took ${ms} ms`);
  });
});
