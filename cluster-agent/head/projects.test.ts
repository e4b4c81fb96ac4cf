import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { HopsError, type ErrorCode } from '../../protocol/errors.ts';
import type { User } from '../../protocol/projects.ts';
import { memoryLog, tempDir, testInventory, testTokens } from '../testing/helpers.ts';
import { ClusterDb } from './cluster-db.ts';
import { Invites } from './invites.ts';
import { projectLimits } from './project-limits.ts';
import { Projects } from './projects.ts';
import { Users } from './users.ts';

/** Asserts `work` throws a HopsError of `code` whose message matches `text`. */
function throwsCode(work: () => unknown, code: ErrorCode, text?: RegExp): void {
  assert.throws(work, (err: unknown) => {
    assert.ok(err instanceof HopsError, String(err));
    assert.equal(err.code, code, err.message);
    if (text !== undefined) assert.match(err.message, text);
    return true;
  });
}

describe('the head\'s users, projects and audit log', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let db: ClusterDb;
  let users: Users;
  let projects: Projects;
  let invites: Invites;
  let nowMs: number;
  const log = memoryLog();
  const file = () => path.join(dir, 'cluster.db');
  const open = () => {
    db = ClusterDb.open(file());
    users = new Users(db.projects, () => nowMs);
    users.ensureAdmin('admin', testTokens.client, log);
    projects = new Projects(db.projects, () => nowMs);
    invites = new Invites(db.projects, () => nowMs);
  };
  const admin = (): User => {
    const user = users.authenticate(testTokens.client);
    assert.ok(user !== undefined);
    return user;
  };
  /** A user joined through a cluster invite: their record and token. */
  const join = (name: string): { user: User; token: string } => {
    const { code } = invites.create(admin(), {});
    const { user, token } = invites.redeem(code, name);
    return { user, token };
  };

  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
    nowMs = 1_700_000_000_000;
    open();
  });
  afterEach(async () => {
    db.close();
    await remove();
  });

  test('the configured admin exists once, holds the client token, and is audited once', () => {
    assert.deepEqual(admin(), { name: 'admin', admin: true, createdAtMs: nowMs });
    db.close();
    nowMs += 1000;
    open();
    assert.equal(admin().createdAtMs, nowMs - 1000, 'a restart does not create the admin again');
    assert.deepEqual(db.projects.allAudit().map((e) => [e.action, e.user, e.target]), [['user.create', 'admin', 'admin']]);
    assert.equal(users.authenticate(testTokens.cluster), undefined);
    assert.equal(users.authenticate(`${testTokens.client}x`), undefined);
  });

  test('a new client token replaces the admin\'s; renaming the admin moves the token', () => {
    users.ensureAdmin('admin', 'rotated-client-token-0123456789', log);
    assert.equal(users.authenticate(testTokens.client), undefined);
    assert.equal(users.authenticate('rotated-client-token-0123456789')?.name, 'admin');
    users.ensureAdmin('root', 'rotated-client-token-0123456789', log);
    assert.deepEqual(users.authenticate('rotated-client-token-0123456789'), { name: 'root', admin: true, createdAtMs: nowMs });
    assert.deepEqual(
      db.projects.allAudit().map((e) => [e.action, e.target]),
      [['user.create', 'admin'], ['user.token', 'admin'], ['user.token', 'admin'], ['user.create', 'root']],
    );
  });

  test('creating a project makes the creator its Data Owner; names are unique', () => {
    const ana = join('ana').user;
    const project = projects.create(ana, { name: 'vision', description: 'Images' });
    assert.deepEqual(project, {
      name: 'vision',
      description: 'Images',
      createdBy: 'ana',
      createdAtMs: nowMs,
      myRole: 'data-owner',
      members: [{ user: 'ana', role: 'data-owner', addedAtMs: nowMs }],
      quotaBytes: null,
      usedBytes: 0,
    });
    throwsCode(() => projects.create(admin(), { name: 'vision' }), 'PROJECT_EXISTS', /"vision"/);
    throwsCode(() => projects.get(ana, 'nlp'), 'PROJECT_NOT_FOUND', /no project "nlp"/);
    // An admin sees every project, with no role of their own in it.
    assert.deepEqual(projects.list(admin()).map((p) => [p.name, p.myRole]), [['vision', null]]);
    assert.deepEqual(projects.list(join('bob').user), []);
  });

  test('the last Data Owner can be neither removed nor demoted', () => {
    const ana = join('ana').user;
    const bob = join('bob').user;
    projects.create(ana, { name: 'vision' });
    throwsCode(() => projects.removeMember(ana, 'vision', 'ana'), 'LAST_DATA_OWNER', /ana is the last Data Owner of "vision" and cannot be removed/);
    throwsCode(() => projects.setMember(ana, 'vision', 'ana', 'data-scientist'), 'LAST_DATA_OWNER', /cannot be demoted/);
    projects.setMember(ana, 'vision', 'bob', 'data-owner');
    projects.setMember(bob, 'vision', 'ana', 'data-scientist');
    throwsCode(() => projects.removeMember(bob, 'vision', 'bob'), 'LAST_DATA_OWNER');
    assert.deepEqual(projects.get(bob, 'vision').members.map((m) => [m.user, m.role]), [['ana', 'data-scientist'], ['bob', 'data-owner']]);
    throwsCode(() => projects.removeMember(bob, 'vision', 'carl'), 'MEMBER_NOT_FOUND');
    throwsCode(() => projects.setMember(bob, 'vision', 'carl', 'data-scientist'), 'USER_NOT_FOUND', /no user "carl"/);
  });

  test('at most maxProjects projects and maxMembersPerProject members', () => {
    const ana = join('ana').user;
    db.projects.transaction(() => {
      for (let i = 0; i < projectLimits.maxProjects; i += 1) {
        db.projects.insertProject({ name: `p${i}`, description: '', createdBy: 'ana', createdAtMs: nowMs });
      }
    });
    throwsCode(() => projects.create(ana, { name: 'one-more' }), 'LIMIT_REACHED', /1000 projects/);
    db.projects.deleteProject(db.projects.project('p0')?.id ?? -1);
    const full = projects.create(ana, { name: 'full' });
    assert.equal(full.myRole, 'data-owner');
    const id = db.projects.project('full')?.id ?? -1;
    db.projects.transaction(() => {
      for (let i = 1; i < projectLimits.maxMembersPerProject; i += 1) {
        db.projects.insertUser({ name: `u${i}`, admin: false, createdAtMs: nowMs, tokenHash: null });
        db.projects.insertMember(id, { user: `u${i}`, role: 'data-scientist', addedAtMs: nowMs });
      }
    });
    join('late');
    throwsCode(() => projects.setMember(ana, 'full', 'late', 'data-scientist'), 'LIMIT_REACHED', /"full" has 1000 members/);
    const { code } = invites.create(ana, { project: 'full', role: 'data-scientist' });
    throwsCode(() => invites.redeem(code, 'later'), 'LIMIT_REACHED');
    assert.equal(db.projects.user('later'), undefined, 'a refused redeem creates no user');
    projects.removeMember(ana, 'full', 'u1');
    assert.equal(invites.redeem(code, 'later').project, 'full', 'and leaves the code usable');
  });

  test('the audit log is append-only', () => {
    projects.create(join('ana').user, { name: 'vision' });
    // Not even SQL sent straight to the file (the head holds it while open) can rewrite it.
    db.close();
    const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
    const raw = new DatabaseSync(file());
    try {
      assert.throws(() => raw.exec("UPDATE audit SET user_name = 'mallory'"), /append-only/);
      assert.throws(() => raw.exec('DELETE FROM audit'), /append-only/);
    } finally {
      raw.close();
    }
    open();
    assert.ok(db.projects.allAudit().every((e) => e.user !== 'mallory'));
  });

  test('a deleted project keeps its audit entries, and a new project of its name starts with an empty log', () => {
    const ana = join('ana').user;
    projects.create(ana, { name: 'vision' });
    projects.delete(ana, 'vision');
    throwsCode(() => projects.get(ana, 'vision'), 'PROJECT_NOT_FOUND');
    assert.deepEqual(
      db.projects.allAudit().filter((e) => e.project === 'vision').map((e) => e.action),
      ['project.create', 'project.delete'],
    );
    projects.create(ana, { name: 'vision' });
    assert.deepEqual(projects.auditLog(ana, 'vision').map((e) => e.action), ['project.create']);
  });

  test('users, projects, members and the audit log survive a restart; no token or code is stored', async () => {
    const ana = join('ana');
    const bob = join('bob');
    projects.create(ana.user, { name: 'vision', description: 'Images' });
    projects.setMember(ana.user, 'vision', 'bob', 'data-scientist');
    const pending = invites.create(ana.user, { project: 'vision', role: 'data-owner' });
    const before = { project: projects.get(ana.user, 'vision'), audit: projects.auditLog(ana.user, 'vision'), users: users.list(admin()) };
    db.close();
    nowMs += 60_000;
    open();
    assert.deepEqual(users.authenticate(ana.token), ana.user);
    assert.deepEqual(users.authenticate(bob.token), bob.user);
    assert.deepEqual(projects.get(ana.user, 'vision'), before.project);
    assert.deepEqual(projects.auditLog(ana.user, 'vision'), before.audit);
    assert.deepEqual(users.list(admin()), before.users);
    assert.equal(invites.redeem(pending.code, 'carl').project, 'vision', 'an open invite still works');

    db.close();
    for (const name of await readdir(dir)) {
      const bytes = await readFile(path.join(dir, name), 'latin1');
      for (const secret of [ana.token, bob.token, pending.code, testTokens.client]) {
        assert.ok(!bytes.includes(secret), `${name} holds a secret in clear`);
      }
    }
    open();
  });

  test('a database of schema version 2 is migrated: hosts kept, users and projects added', async () => {
    db.close();
    const { DatabaseSync } = await import('node:sqlite');
    const old = path.join(dir, 'v2.db');
    const v2 = new DatabaseSync(old);
    // The schema as version 2 shipped it.
    v2.exec(`CREATE TABLE hosts (id TEXT PRIMARY KEY, hostname TEXT NOT NULL, address TEXT NOT NULL, roles TEXT NOT NULL,
               agent_version TEXT NOT NULL, inventory TEXT NOT NULL, registered_at INTEGER NOT NULL, last_heartbeat_at INTEGER NOT NULL) STRICT;
             CREATE TABLE heartbeats (seq INTEGER PRIMARY KEY, host_id TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
               at INTEGER NOT NULL, sample TEXT NOT NULL) STRICT;
             CREATE INDEX heartbeats_by_host ON heartbeats(host_id, seq);
             ALTER TABLE hosts ADD COLUMN draining INTEGER NOT NULL DEFAULT 0;
             PRAGMA user_version = 2;`);
    v2.prepare('INSERT INTO hosts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run('w1', 'w1.lab', '10.77.0.2:7070', '["worker"]', '0.1.0', JSON.stringify(testInventory('w1')), 1, nowMs, 1);
    v2.close();

    db = ClusterDb.open(old);
    assert.deepEqual(db.hosts().map((h) => [h.hostId, h.draining]), [['w1', true]]);
    users = new Users(db.projects, () => nowMs);
    users.ensureAdmin('admin', testTokens.client, log);
    projects = new Projects(db.projects, () => nowMs);
    assert.equal(projects.create(admin(), { name: 'vision' }).myRole, 'data-owner');
    db.close();
    const probe = new DatabaseSync(old, { readOnly: true });
    try {
      assert.deepEqual({ ...probe.prepare('PRAGMA user_version').get() }, { user_version: 7 });
      assert.deepEqual({ ...probe.prepare('PRAGMA integrity_check').get() }, { integrity_check: 'ok' });
    } finally {
      probe.close();
    }
    open();
  });
});
