import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectDropped, pickedFiles, planUpload, type DroppedEntry } from './datasets-drop.ts';

interface FakeFile {
  name: string;
  size: number;
}
const file = (name: string, size = 1): DroppedEntry<FakeFile> => ({ name, kind: 'file', file: async () => ({ name, size }) });
const folder = (name: string, children: Array<DroppedEntry<FakeFile>>): DroppedEntry<FakeFile> => ({ name, kind: 'dir', children: async () => children });

describe('drop → upload plan', () => {
  it('walks dropped folders recursively, folders before their files', async () => {
    const dropped = await collectDropped([file('top.csv'), folder('photos', [file('a.jpg'), folder('2024', [file('b.jpg', 0)]), folder('empty', [])])]);
    assert.deepEqual(dropped.folders, ['photos', 'photos/2024', 'photos/empty']);
    assert.deepEqual(dropped.files.map((f) => f.relativePath), ['top.csv', 'photos/a.jpg', 'photos/2024/b.jpg']);
    assert.equal(dropped.truncated, false);

    const plan = planUpload('/Projects/p/d', dropped);
    assert.deepEqual(plan.folders, ['/Projects/p/d/photos', '/Projects/p/d/photos/2024', '/Projects/p/d/photos/empty']);
    assert.deepEqual(plan.files.map((f) => [f.path, f.size]), [
      ['/Projects/p/d/top.csv', 1],
      ['/Projects/p/d/photos/a.jpg', 1],
      ['/Projects/p/d/photos/2024/b.jpg', 0],
    ]);
    assert.deepEqual(plan.problems, []);
  });

  it('stops a huge drop at the limit and says so', async () => {
    const many = Array.from({ length: 30 }, (_, i) => file(`f${i}`));
    const dropped = await collectDropped([folder('big', many)], 10);
    assert.equal(dropped.files.length, 10);
    assert.equal(dropped.truncated, true);
  });

  it('reports names the filesystem refuses by name and uploads the rest', () => {
    const plan = planUpload('/Projects/p/d', {
      folders: ['ok', 'bad\u0001dir'],
      files: [
        { relativePath: 'ok/a.txt', file: { name: 'a.txt', size: 1 } },
        { relativePath: 'bad\u0001dir/b.txt', file: { name: 'b.txt', size: 1 } },
        { relativePath: `${'x'.repeat(300)}.txt`, file: { name: 'long', size: 1 } },
      ],
    });
    assert.deepEqual(plan.files.map((f) => f.path), ['/Projects/p/d/ok/a.txt']);
    assert.equal(plan.problems.length, 2);
    assert.match(plan.problems[0]!, /no-control-characters/);
    assert.match(plan.problems[1]!, /name-length/);
  });

  it('right under a project takes folders (new datasets) but not loose files', () => {
    const plan = planUpload('/Projects/p', { folders: ['set'], files: [{ relativePath: 'set/a', file: { name: 'a', size: 1 } }, { relativePath: 'loose.txt', file: { name: 'loose.txt', size: 1 } }] });
    assert.deepEqual(plan.folders, ['/Projects/p/set']);
    assert.deepEqual(plan.files.map((f) => f.path), ['/Projects/p/set/a']);
    assert.match(plan.problems[0]!, /loose\.txt: files live inside a dataset/);
  });

  it('takes a folder picker’s relative paths, making their folders first', () => {
    const picked = pickedFiles([
      { name: 'a.jpg', webkitRelativePath: 'photos/2024/a.jpg', size: 1 },
      { name: 'b.jpg', webkitRelativePath: 'photos/b.jpg', size: 1 },
      { name: 'c.txt', webkitRelativePath: '', size: 1 },
    ]);
    assert.deepEqual(picked.folders.sort(), ['photos', 'photos/2024']);
    assert.deepEqual(planUpload('/Projects/p/d', picked).folders, ['/Projects/p/d/photos', '/Projects/p/d/photos/2024']);
    assert.deepEqual(picked.files.map((f) => f.relativePath), ['photos/2024/a.jpg', 'photos/b.jpg', 'c.txt']);
  });
});
