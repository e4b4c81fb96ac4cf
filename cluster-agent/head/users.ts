/**
 * The cluster's users, as the head knows them. The admin comes from the agent
 * configuration (`adminUser`, its token the client token) and is made sure of at every
 * start; everyone else joins by redeeming an invite (`invites.ts`). A token is known by
 * its digest only: a request's user is found by looking the digest up, then confirmed
 * with a constant-time compare.
 */
import type { User } from '../../protocol/projects.ts';
import type { AgentLog } from '../log.ts';
import { digestHex, matchesDigest } from '../secret.ts';
import { requireAdmin } from './permissions.ts';
import type { ProjectStore } from './project-store.ts';

export class Users {
  private readonly store: ProjectStore;
  private readonly now: () => number;

  constructor(store: ProjectStore, now: () => number = Date.now) {
    this.store = store;
    this.now = now;
  }

  /**
   * Makes `name` the cluster admin holding `token`, creating the user at first start. A
   * changed client token replaces the admin's; if the configuration now names another
   * admin, the token moves to them and the previous holder can no longer sign in.
   * Every change is audited (cluster-wide, by the admin).
   */
  ensureAdmin(name: string, token: string, log: AgentLog): void {
    const tokenHash = digestHex(token);
    this.store.transaction(() => {
      const nowMs = this.now();
      const audit = (action: string, target: string, detail: string): void =>
        this.store.appendAudit({ atMs: nowMs, user: name, action, projectId: null, project: null, target, detail });
      const holder = this.store.userByTokenHash(tokenHash);
      if (holder !== undefined && holder.name !== name) {
        this.store.setUserToken(holder.name, null);
        audit('user.token', holder.name, `the client token now belongs to ${name} (agent configuration)`);
        log.warn('the client token moved to another admin user', { from: holder.name, to: name });
      }
      const existing = this.store.user(name);
      if (existing === undefined) {
        this.store.insertUser({ name, admin: true, createdAtMs: nowMs, tokenHash });
        audit('user.create', name, 'cluster admin, from the agent configuration');
        log.info('admin user created', { user: name });
        return;
      }
      if (!existing.admin) {
        this.store.setUserAdmin(name, true);
        audit('user.admin', name, 'made cluster admin by the agent configuration');
      }
      if (existing.tokenHash !== tokenHash) {
        this.store.setUserToken(name, tokenHash);
        audit('user.token', name, 'token set to the client token of the agent configuration');
      }
    });
  }

  /** The user holding `token`, if any. */
  authenticate(token: string): User | undefined {
    // Found by digest; the constant-time compare confirms it without a timing difference of its own.
    const record = this.store.userByTokenHash(digestHex(token));
    if (record === undefined || record.tokenHash === null || !matchesDigest(token, record.tokenHash)) return undefined;
    return { name: record.name, admin: record.admin, createdAtMs: record.createdAtMs };
  }

  /** Every user (admin only). */
  list(caller: User): User[] {
    requireAdmin(caller, 'listing users');
    return this.store.users().map(({ name, admin, createdAtMs }) => ({ name, admin, createdAtMs }));
  }
}
