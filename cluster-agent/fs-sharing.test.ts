/**
 * Sharing, the trash and search through the head's client API, on a real in-process
 * cluster (`testing/fs-cluster.ts`): the permission matrix of roles × resources over two
 * projects, with a dataset of one shared with the other in every state a share goes
 * through; then the trash, search, and bad input on every new route.
 *
 * People: olga (Data Owner of p1), sam (Data Scientist of p1), pete (Data Owner of p2),
 * and the cluster admin, who is in neither project.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Share, SharesReply } from '../protocol/fs-shares.ts';
import type { TrashReply } from '../protocol/fs-trash.ts';
import { fsRoutes, type FileStat, type ListPage, type RemoveReply, type SearchReply } from '../protocol/fs.ts';
import { permissions, type Permission, type Role } from '../protocol/projects.ts';
import { TestCluster, blockFiles, type Reply } from './testing/fs-cluster.ts';
import { tempDir, testTokens, waitFor } from './testing/helpers.ts';

type Person = 'olga' | 'sam' | 'pete' | 'admin';
type ShareMode = 'none' | 'pending' | 'read-only' | 'read-write';

const roles: Record<Person, Partial<Record<'p1' | 'p2', Role>>> = {
  olga: { p1: 'data-owner' },
  sam: { p1: 'data-scientist' },
  pete: { p2: 'data-owner' },
  admin: {},
};

/** Whether `who` may do what needs `permission` in `project`, with p1/ds shared with p2 as `mode`. */
function allowed(who: Person, project: 'p1' | 'p2', permission: Permission, mode: ShareMode, onSharedDataset: boolean): boolean {
  const grants = (role: Role | undefined) => role !== undefined && (permissions[permission] as readonly Role[]).includes(role);
  if (grants(roles[who][project])) return true;
  if (project !== 'p1' || !onSharedDataset || mode === 'none' || mode === 'pending') return false;
  if (permission === 'data.read') return grants(roles[who].p2);
  return permission === 'data.write' && mode === 'read-write' && grants(roles[who].p2);
}

/** Asserts a wire error; returns its message. */
function refused(reply: Reply, status: number, code: string): string {
  assert.equal(reply.status, status, reply.text);
  const body = reply.json<{ code: string; message: string }>();
  assert.equal(body.code, code, body.message);
  return body.message;
}

describe('sharing, the trash and search', () => {
  let cluster: TestCluster;
  let remove: () => Promise<void>;
  const tokens = {} as Record<Person, string>;

  before(async () => {
    const temp = await tempDir();
    remove = temp.remove;
    cluster = new TestCluster(temp.dir);
    await cluster.start(0);
    tokens.admin = testTokens.client;
    for (const name of ['olga', 'sam', 'pete'] as const) tokens[name] = await cluster.user(name);
    await cluster.ok('POST', '/v1/projects', { json: { name: 'p1' }, token: tokens.olga });
    await cluster.ok('POST', '/v1/projects/p1/members', { json: { user: 'sam', role: 'data-scientist' }, token: tokens.olga });
    await cluster.ok('POST', '/v1/projects', { json: { name: 'p2' }, token: tokens.pete });
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/p1/ds' }, token: tokens.olga });
    await cluster.put('/Projects/p1/ds/seed.txt', Buffer.from('seed'), {}, tokens.olga);
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/p2/own' }, token: tokens.pete });
    await cluster.put('/Projects/p2/own/seed.txt', Buffer.from('own'), {}, tokens.pete);
  });
  after(async () => {
    await cluster.stop();
    await remove();
  });

  /** Each call as `who`, with names of its own (`tag`) so that every row can run in every phase. */
  function matrixRows(who: Person, tag: string) {
    const token = tokens[who];
    const owner = (project: 'p1' | 'p2') => (project === 'p1' ? tokens.olga : tokens.pete);
    const rows: Array<{ what: string; project: 'p1' | 'p2'; permission: Permission; shared: boolean; setup?: () => Promise<unknown>; call: () => Promise<Reply> }> = [];
    for (const [project, dataset] of [['p1', 'ds'], ['p2', 'own']] as const) {
      const base = `/Projects/${project}/${dataset}`;
      const shared = project === 'p1';
      rows.push(
        { what: `stat ${base}`, project, permission: 'data.read', shared, call: () => cluster.call('GET', fsRoutes.stat, { token, query: { path: `${base}/seed.txt` } }) },
        { what: `list ${base}`, project, permission: 'data.read', shared, call: () => cluster.call('GET', fsRoutes.list, { token, query: { path: base } }) },
        { what: `read ${base}`, project, permission: 'data.read', shared, call: () => cluster.call('GET', fsRoutes.content, { token, query: { path: `${base}/seed.txt` } }) },
        { what: `blocks ${base}`, project, permission: 'data.read', shared, call: () => cluster.call('GET', fsRoutes.blocks, { token, query: { path: `${base}/seed.txt` } }) },
        { what: `search ${base}`, project, permission: 'data.read', shared, call: () => cluster.call('GET', fsRoutes.search, { token, query: { path: base, query: 'seed' } }) },
        { what: `mkdir in ${base}`, project, permission: 'data.write', shared, call: () => cluster.call('POST', fsRoutes.mkdir, { token, json: { path: `${base}/dir-${tag}` } }) },
        { what: `upload to ${base}`, project, permission: 'data.write', shared, call: () => cluster.call('PUT', fsRoutes.content, { token, query: { path: `${base}/new-${tag}` }, body: Buffer.from(tag) }) },
        {
          what: `move in ${base}`,
          project,
          permission: 'data.write',
          shared,
          setup: () => cluster.put(`${base}/mv-${tag}`, Buffer.from('m'), {}, owner(project)),
          call: () => cluster.call('POST', fsRoutes.move, { token, json: { from: `${base}/mv-${tag}`, to: `${base}/moved-${tag}` } }),
        },
        {
          what: `remove in ${base}`,
          project,
          permission: 'data.write',
          shared,
          setup: () => cluster.put(`${base}/rm-${tag}`, Buffer.from('r'), {}, owner(project)),
          call: () => cluster.call('POST', fsRoutes.remove, { token, json: { path: `${base}/rm-${tag}` } }),
        },
        { what: `create a dataset in ${project}`, project, permission: 'data.import', shared: false, call: () => cluster.call('POST', fsRoutes.mkdir, { token, json: { path: `/Projects/${project}/new-${tag}` } }) },
        {
          what: `remove a dataset of ${project}`,
          project,
          permission: 'data.import',
          shared: false,
          setup: () => cluster.ok('POST', fsRoutes.mkdir, { json: { path: `/Projects/${project}/del-${tag}` }, token: owner(project) }),
          call: () => cluster.call('POST', fsRoutes.remove, { token, json: { path: `/Projects/${project}/del-${tag}` } }),
        },
        { what: `list shares of ${project}`, project, permission: 'data.read', shared: false, call: () => cluster.call('GET', fsRoutes.shares, { token, query: { project } }) },
        { what: `list the trash of ${project}`, project, permission: 'data.read', shared: false, call: () => cluster.call('GET', fsRoutes.trash, { token, query: { project } }) },
      );
    }
    return rows;
  }

  /** Runs every row for every person; returns how many calls succeeded that should not have. */
  let round = 0;
  async function runMatrix(mode: ShareMode): Promise<number> {
    let unauthorizedSuccesses = 0;
    round += 1;
    for (const who of ['olga', 'sam', 'pete', 'admin'] as const) {
      for (const row of matrixRows(who, `${who}-${round}`)) {
        await row.setup?.();
        const reply = await row.call();
        const expected = allowed(who, row.project, row.permission, mode, row.shared);
        const label = `${mode}: ${who} ${row.what}`;
        if (expected) {
          assert.equal(reply.status, 200, `${label}: ${reply.text}`);
          continue;
        }
        if (reply.status < 400) unauthorizedSuccesses += 1;
        const message = refused(reply, 403, 'FORBIDDEN');
        assert.match(message, new RegExp(`needs ${row.permission.replace('.', '\\.')}`), label);
        if (mode === 'read-only' && who === 'pete' && row.shared) assert.match(message, /read-only/, label);
      }
    }
    return unauthorizedSuccesses;
  }

  test('the permission matrix: roles × resources over two projects, through every state of a share', async () => {
    const share = (token: string, readOnly: boolean) => cluster.call('POST', fsRoutes.shares, { token, json: { path: '/Projects/p1/ds', withProject: 'p2', readOnly } });
    const accept = (token: string) => cluster.call('POST', fsRoutes.shareAccept, { token, json: { project: 'p2', path: '/Projects/p1/ds' } });
    const unshare = (token: string) => cluster.call('POST', fsRoutes.shareRemove, { token, json: { path: '/Projects/p1/ds', withProject: 'p2' } });
    let unauthorizedSuccesses = await runMatrix('none');

    // Only a Data Owner of p1 shares its dataset.
    for (const who of ['sam', 'pete', 'admin'] as const) assert.match(refused(await share(tokens[who], true), 403, 'FORBIDDEN'), /needs data\.share \(Data Owner\)/);
    const pending = await share(tokens.olga, true);
    assert.equal(pending.status, 200, pending.text);
    assert.deepEqual(
      (({ path, project, dataset, withProject, readOnly, state, sharedBy }) => ({ path, project, dataset, withProject, readOnly, state, sharedBy }))(pending.json<Share>()),
      { path: '/Projects/p1/ds', project: 'p1', dataset: 'ds', withProject: 'p2', readOnly: true, state: 'pending', sharedBy: 'olga' },
    );
    refused(await share(tokens.olga, false), 409, 'SHARE_EXISTS');
    unauthorizedSuccesses += await runMatrix('pending');

    // Only a Data Owner of p2 accepts it.
    for (const who of ['olga', 'sam', 'admin'] as const) assert.match(refused(await accept(tokens[who]), 403, 'FORBIDDEN'), /needs data\.share/);
    assert.equal((await accept(tokens.pete)).json<Share>().state, 'accepted');
    unauthorizedSuccesses += await runMatrix('read-only');

    // p2's listing shows the shared dataset with its real path.
    const p2 = await cluster.ok<ListPage>('GET', fsRoutes.list, { token: tokens.pete, query: { path: '/Projects/p2' } });
    const entry = p2.entries.find((e) => e.sharedFrom !== undefined);
    assert.deepEqual(entry && { path: entry.path, name: entry.name, sharedFrom: entry.sharedFrom }, {
      path: '/Projects/p1/ds',
      name: 'p1::ds',
      sharedFrom: { project: 'p1', dataset: 'ds', readOnly: true },
    });
    const shares = await cluster.ok<SharesReply>('GET', fsRoutes.shares, { token: tokens.pete, query: { project: 'p2' } });
    assert.deepEqual([shares.incoming.map((s) => [s.path, s.state, s.acceptedBy]), shares.outgoing], [[['/Projects/p1/ds', 'accepted', 'pete']], []]);

    // p2's Data Owner leaves the share; access ends at the next call.
    assert.equal((await unshare(tokens.pete)).status, 200);
    refused(await cluster.call('GET', fsRoutes.stat, { token: tokens.pete, query: { path: '/Projects/p1/ds/seed.txt' } }), 403, 'FORBIDDEN');

    // Read-write: pete (Data Owner of p2, so data.write there) writes into p1/ds.
    assert.equal((await share(tokens.olga, false)).status, 200);
    assert.equal((await accept(tokens.pete)).status, 200);
    unauthorizedSuccesses += await runMatrix('read-write');
    // A shared dataset is never renamed, removed or re-shared from the other project.
    refused(await cluster.call('POST', fsRoutes.move, { token: tokens.pete, json: { from: '/Projects/p1/ds', to: '/Projects/p1/ds2' } }), 403, 'FORBIDDEN');
    refused(await cluster.call('POST', fsRoutes.remove, { token: tokens.pete, json: { path: '/Projects/p1/ds', recursive: true } }), 403, 'FORBIDDEN');

    // Unshared by p1's Data Owner: the very next call is refused, on the connection already open.
    const before = await cluster.call('GET', fsRoutes.stat, { token: tokens.pete, query: { path: '/Projects/p1/ds/seed.txt' } });
    assert.equal(before.status, 200);
    assert.match(refused(await unshare(tokens.sam), 403, 'FORBIDDEN'), /needs data\.share/);
    assert.equal((await unshare(tokens.olga)).status, 200);
    refused(await cluster.call('GET', fsRoutes.stat, { token: tokens.pete, query: { path: '/Projects/p1/ds/seed.txt' } }), 403, 'FORBIDDEN');
    refused(await cluster.call('PUT', fsRoutes.content, { token: tokens.pete, query: { path: '/Projects/p1/ds/late' }, body: Buffer.from('x') }), 403, 'FORBIDDEN');
    refused(await unshare(tokens.olga), 404, 'SHARE_NOT_FOUND');
    assert.equal((await cluster.ok<ListPage>('GET', fsRoutes.list, { token: tokens.pete, query: { path: '/Projects/p2' } })).entries.some((e) => e.sharedFrom), false);
    unauthorizedSuccesses += await runMatrix('none');
    assert.equal(unauthorizedSuccesses, 0);

    // Every change is in both projects' audit logs.
    for (const [project, token] of [['p1', tokens.olga], ['p2', tokens.pete]] as const) {
      const audit = await cluster.ok<{ entries: Array<{ action: string; user: string }> }>('GET', `/v1/projects/${project}/audit`, { token });
      const actions = audit.entries.filter((e) => ['dataset.share', 'share.accept', 'dataset.unshare'].includes(e.action)).map((e) => `${e.action} by ${e.user}`);
      assert.deepEqual(actions, ['dataset.share by olga', 'share.accept by pete', 'dataset.unshare by pete', 'dataset.share by olga', 'share.accept by pete', 'dataset.unshare by olga']);
    }
  });

  test('a share follows its dataset when renamed, and ends when the dataset goes to the trash', async () => {
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/p1/moving' }, token: tokens.olga });
    await cluster.put('/Projects/p1/moving/a.txt', Buffer.from('a'), {}, tokens.olga);
    await cluster.ok('POST', fsRoutes.shares, { json: { path: '/Projects/p1/moving', withProject: 'p2' }, token: tokens.olga });
    await cluster.ok('POST', fsRoutes.shareAccept, { json: { project: 'p2', path: '/Projects/p1/moving' }, token: tokens.pete });
    await cluster.ok('POST', fsRoutes.move, { json: { from: '/Projects/p1/moving', to: '/Projects/p1/moved' }, token: tokens.olga });
    assert.deepEqual(await cluster.read('/Projects/p1/moved/a.txt', tokens.pete), Buffer.from('a'));
    const incoming = async () =>
      (await cluster.ok<SharesReply>('GET', fsRoutes.shares, { token: tokens.pete, query: { project: 'p2' } })).incoming.filter((s) => s.dataset.startsWith('mov')).map((s) => s.path);
    assert.deepEqual(await incoming(), ['/Projects/p1/moved']);
    await cluster.ok('POST', fsRoutes.remove, { json: { path: '/Projects/p1/moved', recursive: true }, token: tokens.olga });
    assert.deepEqual(await incoming(), []);
    // Restored, it is not shared again: sharing is a decision made anew.
    const entry = (await cluster.ok<TrashReply>('GET', fsRoutes.trash, { token: tokens.olga, query: { project: 'p1' } })).entries.find((e) => e.path === '/Projects/p1/moved');
    assert.ok(entry !== undefined);
    await cluster.ok('POST', fsRoutes.trashRestore, { json: { trashId: entry.id, project: 'p1' }, token: tokens.olga });
    refused(await cluster.call('GET', fsRoutes.stat, { token: tokens.pete, query: { path: '/Projects/p1/moved/a.txt' } }), 403, 'FORBIDDEN');
  });

  test('the trash: removed things leave the namespace, keep their blocks, and come back', async () => {
    const olga = tokens.olga;
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/p1/bin/sub', parents: true }, token: olga });
    await cluster.put('/Projects/p1/bin/sub/x.bin', Buffer.alloc(5000, 7), {}, olga);
    await cluster.put('/Projects/p1/bin/y.txt', Buffer.from('y'), {}, olga);
    const blocksBefore = (await blockFiles(cluster.head.dataDir)).blocks.length;

    const removed = await cluster.ok<RemoveReply>('POST', fsRoutes.remove, { json: { path: '/Projects/p1/bin/sub', recursive: true }, token: tokens.sam });
    assert.deepEqual({ ...removed, trashId: typeof removed.trashId }, { path: '/Projects/p1/bin/sub', files: 1, dirs: 1, trashId: 'number' });
    refused(await cluster.call('GET', fsRoutes.stat, { token: olga, query: { path: '/Projects/p1/bin/sub/x.bin' } }), 404, 'PATH_NOT_FOUND');
    assert.deepEqual((await cluster.ok<ListPage>('GET', fsRoutes.list, { token: olga, query: { path: '/Projects/p1/bin' } })).entries.map((e) => e.name), ['y.txt']);
    assert.equal((await cluster.ok<SearchReply>('GET', fsRoutes.search, { token: olga, query: { path: '/Projects/p1', query: 'x.bin' } })).entries.length, 0);
    const { entries } = await cluster.ok<TrashReply>('GET', fsRoutes.trash, { token: tokens.sam, query: { project: 'p1' } });
    const entry = entries.find((e) => e.id === removed.trashId);
    assert.ok(entry !== undefined);
    assert.deepEqual(
      { path: entry.path, type: entry.type, size: entry.size, files: entry.files, dirs: entry.dirs, removedBy: entry.removedBy, days: (entry.purgeAtMs - entry.removedAtMs) / 86_400_000 },
      { path: '/Projects/p1/bin/sub', type: 'dir', size: 5000, files: 1, dirs: 1, removedBy: 'sam', days: 7 },
    );
    // Its blocks stay on the workers while it is in the trash.
    assert.equal((await blockFiles(cluster.head.dataDir)).blocks.length, blocksBefore);

    // The path is free again; restoring there is then a 409 that offers `to`.
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/p1/bin/sub' }, token: olga });
    const conflict = await cluster.call('POST', fsRoutes.trashRestore, { json: { trashId: entry.id, project: 'p1' }, token: olga });
    assert.match(refused(conflict, 409, 'PATH_EXISTS'), /is taken now/);
    assert.match(conflict.json<{ hint: string }>().hint, /another name \(`to`/);
    refused(await cluster.call('POST', fsRoutes.trashRestore, { json: { trashId: entry.id, project: 'p2' }, token: tokens.pete }), 404, 'TRASH_ENTRY_NOT_FOUND');
    refused(await cluster.call('POST', fsRoutes.trashRestore, { json: { trashId: entry.id, to: '/Projects/p1/bin/sub2' }, token: tokens.pete }), 403, 'FORBIDDEN');
    assert.match(refused(await cluster.call('POST', fsRoutes.trashRestore, { json: { trashId: entry.id, to: '/Projects/p2/own/sub' }, token: olga }), 400, 'PATH_INVALID'), /rule same-project/);
    const restored = await cluster.ok<FileStat>('POST', fsRoutes.trashRestore, { json: { trashId: entry.id, to: '/Projects/p1/bin/sub2' }, token: tokens.sam });
    assert.deepEqual([restored.path, restored.type], ['/Projects/p1/bin/sub2', 'dir']);
    assert.deepEqual(await cluster.read('/Projects/p1/bin/sub2/x.bin', olga), Buffer.alloc(5000, 7));
    refused(await cluster.call('POST', fsRoutes.trashRestore, { json: { trashId: entry.id }, token: olga }), 404, 'TRASH_ENTRY_NOT_FOUND');

    // A dataset's removal and restore need data.import, and are audited.
    const dataset = await cluster.ok<RemoveReply>('POST', fsRoutes.remove, { json: { path: '/Projects/p1/bin', recursive: true }, token: olga });
    assert.match(refused(await cluster.call('POST', fsRoutes.trashRestore, { json: { trashId: dataset.trashId }, token: tokens.sam }), 403, 'FORBIDDEN'), /needs data\.import/);
    await cluster.ok('POST', fsRoutes.trashRestore, { json: { trashId: dataset.trashId }, token: olga });
    const audit = await cluster.ok<{ entries: Array<{ action: string; target: string }> }>('GET', '/v1/projects/p1/audit', { token: olga });
    assert.ok(audit.entries.some((e) => e.action === 'dataset.trash' && e.target === '/Projects/p1/bin'));
    assert.ok(audit.entries.some((e) => e.action === 'dataset.restore' && e.target === '/Projects/p1/bin'));

    // permanent skips the trash, and the blocks go from the workers.
    const gone = await cluster.ok<RemoveReply>('POST', fsRoutes.remove, { json: { path: '/Projects/p1/bin', recursive: true, permanent: true }, token: olga });
    assert.equal(gone.trashId, undefined);
    assert.equal((await cluster.ok<TrashReply>('GET', fsRoutes.trash, { token: olga, query: { project: 'p1' } })).entries.some((e) => e.path.startsWith('/Projects/p1/bin')), false);
    await waitFor('the removed blocks reclaimed', async () => (await blockFiles(cluster.head.dataDir)).blocks.length === blocksBefore - 2);
  });

  test('search by name: case-insensitive substrings under a project or dataset, newest first or by path, bounded', async () => {
    const olga = tokens.olga;
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/p1/found/deep/er', parents: true }, token: olga });
    for (const name of ['Report-2024.CSV', 'report_2025.csv', 'Résumé.txt', 'notes.md']) await cluster.put(`/Projects/p1/found/deep/${name}`, Buffer.from(name), {}, olga);
    await cluster.put('/Projects/p1/found/deep/er/REPORT-old.csv', Buffer.from('old'), {}, olga);
    const search = (query: string, extra: Record<string, string | number> = {}, path = '/Projects/p1/found') =>
      cluster.ok<SearchReply>('GET', fsRoutes.search, { token: olga, query: { path, query, ...extra } });
    const newest = await search('report');
    assert.deepEqual(newest.entries.map((e) => e.name), ['REPORT-old.csv', 'report_2025.csv', 'Report-2024.CSV']);
    assert.equal(newest.truncated, false);
    assert.deepEqual((await search('REPORT', { order: 'path' })).entries.map((e) => e.path), [
      '/Projects/p1/found/deep/Report-2024.CSV',
      '/Projects/p1/found/deep/er/REPORT-old.csv',
      '/Projects/p1/found/deep/report_2025.csv',
    ]);
    assert.deepEqual((await search('RÉSUMÉ')).entries.map((e) => e.name), ['Résumé.txt']);
    assert.deepEqual((await search('_')).entries.map((e) => e.name), ['report_2025.csv']);
    assert.deepEqual((await search('%')).entries, []);
    const two = await search('e', { limit: 2 });
    assert.deepEqual([two.entries.length, two.truncated], [2, true]);
    assert.deepEqual((await search('report', {}, '/Projects/p1/found/deep/er')).entries.map((e) => e.name), ['REPORT-old.csv']);
    refused(await cluster.call('GET', fsRoutes.search, { token: olga, query: { path: '/Projects/p1/found', query: 'x', limit: 201 } }), 400, 'VALIDATION');
  });

  test('bad input on the new routes is a 400 naming the rule', async () => {
    const olga = tokens.olga;
    const long = 'n'.repeat(10_000);
    const cases: Array<[string, () => Promise<Reply>, string, RegExp]> = [
      ['share ..', () => cluster.call('POST', fsRoutes.shares, { token: olga, json: { path: '/Projects/p1/../p2', withProject: 'p2' } }), 'PATH_INVALID', /rule no-dot-segments/],
      ['share NUL', () => cluster.call('POST', fsRoutes.shares, { token: olga, json: { path: '/Projects/p1/d\0s', withProject: 'p2' } }), 'PATH_INVALID', /rule no-control-characters/],
      ['share a long name', () => cluster.call('POST', fsRoutes.shares, { token: olga, json: { path: `/Projects/p1/${long.slice(0, 4000)}`, withProject: 'p2' } }), 'PATH_INVALID', /rule name-length/],
      ['share a name of 5,000 characters', () => cluster.call('POST', fsRoutes.shares, { token: olga, json: { path: `/Projects/p1/${long.slice(0, 5000)}`, withProject: 'p2' } }), 'PATH_INVALID', /rule name-length/],
      ['share 5,000 characters of short names', () => cluster.call('POST', fsRoutes.shares, { token: olga, json: { path: `/Projects/p1/${`${'d'.repeat(199)}/`.repeat(25)}x`, withProject: 'p2' } }), 'PATH_INVALID', /rule path-length/],
      // Past the schema's 8192-character bound too, but the path rule is what the user can act on.
      ['share a name of 10,000 characters', () => cluster.call('POST', fsRoutes.shares, { token: olga, json: { path: `/Projects/p1/${long}`, withProject: 'p2' } }), 'PATH_INVALID', /is 10000 bytes long \(rule name-length/],
      ['share a folder', () => cluster.call('POST', fsRoutes.shares, { token: olga, json: { path: '/Projects/p1/ds/seed.txt', withProject: 'p2' } }), 'PATH_INVALID', /rule dataset-only/],
      ['share with a bad project', () => cluster.call('POST', fsRoutes.shares, { token: olga, json: { path: '/Projects/p1/ds', withProject: '../p2' } }), 'VALIDATION', /withProject/],
      ['share with itself', () => cluster.call('POST', fsRoutes.shares, { token: olga, json: { path: '/Projects/p1/ds', withProject: 'p1' } }), 'VALIDATION', /other projects/],
      ['accept ..', () => cluster.call('POST', fsRoutes.shareAccept, { token: tokens.pete, json: { project: 'p2', path: '/Projects/p1/..' } }), 'PATH_INVALID', /rule no-dot-segments/],
      ['unshare NUL', () => cluster.call('POST', fsRoutes.shareRemove, { token: olga, json: { path: '/Projects/p1/\0', withProject: 'p2' } }), 'PATH_INVALID', /rule no-control-characters/],
      ['search ..', () => cluster.call('GET', fsRoutes.search, { token: olga, query: { path: '/Projects/p1/ds/..', query: 'x' } }), 'PATH_INVALID', /rule no-dot-segments/],
      ['search /Projects', () => cluster.call('GET', fsRoutes.search, { token: olga, query: { path: '/Projects', query: 'x' } }), 'PATH_INVALID', /rule search-scope/],
      ['search for NUL', () => cluster.call('GET', fsRoutes.search, { token: olga, query: { path: '/Projects/p1', query: 'a\0b' } }), 'VALIDATION', /rule no-control-characters/],
      ['search for 300 bytes', () => cluster.call('GET', fsRoutes.search, { token: olga, query: { path: '/Projects/p1', query: 'é'.repeat(150) } }), 'VALIDATION', /rule name-length/],
      ['search for 10,000 characters', () => cluster.call('GET', fsRoutes.search, { token: olga, query: { path: '/Projects/p1', query: long } }), 'VALIDATION', /\/query/],
      ['restore to ..', () => cluster.call('POST', fsRoutes.trashRestore, { token: olga, json: { trashId: 999_999, to: '/Projects/p1/../x' } }), 'PATH_INVALID', /rule no-dot-segments/],
      ['restore what is not there', () => cluster.call('POST', fsRoutes.trashRestore, { token: olga, json: { trashId: 999_999 } }), 'TRASH_ENTRY_NOT_FOUND', /no entry 999999/],
      ['restore id 0', () => cluster.call('POST', fsRoutes.trashRestore, { token: olga, json: { trashId: 0 } }), 'VALIDATION', /trashId/],
      ['trash of a bad project', () => cluster.call('GET', fsRoutes.trash, { token: olga, query: { project: 'P\0' } }), 'VALIDATION', /project/],
    ];
    for (const [what, call, code, message] of cases) {
      const reply = await call();
      assert.match(refused(reply, reply.status, code), message, what);
      assert.ok(reply.status === 400 || code === 'TRASH_ENTRY_NOT_FOUND', `${what}: ${reply.status}`);
    }
    // A bad `to` on an entry that exists names its rule.
    const { trashId } = await cluster.ok<RemoveReply>('POST', fsRoutes.remove, { json: { path: '/Projects/p1/ds/seed.txt' }, token: olga });
    assert.match(refused(await cluster.call('POST', fsRoutes.trashRestore, { json: { trashId, to: '/Projects/p1/ds/../x' }, token: olga }), 400, 'PATH_INVALID'), /rule no-dot-segments/);
    await cluster.ok('POST', fsRoutes.trashRestore, { json: { trashId }, token: olga });
  });
});

describe('the trash purged after its retention', () => {
  let cluster: TestCluster;
  let remove: () => Promise<void>;

  before(async () => {
    const temp = await tempDir();
    remove = temp.remove;
    cluster = new TestCluster(temp.dir);
    await cluster.start(0, { filesystem: { trashRetentionMs: 1000 } });
    await cluster.ok('POST', '/v1/projects', { json: { name: 'p1' } });
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/p1/tmp' } });
  });
  after(async () => {
    await cluster.stop();
    await remove();
  });

  test("a removed file's blocks leave the worker's disk once its entry is purged", async () => {
    await cluster.put('/Projects/p1/tmp/a.bin', Buffer.alloc(10_000, 1), { blockSize: 4096 });
    assert.equal((await blockFiles(cluster.head.dataDir)).blocks.length, 3);
    await cluster.ok('POST', fsRoutes.remove, { json: { path: '/Projects/p1/tmp/a.bin' } });
    await waitFor('the entry purged and its blocks reclaimed', async () => (await blockFiles(cluster.head.dataDir)).blocks.length === 0);
    assert.deepEqual((await cluster.ok<TrashReply>('GET', fsRoutes.trash, { query: { project: 'p1' } })).entries, []);
    const audit = await cluster.ok<{ entries: Array<{ action: string }> }>('GET', '/v1/projects/p1/audit');
    assert.equal(audit.entries.some((e) => e.action === 'dataset.purge'), false, 'only datasets are audited');
  });
});
