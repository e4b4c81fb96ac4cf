import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { agentRoutes } from '../../protocol/agent-api.ts';
import {
  permissions,
  projectRoutes,
  roleGrants,
  type AuditEntry,
  type Invite,
  type Member,
  type Permission,
  type Project,
  type Role,
  type User,
} from '../../protocol/projects.ts';
import { ClusterDb } from '../head/cluster-db.ts';
import { Invites } from '../head/invites.ts';
import { Projects } from '../head/projects.ts';
import { Users } from '../head/users.ts';
import { createAgentLog } from '../log.ts';
import { buildAgentServer, type AgentServerDeps } from '../server.ts';
import { tempDir, testInventory, testTokens } from '../testing/helpers.ts';
import type { ProjectServices } from './project-routes.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type Headers = Record<string, string>;

const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });
const inviteAuth = (code: string): Headers => ({ authorization: `Invite ${code}` });
const admin = bearer(testTokens.client);
const path_ = (route: string, params: Record<string, string> = {}) => route.replace(/:(\w+)/g, (_m, key: string) => params[key] ?? key);

/** Every project route with a method, typed so that a route added to the contract must be added here. */
const projectRouteMethods: Record<keyof typeof projectRoutes, Method[]> = {
  me: ['GET'],
  users: ['GET'],
  projects: ['GET', 'POST'],
  project: ['GET', 'DELETE'],
  members: ['GET', 'POST'],
  member: ['DELETE'],
  audit: ['GET'],
  quota: ['PUT'],
  invites: ['POST'],
  redeem: ['POST'],
};
const everyProjectRoute = (Object.keys(projectRouteMethods) as Array<keyof typeof projectRoutes>).flatMap((name) =>
  projectRouteMethods[name].map((method) => ({ name, method, url: path_(projectRoutes[name], { project: 'alpha', user: 'sam' }) })),
);

/** Asserts a wire error of `status` and `code`; returns its message. */
function refused(response: LightMyRequestResponse, status: number, code: string): string {
  assert.equal(response.statusCode, status, response.body);
  const body = response.json<{ code: string; message: string; hint: string }>();
  assert.equal(body.code, code, body.message);
  assert.equal(typeof body.hint, 'string');
  return body.message;
}

describe('project routes', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let db: ClusterDb;
  let head: FastifyInstance;
  let worker: FastifyInstance;
  let nowMs = 1_700_000_000_000;
  const logLines: string[] = [];
  /** Every secret minted in these tests: none may reach the log or the audit log. */
  const secrets: string[] = [];
  const tokens: Record<string, Headers> = { admin };

  const call = async (method: Method, url: string, headers: Headers, payload?: object): Promise<LightMyRequestResponse> =>
    head.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  const ok = async <T>(method: Method, url: string, headers: Headers, payload?: object): Promise<T> => {
    const response = await call(method, url, headers, payload);
    assert.equal(response.statusCode, 200, `${method} ${url}: ${response.body}`);
    return response.json<T>();
  };
  const invite = async (headers: Headers, body: object): Promise<Invite> => {
    const created = await ok<Invite>('POST', projectRoutes.invites, headers, body);
    secrets.push(created.code);
    return created;
  };
  const redeem = (code: string, user: string) => call('POST', projectRoutes.redeem, inviteAuth(code), { user });
  /** A user joined through a cluster invite from the admin. */
  const join = async (name: string): Promise<Headers> => {
    const { code } = await invite(admin, {});
    const reply = (await redeem(code, name)).json<{ user: User; token: string }>();
    secrets.push(reply.token);
    tokens[name] = bearer(reply.token);
    return bearer(reply.token);
  };
  const addMember = (as: Headers, project: string, user: string, role: Role) =>
    ok<Project>('POST', path_(projectRoutes.members, { project }), as, { user, role });
  const membersOf = async (project: string): Promise<Member[]> =>
    (await ok<{ members: Member[] }>('GET', path_(projectRoutes.members, { project }), admin)).members;

  const deps = (overrides: Partial<AgentServerDeps>): AgentServerDeps => ({
    hostId: 'head-1',
    roles: ['head', 'worker'],
    tokens: testTokens,
    adminUser: 'admin',
    agentVersion: '0.1.0',
    startedAtMs: 1,
    state: () => 'running',
    inventory: async () => testInventory('head-1'),
    samples: () => [],
    cluster: undefined,
    projects: undefined,
    // No secrets given: the tests check that nothing logs one in the first place.
    log: createAgentLog({ sink: (line) => logLines.push(line) }),
    ...overrides,
  });

  before(async () => {
    ({ dir, remove } = await tempDir());
    db = ClusterDb.open(path.join(dir, 'cluster.db'));
    const now = () => nowMs;
    const users = new Users(db.projects, now);
    users.ensureAdmin('admin', testTokens.client, createAgentLog({ sink: () => undefined }));
    const services: ProjectServices = { users, projects: new Projects(db.projects, now), invites: new Invites(db.projects, now) };
    head = buildAgentServer(deps({ projects: services }));
    worker = buildAgentServer(deps({ hostId: 'w1', roles: ['worker'] }));
    await Promise.all([head.ready(), worker.ready()]);

    // alpha: olga is its Data Owner, sam a Data Scientist; the admin is not in it.
    // beta: the admin is its Data Owner, olga a Data Scientist; sam is not in it.
    for (const name of ['olga', 'sam', 'newbie', 'victim']) await join(name);
    await ok('POST', projectRoutes.projects, tokens['olga']!, { name: 'alpha', description: 'A' });
    await ok('POST', projectRoutes.projects, admin, { name: 'beta' });
    await addMember(tokens['olga']!, 'alpha', 'sam', 'data-scientist');
    await addMember(admin, 'beta', 'olga', 'data-scientist');
  });
  after(async () => {
    await Promise.all([head.close(), worker.close()]);
    db.close();
    await remove();
  });

  test('the client token is the admin\'s; /v1/me names the caller', async () => {
    assert.deepEqual(await ok('GET', projectRoutes.me, admin), { name: 'admin', admin: true, createdAtMs: nowMs });
    assert.equal((await ok<User>('GET', projectRoutes.me, tokens['sam']!)).name, 'sam');
    // Every client route the desktop used before keeps working for the admin.
    for (const url of [agentRoutes.hello, agentRoutes.inventory, agentRoutes.metrics]) await ok('GET', url, admin);
    const listed = await ok<{ users: User[] }>('GET', projectRoutes.users, admin);
    assert.deepEqual(listed.users.map((u) => [u.name, u.admin]), [['admin', true], ['newbie', false], ['olga', false], ['sam', false], ['victim', false]]);
    const message = refused(await call('GET', projectRoutes.users, tokens['sam']!), 403, 'FORBIDDEN');
    assert.match(message, /sam is not a cluster admin; listing users needs the cluster admin/);
  });

  test('role × permission matrix over two projects and three users: unauthorized successes = 0', async () => {
    const roles: Record<string, Record<string, Role | null>> = {
      admin: { alpha: null, beta: 'data-owner' },
      olga: { alpha: 'data-owner', beta: 'data-scientist' },
      sam: { alpha: 'data-scientist', beta: null },
    };
    const owners: Record<string, Headers> = { alpha: tokens['olga']!, beta: admin };
    // The operations, the permission each needs, and the admin exceptions (README: reading any project, adding members).
    const operations: Record<string, { permission: Permission; admins: boolean; setUp?: (p: string) => Promise<void>; run: (as: Headers, p: string) => Promise<LightMyRequestResponse>; tearDown?: (p: string) => Promise<void> }> = {
      'read project': { permission: 'project.read', admins: true, run: (as, p) => call('GET', path_(projectRoutes.project, { project: p }), as) },
      'list members': { permission: 'project.read', admins: true, run: (as, p) => call('GET', path_(projectRoutes.members, { project: p }), as) },
      'add member': {
        permission: 'members.manage',
        admins: true,
        run: (as, p) => call('POST', path_(projectRoutes.members, { project: p }), as, { user: 'newbie', role: 'data-scientist' }),
        tearDown: async (p) => {
          if ((await membersOf(p)).some((m) => m.user === 'newbie')) await ok('DELETE', path_(projectRoutes.member, { project: p, user: 'newbie' }), owners[p]!);
        },
      },
      'remove member': {
        permission: 'members.manage',
        admins: false,
        setUp: async (p) => void (await addMember(owners[p]!, p, 'victim', 'data-scientist')),
        run: (as, p) => call('DELETE', path_(projectRoutes.member, { project: p, user: 'victim' }), as),
      },
      'change role': {
        permission: 'members.manage',
        admins: false,
        setUp: async (p) => void (await addMember(owners[p]!, p, 'victim', 'data-scientist')),
        run: (as, p) => call('POST', path_(projectRoutes.members, { project: p }), as, { user: 'victim', role: 'data-owner' }),
        tearDown: async (p) => void (await ok('DELETE', path_(projectRoutes.member, { project: p, user: 'victim' }), owners[p]!)),
      },
      'read audit': { permission: 'audit.read', admins: false, run: (as, p) => call('GET', path_(projectRoutes.audit, { project: p }), as) },
      'create project invite': {
        permission: 'members.manage',
        admins: false,
        run: async (as, p) => {
          const response = await call('POST', projectRoutes.invites, as, { project: p, role: 'data-scientist' });
          if (response.statusCode === 200) secrets.push(response.json<Invite>().code);
          return response;
        },
      },
    };

    let unauthorizedSuccesses = 0;
    let refusedAllowed = 0;
    let cases = 0;
    for (const [user, byProject] of Object.entries(roles)) {
      for (const [project, role] of Object.entries(byProject)) {
        const as = tokens[user]!;
        // The roles the matrix assumes are the ones the head holds.
        if (role !== null || user === 'admin') assert.equal((await ok<Project>('GET', path_(projectRoutes.project, { project }), as)).myRole, role);
        for (const [name, op] of Object.entries(operations)) {
          cases += 1;
          const allowed = (role !== null && roleGrants(role, op.permission)) || (user === 'admin' && op.admins);
          await op.setUp?.(project);
          const response = await op.run(as, project);
          const what = `${user} ${name} in ${project} (${role ?? 'not a member'})`;
          if (allowed) {
            if (response.statusCode !== 200) refusedAllowed += 1;
            assert.equal(response.statusCode, 200, `${what}: ${response.body}`);
          } else {
            if (response.statusCode < 400) unauthorizedSuccesses += 1;
            const message = refused(response, 403, 'FORBIDDEN');
            assert.ok(message.includes(op.permission), `${what}: ${message}`);
            assert.ok(message.startsWith(`${user} is `) && message.includes(`"${project}"`), `${what}: ${message}`);
            assert.match(message, role === null ? /is not a member of/ : / is a Data (Owner|Scientist) in /, what);
            const granting = (permissions[op.permission] as readonly Role[]).map((r) => (r === 'data-owner' ? 'Data Owner' : 'Data Scientist')).join(' or ');
            assert.ok(message.includes(`(${granting})`), `${what}: ${message}`);
          }
          await op.tearDown?.(project);
          if (op.tearDown === undefined && op.setUp !== undefined && (await membersOf(project)).some((m) => m.user === 'victim')) {
            await ok('DELETE', path_(projectRoutes.member, { project, user: 'victim' }), owners[project]!);
          }
        }
      }
    }
    assert.equal(cases, 3 * 2 * 7);
    assert.equal(refusedAllowed, 0);
    assert.equal(unauthorizedSuccesses, 0);
    // The matrix leaves the projects as it found them.
    assert.deepEqual((await membersOf('alpha')).map((m) => [m.user, m.role]), [['olga', 'data-owner'], ['sam', 'data-scientist']]);
    assert.deepEqual((await membersOf('beta')).map((m) => [m.user, m.role]), [['admin', 'data-owner'], ['olga', 'data-scientist']]);
  });

  test('the refusal names the caller, the role, the action, the permission and the role granting it', async () => {
    const message = refused(await call('POST', path_(projectRoutes.members, { project: 'alpha' }), tokens['sam']!, { user: 'newbie', role: 'data-scientist' }), 403, 'FORBIDDEN');
    assert.equal(message, 'sam is a Data Scientist in "alpha"; adding members needs members.manage (Data Owner).');
    const outsider = refused(await call('GET', path_(projectRoutes.project, { project: 'beta' }), tokens['sam']!), 403, 'FORBIDDEN');
    assert.equal(outsider, 'sam is not a member of "beta"; reading the project needs project.read (Data Owner or Data Scientist).');
    refused(await call('GET', path_(projectRoutes.project, { project: 'gamma' }), tokens['sam']!), 404, 'PROJECT_NOT_FOUND');
    refused(await call('POST', path_(projectRoutes.members, { project: 'alpha' }), tokens['olga']!, { user: 'nobody', role: 'data-scientist' }), 404, 'USER_NOT_FOUND');
    refused(await call('DELETE', path_(projectRoutes.member, { project: 'alpha', user: 'newbie' }), tokens['olga']!), 404, 'MEMBER_NOT_FOUND');
  });

  test('an admin can repair a project whose owner left by adding a new Data Owner', async () => {
    const olga = tokens['olga']!;
    await ok('POST', projectRoutes.projects, olga, { name: 'orphan' });
    refused(await call('DELETE', path_(projectRoutes.member, { project: 'orphan', user: 'olga' }), olga), 409, 'LAST_DATA_OWNER');
    const repaired = await addMember(admin, 'orphan', 'newbie', 'data-owner');
    assert.equal(repaired.myRole, null, 'the admin did not become a member');
    await ok('DELETE', path_(projectRoutes.member, { project: 'orphan', user: 'olga' }), tokens['newbie']!);
    assert.deepEqual((await membersOf('orphan')).map((m) => [m.user, m.role]), [['newbie', 'data-owner']]);
    // The admin acts by role rules otherwise: no removing, no deleting.
    assert.match(refused(await call('DELETE', path_(projectRoutes.member, { project: 'orphan', user: 'newbie' }), admin), 403, 'FORBIDDEN'), /members\.manage/);
    assert.match(refused(await call('DELETE', path_(projectRoutes.project, { project: 'orphan' }), admin), 403, 'FORBIDDEN'), /project\.delete/);
    assert.deepEqual(await ok('DELETE', path_(projectRoutes.project, { project: 'orphan' }), tokens['newbie']!), { project: 'orphan' });
    refused(await call('GET', path_(projectRoutes.project, { project: 'orphan' }), admin), 404, 'PROJECT_NOT_FOUND');
  });

  test('the last Data Owner can be neither removed nor demoted', async () => {
    const olga = tokens['olga']!;
    await ok('POST', projectRoutes.projects, olga, { name: 'solo' });
    const removed = refused(await call('DELETE', path_(projectRoutes.member, { project: 'solo', user: 'olga' }), olga), 409, 'LAST_DATA_OWNER');
    assert.match(removed, /olga is the last Data Owner of "solo" and cannot be removed/);
    const demoted = refused(await call('POST', path_(projectRoutes.members, { project: 'solo' }), olga, { user: 'olga', role: 'data-scientist' }), 409, 'LAST_DATA_OWNER');
    assert.match(demoted, /cannot be demoted/);
    // With a second owner, either may step down.
    await addMember(olga, 'solo', 'sam', 'data-owner');
    assert.equal((await addMember(olga, 'solo', 'olga', 'data-scientist')).myRole, 'data-scientist');
    refused(await call('DELETE', path_(projectRoutes.member, { project: 'solo', user: 'sam' }), tokens['sam']!), 409, 'LAST_DATA_OWNER');
  });

  test('audit entries appear for each change, in order, with the acting user; a Data Scientist cannot read them', async () => {
    const olga = tokens['olga']!;
    const members = path_(projectRoutes.members, { project: 'logged' });
    await ok('POST', projectRoutes.projects, olga, { name: 'logged' });
    await addMember(olga, 'logged', 'sam', 'data-scientist');
    await addMember(olga, 'logged', 'newbie', 'data-scientist');
    await addMember(olga, 'logged', 'newbie', 'data-scientist'); // no change, no entry
    await ok('POST', members, olga, { user: 'newbie', role: 'data-owner' });
    await ok('POST', members, tokens['newbie']!, { user: 'olga', role: 'data-scientist' });
    await ok('DELETE', path_(projectRoutes.member, { project: 'logged', user: 'sam' }), tokens['newbie']!);
    const { code } = await invite(tokens['newbie']!, { project: 'logged', role: 'data-scientist' });
    const rita = (await redeem(code, 'rita')).json<{ token: string }>().token;
    secrets.push(rita);
    await addMember(admin, 'logged', 'victim', 'data-scientist');

    const auditUrl = path_(projectRoutes.audit, { project: 'logged' });
    const { entries } = await ok<{ entries: AuditEntry[] }>('GET', auditUrl, tokens['newbie']!);
    assert.deepEqual(
      entries.map((e) => [e.user, e.action, e.target]),
      [
        ['olga', 'project.create', 'olga'],
        ['olga', 'member.add', 'sam'],
        ['olga', 'member.add', 'newbie'],
        ['olga', 'member.role', 'newbie'],
        ['newbie', 'member.role', 'olga'],
        ['newbie', 'member.remove', 'sam'],
        ['newbie', 'invite.create', null],
        ['rita', 'invite.redeem', 'rita'],
        ['admin', 'member.add', 'victim'],
      ],
    );
    assert.ok(entries.every((e) => e.project === 'logged' && e.atMs === nowMs && e.detail.length > 0));
    assert.ok(entries.every((e, i) => i === 0 || e.seq > entries[i - 1]!.seq), 'in order');
    assert.equal(entries[3]?.detail, 'Data Scientist → Data Owner');
    assert.match(entries[7]?.detail ?? '', /joined as Data Scientist, invited by newbie/);

    const page = await ok<{ entries: AuditEntry[] }>('GET', `${auditUrl}?afterSeq=${entries[2]!.seq}&limit=2`, tokens['newbie']!);
    assert.deepEqual(page.entries, entries.slice(3, 5));
    refused(await call('GET', `${auditUrl}?limit=0`, tokens['newbie']!), 400, 'VALIDATION');

    const scientist = refused(await call('GET', auditUrl, tokens['olga']!), 403, 'FORBIDDEN');
    assert.equal(scientist, 'olga is a Data Scientist in "logged"; reading the audit log needs audit.read (Data Owner).');
    assert.match(refused(await call('GET', auditUrl, bearer(rita)), 403, 'FORBIDDEN'), /rita is a Data Scientist in "logged"/);
    assert.match(refused(await call('GET', auditUrl, admin), 403, 'FORBIDDEN'), /admin is a Data Owner|admin is not a member/);
  });

  test('an invite is redeemed once: again, expired or unknown is a 401 saying which', async () => {
    const olga = tokens['olga']!;
    const created = await invite(olga, { project: 'alpha', role: 'data-scientist' });
    assert.match(created.code, /^[A-Za-z0-9_-]{32,}$/, 'base64url, 192 bits');
    assert.equal(created.project, 'alpha');
    assert.equal(created.role, 'data-scientist');
    assert.equal(created.expiresAtMs, nowMs + 168 * 3600 * 1000, 'a week by default');

    const first = await redeem(created.code, 'ines');
    assert.equal(first.statusCode, 200, first.body);
    const reply = first.json<{ user: User; token: string; project: string | null }>();
    assert.deepEqual(reply.user, { name: 'ines', admin: false, createdAtMs: nowMs });
    assert.equal(reply.project, 'alpha');
    assert.match(reply.token, /^[A-Za-z0-9_-]{43,}$/);
    secrets.push(reply.token);
    const ines = bearer(reply.token);
    assert.deepEqual(await ok('GET', projectRoutes.me, ines), reply.user);
    assert.equal((await ok<Project>('GET', path_(projectRoutes.project, { project: 'alpha' }), ines)).myRole, 'data-scientist');

    const again = await redeem(created.code, 'ines2');
    assert.match(refused(again, 401, 'UNAUTHORIZED'), /already been used/);
    assert.equal(again.headers['www-authenticate'], 'Invite');

    const shortLived = await invite(olga, { project: 'alpha', role: 'data-owner', ttlHours: 1 });
    nowMs += 3600 * 1000;
    try {
      assert.match(refused(await redeem(shortLived.code, 'late'), 401, 'UNAUTHORIZED'), /expired/);
    } finally {
      nowMs -= 3600 * 1000;
    }
    const unknown = refused(await redeem('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'who'), 401, 'UNAUTHORIZED');
    assert.equal(unknown, 'This invite code is unknown.');
    assert.equal((await call('GET', projectRoutes.users, admin)).json<{ users: User[] }>().users.some((u) => ['ines2', 'late', 'who'].includes(u.name)), false);
  });

  test('a taken user name is USER_EXISTS and leaves the invite usable; a cluster invite adds no project', async () => {
    const created = await invite(admin, {});
    assert.deepEqual({ project: created.project, role: created.role }, { project: null, role: null });
    refused(await redeem(created.code, 'sam'), 409, 'USER_EXISTS');
    refused(await redeem(created.code, 'Not A Name'), 400, 'VALIDATION');
    const joined = await redeem(created.code, 'jo');
    assert.equal(joined.statusCode, 200, joined.body);
    secrets.push(joined.json<{ token: string }>().token);
    assert.equal(joined.json<{ project: string | null }>().project, null);
    assert.deepEqual(await ok('GET', projectRoutes.projects, bearer(joined.json<{ token: string }>().token)), { projects: [] });
  });

  test('who may invite: admins to the cluster, members.manage to a project, with a role', async () => {
    assert.match(refused(await call('POST', projectRoutes.invites, tokens['olga']!, {}), 403, 'FORBIDDEN'), /olga is not a cluster admin/);
    assert.match(refused(await call('POST', projectRoutes.invites, tokens['sam']!, { project: 'alpha', role: 'data-scientist' }), 403, 'FORBIDDEN'), /members\.manage/);
    assert.match(refused(await call('POST', projectRoutes.invites, admin, { project: 'alpha', role: 'data-scientist' }), 403, 'FORBIDDEN'), /admin is not a member of "alpha"/);
    refused(await call('POST', projectRoutes.invites, tokens['olga']!, { project: 'alpha' }), 400, 'VALIDATION');
    refused(await call('POST', projectRoutes.invites, admin, { role: 'data-owner' }), 400, 'VALIDATION');
    refused(await call('POST', projectRoutes.invites, admin, { project: 'nothing', role: 'data-owner' }), 404, 'PROJECT_NOT_FOUND');
    refused(await call('POST', projectRoutes.invites, admin, { ttlHours: 721 }), 400, 'VALIDATION');
  });

  test('an invite code opens only redeem, and redeem takes only an invite code', async () => {
    const { code } = await invite(admin, {});
    const userToken = tokens['sam']!.authorization!.slice('Bearer '.length);
    let opened = 0;
    // The code, as either scheme, on every other route.
    const others = [
      ...everyProjectRoute.filter((r) => r.name !== 'redeem'),
      ...Object.values(agentRoutes).map((url) => ({ name: url, method: 'GET' as Method, url: path_(url, { hostId: 'head-1' }) })),
    ];
    for (const route of others) {
      for (const headers of [inviteAuth(code), bearer(code)]) {
        const response = await call(route.method, route.url, headers, route.method === 'POST' ? { user: 'x' } : undefined);
        if (response.statusCode < 400) opened += 1;
        refused(response, 401, 'UNAUTHORIZED');
      }
    }
    // Tokens (a user's, the admin's, the cluster's) on redeem, as either scheme.
    for (const token of [userToken, testTokens.client, testTokens.cluster]) {
      for (const headers of [bearer(token), inviteAuth(token)]) {
        const response = await call('POST', projectRoutes.redeem, headers, { user: 'mallory' });
        if (response.statusCode < 400) opened += 1;
        refused(response, 401, 'UNAUTHORIZED');
      }
    }
    assert.equal(opened, 0);
    // The code is still good after all that.
    const joined = await redeem(code, 'kim');
    assert.equal(joined.statusCode, 200, joined.body);
    secrets.push(joined.json<{ token: string }>().token);
  });

  test('no project route answers without a valid credential: unauthenticated successes = 0', async () => {
    let successes = 0;
    for (const route of everyProjectRoute) {
      const attempts: Headers[] = [
        {},
        bearer('forged-token-0123456789abcdef'),
        bearer(`${testTokens.client}x`),
        bearer(testTokens.cluster),
        { authorization: `Basic ${Buffer.from(`x:${testTokens.client}`).toString('base64')}` },
        { authorization: 'Invite' },
        { authorization: 'Invite short' },
      ];
      for (const headers of attempts) {
        const response = await call(route.method, route.url, headers, route.method === 'POST' ? { user: 'x', role: 'data-scientist' } : undefined);
        if (response.statusCode < 400) successes += 1;
        refused(response, 401, 'UNAUTHORIZED');
      }
    }
    assert.equal(successes, 0);
  });

  test('only the admin drains and forgets hosts; any user reads them', async () => {
    // A registry with no hosts, and two users, stubbed: only who may call matters here.
    const cluster = {
      register: () => ({ heartbeatIntervalMs: 100 }),
      heartbeat: () => true,
      hosts: () => [],
      hostSamples: () => undefined,
      subscribe: () => () => undefined,
      drain: () => undefined,
      forget: () => false,
    };
    const people: Record<string, User> = {
      [testTokens.client]: { name: 'admin', admin: true, createdAtMs: 1 },
      'sam-token-0123456789': { name: 'sam', admin: false, createdAtMs: 1 },
    };
    const projects = { users: { authenticate: (token: string) => people[token], list: () => [] }, projects: {}, invites: {} } as unknown as ProjectServices;
    const withHosts = buildAgentServer(deps({ cluster, projects }));
    try {
      const sam = bearer('sam-token-0123456789');
      assert.equal((await withHosts.inject({ url: agentRoutes.hosts, headers: sam })).statusCode, 200);
      for (const [method, route] of [['POST', agentRoutes.hostDrain], ['DELETE', agentRoutes.host]] as const) {
        const url = path_(route, { hostId: 'w1' });
        assert.match(refused(await withHosts.inject({ method, url, headers: sam }), 403, 'FORBIDDEN'), /sam is not a cluster admin/);
        refused(await withHosts.inject({ method, url, headers: admin }), 404, 'HOST_NOT_FOUND');
      }
    } finally {
      await withHosts.close();
    }
  });

  test('malformed names are a 400 naming the field', async () => {
    const olga = tokens['olga']!;
    const cases: Array<[Method, string, object | undefined, string]> = [
      ['POST', projectRoutes.projects, { name: 'Vision' }, '/name'],
      ['POST', projectRoutes.projects, { name: 'v'.repeat(64) }, '/name'],
      ['POST', projectRoutes.projects, { name: 'ok-name', description: 'x'.repeat(2001) }, '/description'],
      ['POST', projectRoutes.projects, { name: 'ok-name', owner: 'me' }, '/owner'],
      ['POST', path_(projectRoutes.members, { project: 'alpha' }), { user: 'sam', role: 'admin' }, '/role'],
      ['POST', path_(projectRoutes.members, { project: 'alpha' }), { user: 'x'.repeat(65), role: 'data-owner' }, '/user'],
      ['GET', path_(projectRoutes.project, { project: 'Alpha' }), undefined, '/project'],
    ];
    for (const [method, url, payload, field] of cases) {
      const response = await call(method, url, olga, payload);
      refused(response, 400, 'VALIDATION');
      assert.equal(response.json<{ field?: string }>().field, field, url);
    }
  });

  test('an agent without the head role says so on project routes', async () => {
    for (const route of everyProjectRoute) {
      const headers = route.name === 'redeem' ? inviteAuth('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') : admin;
      const response = await worker.inject({ method: route.method, url: route.url, headers, ...(route.method === 'POST' ? { payload: { user: 'x', role: 'data-owner' } } : {}) });
      assert.match(refused(response, 404, 'NOT_FOUND'), /no head role/, `${route.method} ${route.url}`);
    }
    refused(await worker.inject({ url: projectRoutes.projects, headers: bearer(testTokens.cluster) }), 401, 'UNAUTHORIZED');
  });

  test('no token or invite code reaches the log or the audit log', () => {
    assert.ok(secrets.length > 10);
    const audit = JSON.stringify(db.projects.allAudit(0, 100_000));
    for (const secret of [...secrets, testTokens.client, testTokens.cluster]) {
      assert.ok(!logLines.some((line) => line.includes(secret)), 'a secret in the log');
      assert.ok(!audit.includes(secret), 'a secret in the audit log');
    }
    assert.ok(logLines.some((line) => line.includes('FORBIDDEN')), 'refusals are logged');
  });
});
