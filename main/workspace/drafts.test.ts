import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HopsError } from '../../protocol/errors.ts';
import { textFileLimits } from '../../protocol/text-files.ts';
import { tempDir, tempWorkspace } from './fixtures.ts';
import { openWorkspace } from './workspace.ts';

const file = '/Projects/demo/code/train.py';

test('a draft outlives the workspace being closed and opened again', (t) => {
  const dir = tempDir(t);
  const first = openWorkspace(dir);
  first.clusters.create({ name: 'local', kind: 'local', config: {} });
  const saved = first.drafts.save('local', file, 'print("héllo")\n', 1_700_000_000_123.5);
  assert.equal(saved.bytes, Buffer.byteLength('print("héllo")\n'));
  first.close();

  const again = openWorkspace(dir);
  t.after(() => again.close());
  const draft = again.drafts.get('local', file);
  assert.equal(draft?.text, 'print("héllo")\n');
  assert.equal(draft?.baseMtimeMs, 1_700_000_000_123.5);
  assert.equal(draft?.savedAtMs, saved.savedAtMs);
  assert.deepEqual(again.drafts.list('local'), [saved]);
});

test('saving again replaces the draft; discarding forgets it', (t) => {
  const workspace = tempWorkspace(t);
  workspace.clusters.create({ name: 'local', kind: 'local', config: {} });
  workspace.drafts.save('local', file, 'a', 1);
  workspace.drafts.save('local', file, 'ab', null);
  assert.deepEqual(
    workspace.drafts.list('local').map((d) => [d.path, d.bytes, d.baseMtimeMs]),
    [[file, 2, null]],
  );
  assert.equal(workspace.drafts.discard('local', file), true);
  assert.equal(workspace.drafts.discard('local', file), false);
  assert.equal(workspace.drafts.get('local', file), undefined);
});

test('drafts are kept per cluster and go with their cluster', (t) => {
  const workspace = tempWorkspace(t);
  workspace.clusters.create({ name: 'local', kind: 'local', config: {} });
  workspace.clusters.create({ name: 'lab', kind: 'ssh', config: {} });
  workspace.drafts.save('local', file, 'local text', 1);
  workspace.drafts.save('lab', file, 'lab text', 2);
  assert.equal(workspace.drafts.get('lab', file)?.text, 'lab text');
  workspace.clusters.remove('lab');
  assert.deepEqual(workspace.drafts.list('lab'), []);
  assert.equal(workspace.drafts.get('local', file)?.text, 'local text');
});

test('a draft over the editor limit, or for an unknown cluster, is refused', (t) => {
  const workspace = tempWorkspace(t);
  workspace.clusters.create({ name: 'local', kind: 'local', config: {} });
  assert.throws(
    () => workspace.drafts.save('local', file, 'x'.repeat(textFileLimits.maxBytes + 1), 1),
    (err: unknown) => err instanceof HopsError && err.code === 'TEXT_FILE_TOO_LARGE',
  );
  assert.throws(
    () => workspace.drafts.save('nowhere', file, 'x', 1),
    (err: unknown) => err instanceof HopsError && err.code === 'CLUSTER_NOT_FOUND',
  );
  assert.deepEqual(workspace.drafts.list('local'), []);
});
