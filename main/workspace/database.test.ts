import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { openDatabase } from './database.ts';
import { tempDir } from './fixtures.ts';

test('a workspace connection uses WAL, full sync, foreign keys and a busy timeout', (t) => {
  const db = openDatabase(path.join(tempDir(t), 'workspace.db'));
  t.after(() => db.close());
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL');
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
});
