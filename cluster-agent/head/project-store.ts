/**
 * The SQL of users, projects, members, invites and the audit log, over the cluster
 * database's connection (tables from migration 3 in `cluster-db.ts`). Rows in, protocol
 * shapes out; no rule lives here: who may do what is `permissions.ts`, what a call does
 * is `users.ts`, `projects.ts` and `invites.ts`.
 *
 * Secrets are never stored: users and invites keep the SHA-256 hex digest of their token
 * or code. The audit table refuses updates and deletes (triggers), so it only grows.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { AuditEntry, Member, Role, User } from '../../protocol/projects.ts';
import { inTransaction, prepared } from './sqlite.ts';

/** A user as stored: the protocol shape and the digest of their token (null: cannot sign in). */
export interface UserRecord extends User {
  tokenHash: string | null;
}

/** A project as stored, without members. */
export interface ProjectRecord {
  id: number;
  name: string;
  description: string;
  createdBy: string;
  createdAtMs: number;
}

export interface InviteRecord {
  codeHash: string;
  projectId: number | null;
  /** The project's name, joined in; null for a cluster invite. */
  project: string | null;
  role: Role | null;
  createdBy: string;
  createdAtMs: number;
  expiresAtMs: number;
  usedAtMs: number | null;
}

/** An audit entry to append; `projectId` files it under a project (null: cluster-wide). */
export interface AuditRecord {
  atMs: number;
  user: string;
  action: string;
  projectId: number | null;
  project: string | null;
  target: string | null;
  detail: string;
}

interface UserRow {
  name: string;
  admin: number;
  created_at: number;
  token_hash: string | null;
}

interface ProjectRow {
  id: number;
  name: string;
  description: string;
  created_by: string;
  created_at: number;
}

interface MemberRow {
  user_name: string;
  role: Role;
  added_at: number;
}

interface InviteRow {
  code_hash: string;
  project_id: number | null;
  project_name: string | null;
  role: Role | null;
  created_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

interface AuditRow {
  seq: number;
  at: number;
  user_name: string;
  action: string;
  project: string | null;
  target: string | null;
  detail: string;
}

const toUser = (row: UserRow): UserRecord => ({ name: row.name, admin: row.admin === 1, createdAtMs: row.created_at, tokenHash: row.token_hash });
const toProject = (row: ProjectRow): ProjectRecord => ({
  id: row.id,
  name: row.name,
  description: row.description,
  createdBy: row.created_by,
  createdAtMs: row.created_at,
});
const toMember = (row: MemberRow): Member => ({ user: row.user_name, role: row.role, addedAtMs: row.added_at });

/** The people-and-projects tables of the cluster database. */
export class ProjectStore {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** Runs `work` in one write transaction: a change and its audit entry land together or not at all. */
  transaction<T>(work: () => T): T {
    return inTransaction(this.db, work);
  }

  // Users.

  user(name: string): UserRecord | undefined {
    const row = prepared(this.db,'SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
    return row === undefined ? undefined : toUser(row);
  }

  userByTokenHash(tokenHash: string): UserRecord | undefined {
    const row = prepared(this.db,'SELECT * FROM users WHERE token_hash = ?').get(tokenHash) as UserRow | undefined;
    return row === undefined ? undefined : toUser(row);
  }

  users(): UserRecord[] {
    return (prepared(this.db,'SELECT * FROM users ORDER BY name').all() as unknown as UserRow[]).map(toUser);
  }

  countUsers(): number {
    return (prepared(this.db,'SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  insertUser(user: UserRecord): void {
    prepared(this.db, 'INSERT INTO users (name, admin, created_at, token_hash) VALUES (?, ?, ?, ?)')
      .run(user.name, user.admin ? 1 : 0, user.createdAtMs, user.tokenHash);
  }

  setUserToken(name: string, tokenHash: string | null): void {
    prepared(this.db,'UPDATE users SET token_hash = ? WHERE name = ?').run(tokenHash, name);
  }

  setUserAdmin(name: string, admin: boolean): void {
    prepared(this.db,'UPDATE users SET admin = ? WHERE name = ?').run(admin ? 1 : 0, name);
  }

  // Projects.

  project(name: string): ProjectRecord | undefined {
    const row = prepared(this.db,'SELECT * FROM projects WHERE name = ?').get(name) as ProjectRow | undefined;
    return row === undefined ? undefined : toProject(row);
  }

  projects(): ProjectRecord[] {
    return (prepared(this.db,'SELECT * FROM projects ORDER BY name').all() as unknown as ProjectRow[]).map(toProject);
  }

  /** Projects `user` is a member of. */
  projectsOf(user: string): ProjectRecord[] {
    const rows = prepared(this.db, 'SELECT p.* FROM projects p JOIN members m ON m.project_id = p.id WHERE m.user_name = ? ORDER BY p.name')
      .all(user) as unknown as ProjectRow[];
    return rows.map(toProject);
  }

  /** A project's byte quota (null: none) and the bytes it uses, kept by the triggers of the uploads migration. */
  quota(projectId: number): { quotaBytes: number | null; usedBytes: number } {
    const row = prepared(this.db,'SELECT quota_bytes, used_bytes FROM projects WHERE id = ?').get(projectId) as
      | { quota_bytes: number | null; used_bytes: number }
      | undefined;
    return { quotaBytes: row?.quota_bytes ?? null, usedBytes: row?.used_bytes ?? 0 };
  }

  countProjects(): number {
    return (prepared(this.db,'SELECT count(*) AS n FROM projects').get() as { n: number }).n;
  }

  /** Inserts a project; returns its id. */
  insertProject(project: Omit<ProjectRecord, 'id'>): number {
    const result = prepared(this.db, 'INSERT INTO projects (name, description, created_by, created_at) VALUES (?, ?, ?, ?)')
      .run(project.name, project.description, project.createdBy, project.createdAtMs);
    return Number(result.lastInsertRowid);
  }

  /** Deletes a project and, by cascade, its members and open invites (not its audit entries). */
  deleteProject(id: number): void {
    prepared(this.db,'DELETE FROM projects WHERE id = ?').run(id);
  }

  // Members.

  members(projectId: number): Member[] {
    const rows = prepared(this.db, 'SELECT user_name, role, added_at FROM members WHERE project_id = ? ORDER BY user_name')
      .all(projectId) as unknown as MemberRow[];
    return rows.map(toMember);
  }

  member(projectId: number, user: string): Member | undefined {
    const row = prepared(this.db, 'SELECT user_name, role, added_at FROM members WHERE project_id = ? AND user_name = ?')
      .get(projectId, user) as MemberRow | undefined;
    return row === undefined ? undefined : toMember(row);
  }

  countMembers(projectId: number, role?: Role): number {
    const row =
      role === undefined
        ? prepared(this.db,'SELECT count(*) AS n FROM members WHERE project_id = ?').get(projectId)
        : prepared(this.db,'SELECT count(*) AS n FROM members WHERE project_id = ? AND role = ?').get(projectId, role);
    return (row as { n: number }).n;
  }

  insertMember(projectId: number, member: Member): void {
    prepared(this.db, 'INSERT INTO members (project_id, user_name, role, added_at) VALUES (?, ?, ?, ?)')
      .run(projectId, member.user, member.role, member.addedAtMs);
  }

  setMemberRole(projectId: number, user: string, role: Role): void {
    prepared(this.db,'UPDATE members SET role = ? WHERE project_id = ? AND user_name = ?').run(role, projectId, user);
  }

  deleteMember(projectId: number, user: string): void {
    prepared(this.db,'DELETE FROM members WHERE project_id = ? AND user_name = ?').run(projectId, user);
  }

  // Invites.

  insertInvite(invite: Omit<InviteRecord, 'project' | 'usedAtMs'>): void {
    prepared(this.db, 'INSERT INTO invites (code_hash, project_id, role, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(invite.codeHash, invite.projectId, invite.role, invite.createdBy, invite.createdAtMs, invite.expiresAtMs);
  }

  invite(codeHash: string): InviteRecord | undefined {
    const row = prepared(this.db, 'SELECT i.*, p.name AS project_name FROM invites i LEFT JOIN projects p ON p.id = i.project_id WHERE i.code_hash = ?')
      .get(codeHash) as InviteRow | undefined;
    if (row === undefined) return undefined;
    return {
      codeHash: row.code_hash,
      projectId: row.project_id,
      project: row.project_name,
      role: row.role,
      createdBy: row.created_by,
      createdAtMs: row.created_at,
      expiresAtMs: row.expires_at,
      usedAtMs: row.used_at,
    };
  }

  markInviteUsed(codeHash: string, usedAtMs: number, usedBy: string): void {
    prepared(this.db,'UPDATE invites SET used_at = ?, used_by = ? WHERE code_hash = ?').run(usedAtMs, usedBy, codeHash);
  }

  /** Invites that can still be redeemed at `nowMs`. */
  countOpenInvites(nowMs: number): number {
    return (prepared(this.db,'SELECT count(*) AS n FROM invites WHERE used_at IS NULL AND expires_at > ?').get(nowMs) as { n: number }).n;
  }

  /** Forgets invites that expired or were used before `beforeMs`. */
  pruneInvites(beforeMs: number): void {
    prepared(this.db,'DELETE FROM invites WHERE expires_at < ? OR used_at < ?').run(beforeMs, beforeMs);
  }

  // Audit.

  appendAudit(entry: AuditRecord): void {
    prepared(this.db, 'INSERT INTO audit (at, user_name, action, project_id, project, target, detail) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(entry.atMs, entry.user, entry.action, entry.projectId, entry.project, entry.target, entry.detail);
  }

  /** A project's entries after `afterSeq`, oldest first, at most `limit`. */
  audit(projectId: number, afterSeq: number, limit: number): AuditEntry[] {
    const rows = prepared(this.db, 'SELECT seq, at, user_name, action, project, target, detail FROM audit WHERE project_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(projectId, afterSeq, limit) as unknown as AuditRow[];
    return rows.map((row) => ({
      seq: row.seq,
      atMs: row.at,
      user: row.user_name,
      action: row.action,
      project: row.project,
      target: row.target,
      detail: row.detail,
    }));
  }

  /** Every entry after `afterSeq`, cluster-wide ones included (tests and, later, an admin view). */
  allAudit(afterSeq = 0, limit = 1000): Array<AuditEntry & { projectId: number | null }> {
    const rows = prepared(this.db, 'SELECT seq, at, user_name, action, project_id, project, target, detail FROM audit WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(afterSeq, limit) as unknown as Array<AuditRow & { project_id: number | null }>;
    return rows.map((row) => ({
      seq: row.seq,
      atMs: row.at,
      user: row.user_name,
      action: row.action,
      project: row.project,
      projectId: row.project_id,
      target: row.target,
      detail: row.detail,
    }));
  }
}
