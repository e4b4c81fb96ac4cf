/** The app window: the renderer bundle in a sandboxed, context-isolated page with our preload. */
import { BrowserWindow, dialog } from 'electron';
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
  // The editor holds the page open while changes are unsaved (beforeunload); ask, as a browser would.
  window.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(window, {
      type: 'question',
      buttons: ['Close anyway', 'Keep open'],
      defaultId: 1,
      cancelId: 1,
      message: 'Some files have unsaved changes.',
      detail: 'They are kept as drafts in this workspace and come back when Hopsdesk opens again.',
    });
    if (choice === 0) event.preventDefault();
  });
  window.loadURL(APP_ENTRY_URL).catch((err: unknown) => log(`the app page did not load: ${String(err)}`));
  return window;
}
