/**
 * Projects with members and roles across two desktops, as people use them: the admin forms
 * a cluster, creates a project and invites a colleague; the colleague redeems the code in
 * their own workspace over their own SSH login on the head, and gets exactly their role.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runHopsdesk } from '../fixtures/cli.ts';
import { createLab, labSupport, type Lab } from './lab.ts';

const support = await labSupport();
const skip = support.ok ? false : `skipped: ${support.reason}`;

let lab: Lab;
let adminWorkspace: string;
let memberWorkspace: string;
const as = (workspace: string) => (args: string[], timeoutMs = 180_000) =>
  runHopsdesk([...args, '--workspace', workspace], { HOPSDESK_SSH_CONFIG: lab.sshConfigFile }, timeoutMs);
let admin: ReturnType<typeof as>;
let member: ReturnType<typeof as>;

before(async () => {
  if (!support.ok) return;
  adminWorkspace = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-admin-'));
  memberWorkspace = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-member-'));
  lab = await createLab(['phead']);
  admin = as(adminWorkspace);
  member = as(memberWorkspace);
});
after(async () => {
  if (!support.ok) return;
  await admin?.(['cluster', 'uninstall', 'team', '--yes', '--key', lab.clientKeyFile]).catch(() => undefined);
  await lab?.teardown();
  await rm(adminWorkspace, { recursive: true, force: true });
  await rm(memberWorkspace, { recursive: true, force: true });
});

test('an invited colleague joins with their own login and gets exactly their role', { skip }, async () => {
  const head = lab.host('phead');
  const created = await admin(['cluster', 'create', 'team', '--head', `${head.user}@${head.name}`, '--key', lab.clientKeyFile, '--trust-new']);
  assert.equal(created.code, 0, created.stderr);

  const project = await admin(['project', 'create', 'vision', '--description', 'image models']);
  assert.equal(project.code, 0, project.stderr);
  assert.match(project.stdout, /you are its Data Owner/);

  const invite = await admin(['project', 'invite', 'vision', '--role', 'scientist', '--json']);
  assert.equal(invite.code, 0, invite.stderr);
  const { code, clientPort, headAddress } = JSON.parse(invite.stdout) as { code: string; clientPort: number; headAddress: string };
  assert.equal(headAddress, head.address);

  const joined = await member([
    'cluster', 'join', 'team', '--head', `${head.user}@${head.name}`, '--client-port', String(clientPort),
    '--invite', code, '--user', 'ana', '--key', lab.clientKeyFile, '--trust-new',
  ]);
  assert.equal(joined.code, 0, joined.stderr);
  assert.match(joined.stdout, /Joined cluster "team" as ana, member of project "vision"/);

  const again = await as(await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-other-')))([
    'cluster', 'join', 'team2', '--head', `${head.user}@${head.name}`, '--client-port', String(clientPort),
    '--invite', code, '--user', 'eve', '--key', lab.clientKeyFile, '--trust-new',
  ]);
  assert.equal(again.code, 1, 'an invite works once');
  assert.match(again.stderr, /already been used/);

  const listed = await member(['project', 'list', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const mine = JSON.parse(listed.stdout) as { projects: Array<{ name: string; myRole: string }> };
  assert.deepEqual(mine.projects.map((p) => [p.name, p.myRole]), [['vision', 'data-scientist']]);

  const forbidden = await member(['project', 'add-member', 'vision', '--user', 'ana', '--role', 'owner']);
  assert.equal(forbidden.code, 1);
  assert.match(forbidden.stderr, /members\.manage/);
  assert.match(forbidden.stderr, /Data Owner/);
  const auditDenied = await member(['project', 'audit', 'vision']);
  assert.match(auditDenied.stderr, /audit\.read/);
  const notAdmin = await member(['host', 'upgrade', '--key', lab.clientKeyFile]);
  assert.equal(notAdmin.code, 1);
  assert.match(notAdmin.stderr, /as a member/);

  // The owner promotes ana; the audit log shows who did what, in order.
  const promoted = await admin(['project', 'add-member', 'vision', '--user', 'ana', '--role', 'owner', '--json']);
  assert.equal(promoted.code, 0, promoted.stderr);
  const audit = JSON.parse((await member(['project', 'audit', 'vision', '--json'])).stdout) as { entries: Array<{ action: string; user: string }> };
  const actions = audit.entries.map((e) => `${e.user}:${e.action}`);
  assert.ok(actions.indexOf(actions.find((a) => a.endsWith(':project.create'))!) < actions.indexOf(actions.find((a) => a.endsWith(':invite.redeem'))!), actions.join(' '));
  assert.ok(actions.some((a) => a.startsWith('ana:invite.redeem')), actions.join(' '));
  assert.ok(actions.at(-1)!.endsWith('member.role') || actions.at(-1)!.endsWith('member.add'), actions.join(' '));
});
