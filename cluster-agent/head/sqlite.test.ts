/**
 * Group commit on a real SQLite file: changes made together share one transaction and are
 * acknowledged only once it is committed (another connection sees them then); a change
 * that fails rolls back alone; a plain transaction meanwhile commits the group first; a
 * soft one (heartbeats) commits without an fsync, or joins the group.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import { commitOpenGroup, commitTogether, inSoftTransaction, inTransaction } from './sqlite.ts';

const dir = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-sqlite-'));
const file = path.join(dir, 'group.db');
const db = new DatabaseSync(file);
db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE files (name TEXT PRIMARY KEY)');
const other = new DatabaseSync(file);
const count = (on: DatabaseSync): number => (on.prepare('SELECT count(*) AS n FROM files').get() as { n: number }).n;
const insert = (name: string) => () => {
  db.prepare('INSERT INTO files (name) VALUES (?)').run(name);
  return name;
};

after(async () => {
  db.close();
  other.close();
  await rm(dir, { recursive: true, force: true });
});

test('changes made together land in one transaction, each acknowledged after its commit; a failed one rolls back alone', async () => {
  const acknowledged: string[] = [];
  const members = ['a', 'b', 'c', 'd'].map((name) => commitTogether(db, insert(name)).then((n) => (acknowledged.push(n), n)));
  const duplicate = commitTogether(db, insert('a'));
  // All ran at once, in one transaction still open: nothing acknowledged, nothing visible elsewhere.
  assert.equal(db.isTransaction, true);
  assert.equal(count(db), 4);
  assert.equal(count(other), 0);
  assert.deepEqual(acknowledged, []);
  await assert.rejects(duplicate, /UNIQUE/);
  assert.deepEqual(await Promise.all(members), ['a', 'b', 'c', 'd']);
  assert.equal(db.isTransaction, false);
  assert.equal(count(other), 4, 'acknowledged means committed');
});

test('a plain transaction while a group is open commits the group first, then its own', async () => {
  const grouped = commitTogether(db, insert('e'));
  inTransaction(db, insert('f'));
  assert.equal(db.isTransaction, false);
  assert.equal(count(other), 6, 'both committed when the plain transaction returned');
  assert.equal(await grouped, 'e');
});

test('a group stays open while the turns after it bring more changes, then commits them together', async () => {
  const order: string[] = [];
  // A window long enough that a slow turn of a busy test machine does not close it.
  const first = commitTogether(db, insert('g1'), 1000).then(() => order.push('g1 acknowledged'));
  // Joins a turn later, after the group's first chance to commit.
  const later = new Promise<void>((resolve) =>
    setImmediate(() => {
      order.push('g2 made');
      void commitTogether(db, insert('g2')).then(() => (order.push('g2 acknowledged'), resolve()));
    }),
  );
  await Promise.all([first, later]);
  assert.deepEqual(order, ['g2 made', 'g1 acknowledged', 'g2 acknowledged'], 'g1 waited for the change of the next turn');
  assert.equal(count(other), 8, 'both committed');
  // A lone change is not held for long.
  const started = performance.now();
  await commitTogether(db, insert('g3'));
  assert.ok(performance.now() - started < 250, `a lone change took ${(performance.now() - started).toFixed(0)} ms`);
});

test('a soft transaction commits without waiting for the disk, and joins an open group instead of committing it', async () => {
  const level = () => (db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous;
  assert.equal(level(), 2, 'FULL');
  inSoftTransaction(db, insert('s1'));
  assert.equal(count(other), 10, 'committed on return');
  assert.equal(level(), 2, 'and FULL again after');
  const grouped = commitTogether(db, insert('s2'));
  inSoftTransaction(db, insert('s3'));
  assert.equal(db.isTransaction, true, 'the group is still open');
  assert.equal(count(other), 10);
  await grouped;
  assert.equal(count(other), 12, 'both landed with the group');
});

test('a group still open when its database closes is committed first, and its scheduled commit finds nothing to do', async () => {
  const closing = new DatabaseSync(path.join(dir, 'closing.db'));
  closing.exec('PRAGMA journal_mode = WAL; CREATE TABLE files (name TEXT PRIMARY KEY)');
  const member = commitTogether(closing, () => closing.prepare('INSERT INTO files (name) VALUES (?)').run('last'));
  commitOpenGroup(closing);
  closing.close();
  await member;
  // The group's commit was scheduled for a later turn: it must not touch the closed database.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const reopened = new DatabaseSync(path.join(dir, 'closing.db'));
  assert.equal((reopened.prepare('SELECT count(*) AS n FROM files').get() as { n: number }).n, 1, 'the change was committed');
  reopened.close();
});
