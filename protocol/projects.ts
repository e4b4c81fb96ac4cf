/**
 * Users, projects and roles — the Hopsworks model. A cluster has users (its admin is whoever
 * formed it; others join by redeeming an invite code). A project groups members with one role
 * each: a **Data Owner** manages members, imports/exports and shares data; a **Data
 * Scientist** reads the project's data and writes and runs code. The head checks the
 * permission on every call and keeps an audit log that Data Owners can read.
 *
 * Shared by the agent API (head routes) and the desktop API.
 */
import { Type, type Static } from '@sinclair/typebox';

/** Lowercase, starts with a letter: it becomes a path segment, /Projects/<name>/. */
export const ProjectName = Type.String({ minLength: 2, maxLength: 63, pattern: '^[a-z][a-z0-9_-]*$' });
export const UserName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z_][a-z0-9._-]*$' });

export const Role = Type.Union([Type.Literal('data-owner'), Type.Literal('data-scientist')]);
export type Role = Static<typeof Role>;

/** The words a person reads, for messages and the UI. */
export const roleTitles: Record<Role, string> = { 'data-owner': 'Data Owner', 'data-scientist': 'Data Scientist' };

/**
 * Every permission a project call can need, with the roles that hold it. A 403 names the
 * permission and the role that would grant it.
 */
export const permissions = {
  'project.read': ['data-owner', 'data-scientist'],
  'members.manage': ['data-owner'],
  'audit.read': ['data-owner'],
  'data.read': ['data-owner', 'data-scientist'],
  'data.write': ['data-owner', 'data-scientist'],
  'data.import': ['data-owner'],
  'data.share': ['data-owner'],
  'code.run': ['data-owner', 'data-scientist'],
  'project.delete': ['data-owner'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof permissions;

export function roleGrants(role: Role, permission: Permission): boolean {
  return (permissions[permission] as readonly Role[]).includes(role);
}

export const User = Type.Object({
  name: Type.String(),
  admin: Type.Boolean(),
  createdAtMs: Type.Number(),
});
export type User = Static<typeof User>;

export const Member = Type.Object({
  user: Type.String(),
  role: Role,
  addedAtMs: Type.Number(),
});
export type Member = Static<typeof Member>;

export const Project = Type.Object({
  name: Type.String(),
  description: Type.String(),
  createdBy: Type.String(),
  createdAtMs: Type.Number(),
  /** The caller's role in it; null for an admin looking at a project they are not in. */
  myRole: Type.Union([Role, Type.Null()]),
  members: Type.Array(Member),
  /** Most bytes the project's files (and uploads in progress) may hold; null: no limit. Set by the cluster admin. */
  quotaBytes: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  /** Logical bytes of the project's files plus the uploads in progress into it. */
  usedBytes: Type.Integer({ minimum: 0 }),
});
export type Project = Static<typeof Project>;

export const Invite = Type.Object({
  /** Shown once, to be passed to the invitee; the head keeps only its hash. */
  code: Type.String(),
  /** Where the invitee lands: a project and role, or only the cluster. */
  project: Type.Union([Type.String(), Type.Null()]),
  role: Type.Union([Role, Type.Null()]),
  expiresAtMs: Type.Number(),
});
export type Invite = Static<typeof Invite>;

export const AuditEntry = Type.Object({
  seq: Type.Integer(),
  atMs: Type.Number(),
  user: Type.String(),
  /** e.g. `project.create`, `member.add`, `member.remove`, `member.role`, `invite.create`, `invite.redeem` */
  action: Type.String(),
  project: Type.Union([Type.String(), Type.Null()]),
  /** What the action was about: a user, a dataset path. */
  target: Type.Union([Type.String(), Type.Null()]),
  detail: Type.String(),
});
export type AuditEntry = Static<typeof AuditEntry>;

// Requests, as both the head and the desktop validate them.
export const CreateProjectRequest = Type.Object(
  { name: ProjectName, description: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
export const AddMemberRequest = Type.Object({ user: UserName, role: Role }, { additionalProperties: false });
export const CreateInviteRequest = Type.Object(
  {
    /** Omit for an invite to the cluster only (no project). */
    project: Type.Optional(ProjectName),
    role: Type.Optional(Role),
    /** Default 7 days; at most 30. */
    ttlHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720 })),
  },
  { additionalProperties: false },
);
/** `PUT quota` (cluster admin): the project's byte quota, at most 1 PiB; null lifts it. */
export const SetQuotaRequest = Type.Object(
  { quotaBytes: Type.Union([Type.Integer({ minimum: 0, maximum: 1024 ** 5 }), Type.Null()]) },
  { additionalProperties: false },
);
export const RedeemInviteRequest = Type.Object({ user: UserName }, { additionalProperties: false });
/** The invitee's own token, returned once; the head keeps only its hash. */
export const RedeemInviteReply = Type.Object({ user: User, token: Type.String(), project: Type.Union([Type.String(), Type.Null()]) });
export const AuditQuery = Type.Object(
  {
    /** Entries after this sequence number (for paging forward). */
    afterSeq: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);

/** Head routes for users and projects (client routes: a user token, or an invite code to redeem). */
export const projectRoutes = {
  /** GET: the caller (`User`). */
  me: '/v1/me',
  /** GET: users (admin only). */
  users: '/v1/users',
  /** GET: projects the caller is in (all of them for an admin); POST `CreateProjectRequest`. */
  projects: '/v1/projects',
  /** GET: one project with members; DELETE: remove it (data-owner; later: only when empty). */
  project: '/v1/projects/:project',
  /** POST `AddMemberRequest` (members.manage): add, or change the role of, a member. */
  members: '/v1/projects/:project/members',
  /** DELETE (members.manage): remove a member; the last Data Owner cannot be removed. */
  member: '/v1/projects/:project/members/:user',
  /** GET `AuditQuery` (audit.read). */
  audit: '/v1/projects/:project/audit',
  /** PUT `SetQuotaRequest` → `Project` (cluster admin): the project's byte quota. */
  quota: '/v1/projects/:project/quota',
  /** POST `CreateInviteRequest`: admin for cluster invites, members.manage for project ones. */
  invites: '/v1/invites',
  /** POST `RedeemInviteRequest` with `Authorization: Invite <code>` — the one route a user token does not open. */
  redeem: '/v1/invites/redeem',
} as const;
