/**
 * How `app://hopsdesk/<path>` maps onto the renderer bundle: only files inside the
 * renderer folder, refusing traversal in every spelling (`..`, `%2e%2e`, `..%2f`), NUL
 * bytes and backslashes; every response carries the app's security headers.
 */
import path from 'node:path';
import { contentSecurityPolicy } from '../../protocol/content-security-policy.ts';
import { isAppUrl } from './app-origin.ts';

export type AppFile =
  | { ok: true; file: string; contentType: string | undefined }
  | { ok: false; status: 400 | 403 | 405; reason: string };

/** Headers on every `app://` response, file or error. */
export const appResponseHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': contentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Module scripts need an exact JavaScript type under `nosniff`, so types are set here, not guessed. */
const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** The renderer file that answers `requestUrl`, or why none does. */
export function resolveAppFile(rendererDir: string, requestUrl: string, method = 'GET'): AppFile {
  if (method !== 'GET' && method !== 'HEAD') return { ok: false, status: 405, reason: `${method} is not served` };
  if (!isAppUrl(requestUrl)) return { ok: false, status: 403, reason: 'not the app origin' };
  const rawPath = new URL(requestUrl).pathname;
  if (/%00|%5c|\\/i.test(rawPath)) return { ok: false, status: 400, reason: 'NUL bytes and backslashes are refused' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { ok: false, status: 400, reason: 'malformed percent-encoding' };
  }
  const segments = decoded.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '..' || segment === '.' || segment.includes('\0'))) {
    return { ok: false, status: 403, reason: 'path traversal is refused' };
  }
  const relative = decoded.endsWith('/') ? [...segments, 'index.html'] : segments;
  const root = path.resolve(rendererDir);
  const file = path.join(root, ...(relative.length ? relative : ['index.html']));
  // Belt and braces: whatever the checks above missed, nothing outside the folder is served.
  if (!file.startsWith(root + path.sep)) return { ok: false, status: 403, reason: 'outside the renderer folder' };
  return { ok: true, file, contentType: contentTypes[path.extname(file).toLowerCase()] };
}
