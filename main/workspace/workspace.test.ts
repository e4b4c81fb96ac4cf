import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { HopsError } from '../../protocol/errors.ts';
import { tempDir } from './fixtures.ts';
import { openWorkspace, WORKSPACE_DB } from './workspace.ts';

test('opening creates a private directory holding workspace.db', (t) => {
  const dir = path.join(tempDir(t), 'nested', 'home');
  const workspace = openWorkspace(dir);
  t.after(() => workspace.close());
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(workspace.file, path.join(dir, WORKSPACE_DB));
  assert.ok(statSync(workspace.file).isFile());
});

test('what one session writes, the next one reads', (t) => {
  const dir = tempDir(t);
  const first = openWorkspace(dir);
  first.clusters.create({ name: 'lab', kind: 'ssh', config: { host: 'gpu1.lab' } });
  first.clusters.setActive('lab');
  first.settings.update({ theme: 'dark' });
  first.close();

  const second = openWorkspace(dir);
  t.after(() => second.close());
  assert.equal(second.clusters.active(), 'lab');
  assert.deepEqual(second.clusters.get('lab')?.config, { host: 'gpu1.lab' });
  assert.equal(second.settings.get().theme, 'dark');
});

test('close is idempotent', (t) => {
  const workspace = openWorkspace(tempDir(t));
  workspace.close();
  workspace.close();
});

test('a file that is not a database is refused with an error naming it', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, WORKSPACE_DB);
  writeFileSync(file, 'these are not the pages you are looking for\n'.repeat(200));
  assert.throws(
    () => openWorkspace(dir),
    (err: unknown) => {
      assert.ok(err instanceof HopsError);
      assert.equal(err.code, 'WORKSPACE_INVALID');
      assert.ok(err.message.includes(file), err.message);
      assert.match(err.message, /not a readable Hopsdesk workspace database/);
      assert.match(err.hint, /--workspace/);
      return true;
    },
  );
});
