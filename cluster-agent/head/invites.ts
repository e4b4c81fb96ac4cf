/**
 * Invite codes: how a person joins the cluster, and optionally a project with a role.
 * A code is 192 random bits (base64url), shown once to whoever made it; the head keeps
 * only its digest. It is single-use and expires (`ttlHours`, default 7 days).
 *
 * Redeeming creates the user with a fresh token (returned once, stored as a digest),
 * adds the membership, and marks the code used, all in one transaction with its audit
 * entry: a refused redeem (a taken name, a full project) leaves the code usable.
 * A bad code is a 401 saying whether it is unknown, expired or already used, and
 * nothing about any other code.
 */
import { HopsError } from '../../protocol/errors.ts';
import { roleTitles, type Invite, type Role, type User } from '../../protocol/projects.ts';
import { digestHex, randomSecret } from '../secret.ts';
import { requireAction, requireAdmin } from './permissions.ts';
import { projectLimits } from './project-limits.ts';
import type { InviteRecord, ProjectStore } from './project-store.ts';

/** Bytes of randomness in an invite code (192 bits) and in a user token (256 bits). */
const inviteCodeBytes = 24;
const userTokenBytes = 32;
const defaultTtlHours = 168;
const hourMs = 3600 * 1000;

export interface CreateInvite {
  project?: string | undefined;
  role?: Role | undefined;
  ttlHours?: number | undefined;
}

/** What redeeming returns: the new user, their token (shown once) and the project joined. */
export interface Redeemed {
  user: User;
  token: string;
  project: string | null;
}

const redeemHint = 'Ask whoever invited you for a new invite code.';

export class Invites {
  private readonly store: ProjectStore;
  private readonly now: () => number;

  constructor(store: ProjectStore, now: () => number = Date.now) {
    this.store = store;
    this.now = now;
  }

  /**
   * Makes an invite: to the cluster only (admins), or to a project with a role
   * (members.manage in that project).
   */
  create(caller: User, request: CreateInvite): Invite {
    if (request.project === undefined && request.role !== undefined) {
      throw new HopsError('VALIDATION', 'A role needs a project: give project too, or leave role out for an invite to the cluster only.', { field: '/role' });
    }
    if (request.project !== undefined && request.role === undefined) {
      throw new HopsError('VALIDATION', `An invite to "${request.project}" needs the role the invitee gets (data-owner or data-scientist).`, { field: '/role' });
    }
    return this.store.transaction(() => {
      const nowMs = this.now();
      let project: { id: number; name: string } | null = null;
      if (request.project === undefined) {
        requireAdmin(caller, 'inviting people to the cluster without a project');
      } else {
        const record = this.store.project(request.project);
        if (record === undefined) throw new HopsError('PROJECT_NOT_FOUND', `The cluster has no project "${request.project}".`);
        requireAction(caller, { name: record.name, role: this.store.member(record.id, caller.name)?.role ?? null }, 'invite.create');
        project = { id: record.id, name: record.name };
      }
      this.store.pruneInvites(nowMs - projectLimits.inviteMemoryMs);
      const open = this.store.countOpenInvites(nowMs);
      if (open >= projectLimits.maxOpenInvites) {
        throw new HopsError('LIMIT_REACHED', `The cluster has ${open} open invites, the most it holds (${projectLimits.maxOpenInvites}).`, {
          hint: 'Wait for invites to be used or to expire (shorter ttlHours help).',
        });
      }
      const code = randomSecret(inviteCodeBytes);
      const role = request.role ?? null;
      const expiresAtMs = nowMs + (request.ttlHours ?? defaultTtlHours) * hourMs;
      this.store.insertInvite({ codeHash: digestHex(code), projectId: project?.id ?? null, role, createdBy: caller.name, createdAtMs: nowMs, expiresAtMs });
      const where = project === null ? 'to the cluster' : `as ${roleTitles[role ?? 'data-scientist']}`;
      this.store.appendAudit({
        atMs: nowMs,
        user: caller.name,
        action: 'invite.create',
        projectId: project?.id ?? null,
        project: project?.name ?? null,
        target: null,
        detail: `invite ${where}, valid until ${new Date(expiresAtMs).toISOString()}`,
      });
      return { code, project: project?.name ?? null, role, expiresAtMs };
    });
  }

  /** Throws a 401 unless `code` can be redeemed now; says why (unknown, expired, already used). */
  check(code: string): void {
    this.redeemable(code, this.now());
  }

  /** Redeems `code` for a new user named `name`. */
  redeem(code: string, name: string): Redeemed {
    return this.store.transaction(() => {
      const nowMs = this.now();
      const invite = this.redeemable(code, nowMs);
      if (this.store.user(name) !== undefined) {
        throw new HopsError('USER_EXISTS', `The cluster already has a user "${name}".`, { hint: 'Choose another user name; the invite code is still valid.' });
      }
      const users = this.store.countUsers();
      if (users >= projectLimits.maxUsers) {
        throw new HopsError('LIMIT_REACHED', `The cluster has ${users} users, the most it holds (${projectLimits.maxUsers}).`);
      }
      if (invite.projectId !== null) {
        const members = this.store.countMembers(invite.projectId);
        if (members >= projectLimits.maxMembersPerProject) {
          throw new HopsError('LIMIT_REACHED', `"${invite.project ?? ''}" has ${members} members, the most a project holds (${projectLimits.maxMembersPerProject}).`, {
            hint: 'Ask a Data Owner of the project to remove members first; the invite code is still valid.',
          });
        }
      }
      const token = randomSecret(userTokenBytes);
      const user: User = { name, admin: false, createdAtMs: nowMs };
      this.store.insertUser({ ...user, tokenHash: digestHex(token) });
      if (invite.projectId !== null && invite.role !== null) {
        this.store.insertMember(invite.projectId, { user: name, role: invite.role, addedAtMs: nowMs });
      }
      this.store.markInviteUsed(invite.codeHash, nowMs, name);
      const joined = invite.role === null ? 'joined the cluster' : `joined as ${roleTitles[invite.role]}`;
      this.store.appendAudit({
        atMs: nowMs,
        user: name,
        action: 'invite.redeem',
        projectId: invite.projectId,
        project: invite.project,
        target: name,
        detail: `${joined}, invited by ${invite.createdBy}`,
      });
      return { user, token, project: invite.project };
    });
  }

  private redeemable(code: string, nowMs: number): InviteRecord {
    const invite = this.store.invite(digestHex(code));
    if (invite === undefined) throw new HopsError('UNAUTHORIZED', 'This invite code is unknown.', { hint: redeemHint });
    if (invite.usedAtMs !== null) throw new HopsError('UNAUTHORIZED', 'This invite code has already been used.', { hint: redeemHint });
    if (nowMs >= invite.expiresAtMs) {
      throw new HopsError('UNAUTHORIZED', `This invite code has expired (it was valid until ${new Date(invite.expiresAtMs).toISOString()}).`, { hint: redeemHint });
    }
    return invite;
  }
}
