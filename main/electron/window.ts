/** The app window: the renderer bundle in a sandboxed, context-isolated page with our preload. */
import { BrowserWindow } from 'electron';
import { APP_ENTRY_URL } from './app-origin.ts';

/** Opens the window on the app's entry page; it shows itself once the first paint is ready. */
export function createAppWindow(preloadPath: string, log: (line: string) => void): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 760,
    minHeight: 480,
    title: 'Hopsdesk',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  window.loadURL(APP_ENTRY_URL).catch((err: unknown) => log(`the app page did not load: ${String(err)}`));
  return window;
}
