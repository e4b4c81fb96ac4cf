import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileStat } from '../../protocol/fs.ts';
import { emptyTree, folderOf, treePageLoaded, treeParentRow, treeReadFailed, treeReadStarted, treeToggled, visibleTreeRows } from './datasets-tree.ts';

const dir = (path: string, patch: Partial<FileStat> = {}): FileStat => ({
  path,
  name: path.slice(path.lastIndexOf('/') + 1),
  type: 'dir',
  size: 0,
  replication: 0,
  blockSize: 0,
  mtimeMs: 1,
  complete: true,
  createdBy: 'ana',
  ...patch,
});
const file = (path: string): FileStat => ({ ...dir(path), type: 'file', size: 3, replication: 1 });

describe('dataset tree', () => {
  it('keeps only folders, appends later pages and offers a "more" line while pages remain', () => {
    let tree = treeReadStarted(emptyTree, '/Projects');
    assert.equal(folderOf(tree, '/Projects').loading, true);
    tree = treePageLoaded(tree, '/Projects', { entries: [dir('/Projects/a'), dir('/Projects/b')], nextCursor: 'c1' }, false);
    assert.deepEqual(
      visibleTreeRows(tree).map((r) => [r.kind, r.depth]),
      [['folder', 1], ['folder', 1], ['more', 1]],
    );
    tree = treePageLoaded(tree, '/Projects', { entries: [dir('/Projects/c')], nextCursor: null }, true);
    assert.deepEqual(visibleTreeRows(tree).map((r) => r.path), ['/Projects/a', '/Projects/b', '/Projects/c']);

    tree = treeToggled(tree, '/Projects/a', true);
    tree = treePageLoaded(tree, '/Projects/a', { entries: [dir('/Projects/a/images'), file('/Projects/a/readme.txt')], nextCursor: null }, false);
    const rows = visibleTreeRows(tree);
    assert.deepEqual(rows.map((r) => `${r.depth}:${r.path}`), ['1:/Projects/a', '2:/Projects/a/images', '1:/Projects/b', '1:/Projects/c']);
    assert.equal(treeParentRow(rows, 1), 0, 'Left from a dataset goes to its project');
    assert.equal(treeParentRow(rows, 2), -1, 'a project has no parent row');

    tree = treeToggled(tree, '/Projects/a', false);
    assert.equal(visibleTreeRows(tree).length, 3, 'a closed folder hides its children but remembers them');
    assert.equal(folderOf(tree, '/Projects/a').children.length, 1);
  });

  it('marks datasets shared into a project, at that project, by their real path', () => {
    let tree = treePageLoaded(emptyTree, '/Projects', { entries: [dir('/Projects/nlp'), dir('/Projects/vision')], nextCursor: null }, false);
    tree = treeToggled(tree, '/Projects/nlp', true);
    const shared = dir('/Projects/vision/images', { sharedFrom: { project: 'vision', dataset: 'images', readOnly: true } });
    tree = treePageLoaded(tree, '/Projects/nlp', { entries: [dir('/Projects/nlp/corpus'), shared], nextCursor: null }, false);
    const rows = visibleTreeRows(tree);
    const row = rows.find((r) => r.path === '/Projects/vision/images');
    assert.ok(row?.kind === 'folder');
    assert.deepEqual(row.shared, { into: '/Projects/nlp', readOnly: true });
    assert.equal(row.depth, 2);
  });

  it('keeps a failed read with its problem, and clears it on the next read', () => {
    const problem = { code: 'FORBIDDEN', message: 'no', hint: 'ask' };
    let tree = treeReadFailed(treeReadStarted(emptyTree, '/Projects/a'), '/Projects/a', problem);
    assert.deepEqual(folderOf(tree, '/Projects/a').problem, problem);
    tree = treeReadStarted(tree, '/Projects/a');
    assert.equal(folderOf(tree, '/Projects/a').problem, null);
  });
});
