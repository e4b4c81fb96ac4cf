/**
 * Who is calling. Every agent route takes a credential of one kind:
 *
 * - `client` routes take a user's token (`Authorization: Bearer …`); the user it belongs
 *   to is put on the request (`request.user`) for handlers and permission checks. The
 *   client token of the configuration is the admin's token.
 * - `cluster` routes take the cluster token (workers).
 * - `any` (hello, unknown paths) takes either, so that without one nobody learns which
 *   paths exist.
 * - `invite` (redeeming an invite) takes only `Authorization: Invite <code>`; no token
 *   opens it, and an invite code opens nothing else.
 *
 * Comparisons are constant-time on digests (`secret.ts`); users are looked up by digest.
 *
 * A token's user is remembered for a second (`rememberedUser`): every request of a busy
 * client looked the same token up again. What is remembered is only who the user is
 * (name, admin): what they may do (memberships, roles, shares) is read anew on every
 * call, so leaving a project takes effect at once. The head never deletes a user, a token
 * changes only while it starts (`Users.ensureAdmin`, before it listens), and a refused
 * token is never remembered, so a user invited meanwhile signs in at once.
 */
import type { FastifyRequest } from 'fastify';
import { HopsError } from '../../protocol/errors.ts';
import type { User } from '../../protocol/projects.ts';
import { sameDigest, sameSecret, sha256 } from '../secret.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The user whose token the request carries; null on cluster-token and invite requests. */
    user: User | null;
  }
}

/** Which credential a route takes (see the module comment). */
export type TokenKind = 'client' | 'cluster' | 'any' | 'invite';

/** What the checks compare against. */
export interface Credentials {
  clusterToken: string;
  /** The user a token belongs to, if any. */
  userOf: (token: string) => User | undefined;
  /** Throws a 401 saying why unless the invite code can be redeemed; absent on an agent without the head role. */
  checkInvite: ((code: string) => void) | undefined;
}

/** Invite codes are base64url; anything else is refused before any lookup. */
const invitePattern = /^Invite\s+([A-Za-z0-9_-]{16,200})\s*$/i;

/** The token in an `Authorization: Bearer …` header, if well formed. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** The code in an `Authorization: Invite …` header, if well formed. */
export function inviteCode(header: string | undefined): string | undefined {
  return invitePattern.exec(header ?? '')?.[1];
}

/**
 * Checks the request's credential for a route taking `kind`, and sets `request.user`.
 * Throws `UNAUTHORIZED` (401) when it is missing or wrong.
 */
export function authenticate(request: FastifyRequest, kind: TokenKind, credentials: Credentials): void {
  const route = `${request.method} ${request.routeOptions.url ?? 'this path'}`;
  const header = request.headers.authorization;
  if (kind === 'invite') {
    const code = inviteCode(header);
    if (code === undefined) {
      throw new HopsError('UNAUTHORIZED', `${route} takes an invite code (Authorization: Invite <code>), and nothing else.`, {
        hint: 'Pass the invite code you were given; a signed-in user needs no invite.',
      });
    }
    credentials.checkInvite?.(code);
    return;
  }
  const presented = bearerToken(header);
  if (presented === undefined) {
    throw new HopsError('UNAUTHORIZED', 'This request carries no bearer token (Authorization: Bearer …).');
  }
  // Hashed once: the digest is compared with the cluster token's and keys the users remembered.
  const digest = sha256(presented);
  const known = knownOf(credentials);
  // The cluster token is compared whatever the kind, so timing does not depend on the route.
  const isCluster = sameDigest(digest, known.clusterDigest);
  const user = kind === 'cluster' || isCluster ? undefined : rememberedUser(credentials, known.users, presented, digest.toString('hex'));
  const accepted = kind === 'cluster' ? isCluster : kind === 'client' ? user !== undefined : isCluster || user !== undefined;
  if (!accepted) throw new HopsError('UNAUTHORIZED', `The bearer token is not valid for ${route}.`);
  request.user = user ?? null;
}

/** How long a token's user is remembered, and how many tokens at most (then all are forgotten). */
const rememberUserMs = 1000;
const maxRememberedTokens = 10_000;

/** Per set of credentials (one per server): the cluster token's digest, and users found by token, by the token's digest (no token is kept). */
interface Known {
  clusterDigest: Buffer;
  users: Map<string, { user: User; untilMs: number }>;
}
const knownByCredentials = new WeakMap<Credentials, Known>();

function knownOf(credentials: Credentials): Known {
  let known = knownByCredentials.get(credentials);
  if (known === undefined) {
    known = { clusterDigest: sha256(credentials.clusterToken), users: new Map() };
    knownByCredentials.set(credentials, known);
  }
  return known;
}

/** `credentials.userOf(token)`, remembered for `rememberUserMs` when it is a user. */
function rememberedUser(credentials: Credentials, users: Known['users'], token: string, key: string): User | undefined {
  const nowMs = performance.now();
  const known = users.get(key);
  if (known !== undefined && known.untilMs > nowMs) return known.user;
  const user = credentials.userOf(token);
  if (user === undefined) {
    users.delete(key);
    return undefined;
  }
  if (users.size >= maxRememberedTokens) users.clear();
  users.set(key, { user, untilMs: nowMs + rememberUserMs });
  return user;
}

/** The caller of a client route (set by `authenticate`); a route without one is a bug. */
export function callerOf(request: FastifyRequest): User {
  if (request.user === null) throw new Error(`${request.method} ${request.routeOptions.url ?? ''} ran without an authenticated user.`);
  return request.user;
}

/** A worker-only agent has no users: its client token is the admin's, named by the configuration. */
export function configuredAdmin(clientToken: string, admin: User): (token: string) => User | undefined {
  return (token) => (sameSecret(token, clientToken) ? admin : undefined);
}
