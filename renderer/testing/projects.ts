/** Made-up projects, members and audit entries for tests. */
import type { AuditEntry, Member, Project, Role, User } from '../../protocol/projects.ts';

export function member(user: string, role: Role = 'data-scientist'): Member {
  return { user, role, addedAtMs: 1_000 };
}

export function project(name: string, patch: Partial<Project> = {}): Project {
  return {
    name,
    description: '',
    createdBy: 'ana',
    createdAtMs: 1_000,
    myRole: 'data-owner',
    members: [member('ana', 'data-owner')],
    quotaBytes: null,
    usedBytes: 0,
    ...patch,
  };
}

export function user(name = 'ana', admin = false): User {
  return { name, admin, createdAtMs: 1 };
}

export function entry(seq: number, action = 'member.add'): AuditEntry {
  return { seq, atMs: 1_000 + seq, user: 'ana', action, project: 'vision', target: 'bob', detail: `entry ${seq}` };
}
