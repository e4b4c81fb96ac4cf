/**
 * Bounds on what the head's people-and-projects tables hold, so that no caller can grow
 * them (or the replies that list them) without limit. Reaching one is a 409
 * `LIMIT_REACHED` that names it.
 */
export const projectLimits = {
  /** Projects in one cluster. */
  maxProjects: 1000,
  /** Members of one project. */
  maxMembersPerProject: 1000,
  /** Users of one cluster (each joined by an invite). */
  maxUsers: 10_000,
  /** Invites not yet used nor expired. */
  maxOpenInvites: 1000,
  /** Used and expired invites are kept this long (to tell "already used" and "expired" from "unknown"), then forgotten. */
  inviteMemoryMs: 30 * 24 * 3600 * 1000,
  /** Audit entries in one reply when the query gives no limit. */
  defaultAuditPage: 100,
} as const;
