/**
 * Serves the renderer bundle under `app://hopsdesk/` (a standard, secure scheme of our
 * own) instead of `file://`, which would give the page every file on disk as its origin.
 */
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { APP_SCHEME } from './app-origin.ts';
import { appResponseHeaders, resolveAppFile } from './app-protocol.ts';

/** Registers the scheme's privileges; Electron accepts this only before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
  ]);
}

/** Answers `app://` requests from files inside `rendererDir`, with the CSP on every response. */
export function serveApp(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const target = resolveAppFile(rendererDir, request.url, request.method);
    if (!target.ok) return new Response(target.reason, { status: target.status, headers: appResponseHeaders });
    try {
      const file = await net.fetch(pathToFileURL(target.file).toString());
      const headers = new Headers(file.headers);
      for (const [name, value] of Object.entries(appResponseHeaders)) headers.set(name, value);
      if (target.contentType) headers.set('content-type', target.contentType);
      return new Response(file.body, { status: file.status, headers });
    } catch {
      return new Response('not found', { status: 404, headers: appResponseHeaders });
    }
  });
}
