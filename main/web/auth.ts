/**
 * Web-mode access control: a per-run secret token, exchanged once for an HttpOnly cookie,
 * and Host/Origin checks that stop other pages and DNS-rebinding tricks from reaching the
 * core through the browser.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Cookies are not scoped by port, so the name carries it: two instances never collide. */
export function cookieName(port: number): string {
  return `hopsdesk_session_${port}`;
}

export function tokensEqual(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request presents, from `Authorization: Bearer` or the session cookie. */
export function presentedToken(
  headers: { authorization?: string | undefined; cookie?: string | undefined },
  port: number,
): string | undefined {
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length);
  const name = cookieName(port) + '=';
  for (const part of (headers.cookie ?? '').split(';')) {
    const trimmed = part.trim();
    if (trimmed.startsWith(name)) return trimmed.slice(name.length);
  }
  return undefined;
}

/** Only our own loopback names are served; anything else is a rebinding attempt. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** Browsers send Origin on WebSocket upgrades; only pages we served may connect. */
export function originAllowed(origin: string | undefined, port: number): boolean {
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}
