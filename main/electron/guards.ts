/**
 * Electron's security checklist, applied to every web contents the app ever creates: no
 * navigation off the app origin, no new windows (https links go to the OS browser
 * instead), no <webview>, and no permission granted to web content.
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

/** Camera, microphone, notifications, geolocation, …: the UI needs none, so none is granted. */
export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
