/**
 * `hopsdesk dataset share|accept|shares|unshare|rm|trash|restore|find` as a user runs them:
 * separate processes on one workspace, against its local cluster, whose admin creates two
 * projects and so is a Data Owner of both.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runHopsdesk } from '../../e2e/fixtures/cli.ts';
import type { SharesReply } from '../../protocol/fs-shares.ts';
import type { TrashReply } from '../../protocol/fs-trash.ts';
import type { ListPage, RemoveReply, SearchReply } from '../../protocol/fs.ts';
import { ensureAgentBundle } from '../testing/agent-bundle.ts';

let workspace: string;

const hopsdesk = (args: string[]) => runHopsdesk([...args, '--workspace', workspace]);
async function json<T>(args: string[]): Promise<T> {
  const result = await hopsdesk([...args, '--json']);
  assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

before(async () => {
  await ensureAgentBundle();
  workspace = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-sharing-'));
  const local = path.join(workspace, 'notes.csv');
  await writeFile(local, 'a,b\n1,2\n');
  for (const args of [
    ['project', 'create', 'lab'],
    ['project', 'create', 'team'],
    ['dataset', 'mkdir', '/Projects/lab/raw'],
    ['dataset', 'put', local, '/Projects/lab/raw/notes.csv'],
  ]) {
    const result = await hopsdesk(args);
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
  }
});
after(() => rm(workspace, { recursive: true, force: true }));

test('share, accept, list and unshare a dataset from the command line', async () => {
  const shared = await hopsdesk(['dataset', 'share', '/Projects/lab/raw', '--with', 'team', '--read-only']);
  assert.equal(shared.code, 0, shared.stderr);
  assert.match(shared.stdout, /Shared \/Projects\/lab\/raw with team \(read-only\); .*dataset accept \/Projects\/lab\/raw --project team/);
  const pending = await json<SharesReply>(['dataset', 'shares', '--project', 'team']);
  assert.deepEqual(pending.incoming.map((s) => [s.path, s.state, s.readOnly]), [['/Projects/lab/raw', 'pending', true]]);
  assert.equal((await json<{ state: string }>(['dataset', 'accept', '/Projects/lab/raw', '--project', 'team'])).state, 'accepted');
  const team = await json<ListPage>(['dataset', 'ls', '/Projects/team']);
  assert.deepEqual(team.entries.map((e) => [e.name, e.path, e.sharedFrom?.readOnly]), [['lab::raw', '/Projects/lab/raw', true]]);
  const table = await hopsdesk(['dataset', 'shares', '--project', 'lab']);
  assert.match(table.stdout, /to\s+team\s+\/Projects\/lab\/raw\s+read-only\s+accepted/);
  const missingFlag = await hopsdesk(['dataset', 'share', '/Projects/lab/raw']);
  assert.equal(missingFlag.code, 2);
  assert.match(missingFlag.stderr, /--with PROJECT/);
  assert.equal((await hopsdesk(['dataset', 'unshare', '/Projects/lab/raw', '--with', 'team'])).code, 0);
  assert.deepEqual((await json<SharesReply>(['dataset', 'shares', '--project', 'team'])).incoming, []);
});

test('rm goes to the trash, restore brings it back, --permanent asks first', async () => {
  const removed = await json<RemoveReply>(['dataset', 'rm', '/Projects/lab/raw/notes.csv']);
  assert.equal(typeof removed.trashId, 'number');
  const { entries } = await json<TrashReply>(['dataset', 'trash', '--project', 'lab']);
  assert.deepEqual(entries.map((e) => [e.id, e.path, e.size]), [[removed.trashId, '/Projects/lab/raw/notes.csv', 8]]);
  const listed = await hopsdesk(['dataset', 'trash', '--project', 'lab']);
  assert.match(listed.stdout, new RegExp(`^ID\\s+PATH.*\\n\\s*${removed.trashId}\\s+/Projects/lab/raw/notes.csv\\s+8 B`));
  const restored = await hopsdesk(['dataset', 'restore', String(removed.trashId)]);
  assert.equal(restored.code, 0, restored.stderr);
  assert.match(restored.stdout, /Restored \/Projects\/lab\/raw\/notes.csv/);
  const badId = await hopsdesk(['dataset', 'restore', 'abc']);
  assert.equal(badId.code, 2);

  // Off a terminal, --permanent needs --yes; then nothing goes to the trash.
  const unconfirmed = await hopsdesk(['dataset', 'rm', '/Projects/lab/raw/notes.csv', '--permanent']);
  assert.equal(unconfirmed.code, 2);
  assert.match(unconfirmed.stderr, /for good.*--yes/);
  const gone = await json<RemoveReply>(['dataset', 'rm', '/Projects/lab/raw/notes.csv', '--permanent', '--yes']);
  assert.equal(gone.trashId, undefined);
  assert.deepEqual((await json<TrashReply>(['dataset', 'trash', '--project', 'lab'])).entries, []);
});

test('find lists names containing the query under a path', async () => {
  const local = path.join(workspace, 'Summary-2025.TXT');
  await writeFile(local, 'x');
  assert.equal((await hopsdesk(['dataset', 'put', local, '/Projects/lab/raw/Summary-2025.TXT'])).code, 0);
  const found = await json<SearchReply>(['dataset', 'find', '/Projects/lab', 'summary']);
  assert.deepEqual(found.entries.map((e) => e.path), ['/Projects/lab/raw/Summary-2025.TXT']);
  const text = await hopsdesk(['dataset', 'find', '/Projects/lab', 'nothing-like-this']);
  assert.equal(text.stdout.trim(), '(nothing found)');
  const bad = await hopsdesk(['dataset', 'find', '/Projects/lab', 'x', '--order', 'size']);
  assert.equal(bad.code, 2);
});
