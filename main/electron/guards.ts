/**
 * Electron's security checklist, applied to every web contents the app ever creates: no
 * navigation off the app origin, no new windows (https links go to the OS browser
 * instead), no <webview>, and no permission granted to web content but pasting.
 */
import { app, shell, type Session } from 'electron';
import { isAppUrl, isExternalLink } from './app-origin.ts';

/** Opens an https link in the user's browser; anything else is dropped. */
function openOutside(url: string, log: (line: string) => void): void {
  if (isExternalLink(url)) shell.openExternal(url).catch((err: unknown) => log(`could not open ${url}: ${String(err)}`));
}

/** Installs the navigation, window and webview guards; call before the first window. */
export function guardWebContents(log: (line: string) => void): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => {
      if (isAppUrl(event.url)) return;
      event.preventDefault();
      openOutside(event.url, log);
    });
    contents.setWindowOpenHandler(({ url }) => {
      openOutside(url, log);
      return { action: 'deny' };
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

/**
 * Camera, microphone, geolocation, …: the UI needs none, so none is granted. The one
 * exception is reading the clipboard, for pasting into a terminal (Ctrl+Shift+V), and only
 * for the app's own pages.
 */
export function denyPermissions(session: Session): void {
  const allowed = (permission: string, url: string | undefined) =>
    permission === 'clipboard-read' && url !== undefined && isAppUrl(url);
  session.setPermissionRequestHandler((contents, permission, callback) => callback(allowed(permission, contents.getURL())));
  session.setPermissionCheckHandler((_contents, permission, origin) => allowed(permission, origin));
}
