/**
 * Bearer-token checks. Every agent route takes a token: the client token (the desktop)
 * or the cluster token (workers). Comparison is constant-time on digests, so neither the
 * token's content nor its length leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AgentTokens } from '../config.ts';

/** Which token a route takes; `any` accepts either. */
export type TokenKind = 'client' | 'cluster' | 'any';

/** The token in an `Authorization: Bearer …` header, if well formed. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Whether `presented` is the token `kind` asks for. */
export function tokenAccepted(presented: string, kind: TokenKind, tokens: AgentTokens): boolean {
  const digest = sha256(presented);
  // Compare against both regardless of kind, so timing does not depend on the route either.
  const isClient = timingSafeEqual(digest, sha256(tokens.client));
  const isCluster = timingSafeEqual(digest, sha256(tokens.cluster));
  if (kind === 'client') return isClient;
  if (kind === 'cluster') return isCluster;
  return isClient || isCluster;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
