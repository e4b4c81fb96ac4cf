/**
 * The Electron shell: one window over the desktop core, which it reaches through one IPC
 * channel per contract method. Bundled to dist/electron/main.cjs and launched as
 *
 *   electron dist/electron/main.cjs [--workspace DIR] [--json]
 *
 * (`hopsdesk open` does this when an Electron binary exists). Without --workspace the
 * core's default applies: $HOPSDESK_HOME, else the user data directory.
 */
import { app, dialog, ipcMain, safeStorage, session, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { listMethods } from '../../protocol/desktop-api.ts';
import { nativeChannels } from '../../protocol/desktop-native.ts';
import { HopsError, toWireError } from '../../protocol/errors.ts';
import { IPC_EVENT_CHANNEL, IPC_PREFIX } from '../../protocol/wire.ts';
import { createCore } from '../core/create-core.ts';
import { defaultWorkspaceDir } from '../core/options.ts';
import { parseShellArgs } from './args.ts';
import { denyPermissions, guardWebContents } from './guards.ts';
import { createIpcHandler, type Dispatch } from './ipc-handler.ts';
import { createNativeFileHandlers } from './native-files.ts';
import { createQuitGuard } from './quit-guard.ts';
import { safeStorageCipher } from './secret-cipher.ts';
import { senderProblem } from './sender.ts';
import { registerAppScheme, serveApp } from './serve-app.ts';
import { createAppWindow } from './window.ts';

// This file runs as the CommonJS bundle dist/electron/main.cjs: the app root holding
// dist/ and node_modules/ is two levels above it, and the preload sits beside it.
const appRoot = path.resolve(__dirname, '..', '..');
const rendererDir = path.join(appRoot, 'dist', 'renderer');
const preloadPath = path.join(__dirname, '..', 'preload', 'index.cjs');
const log = (line: string) => void process.stderr.write(line + '\n');

registerAppScheme();
guardWebContents(log);
start().catch((err: unknown) => failToStart(err, process.argv.includes('--json')));

async function start(): Promise<void> {
  const args = parseShellArgs(process.argv);
  const workspaceDir = path.resolve(args.workspace ?? defaultWorkspaceDir());
  // Chromium's profile, and with it the single-instance lock, lives inside the workspace:
  // one window per workspace, and nothing of the app's kept anywhere else. The workspace
  // is made private here, before Chromium would create it with default permissions.
  mkdirSync(workspaceDir, { recursive: true, mode: 0o700 });
  app.setPath('userData', path.join(workspaceDir, 'electron'));
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    throw new HopsError('WORKSPACE_INVALID', `The renderer bundle is missing at ${rendererDir}.`, {
      hint: 'Run `npm run build` first (`npm start` does it for you).',
    });
  }
  denyPermissions(session.defaultSession);
  serveApp(rendererDir);

  const secretCipher = await safeStorageCipher(safeStorage);
  const core = await createCore({ mode: 'electron', workspaceDir, appRoot, log, ...(secretCipher ? { secretCipher } : {}) });
  app.on('before-quit', createQuitGuard(() => core.stop(), () => app.quit(), log));
  app.on('window-all-closed', () => app.quit());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  const window = createAppWindow(preloadPath, log);
  answerIpc((method, params) => core.dispatch(method, params), window);
  answerNativeFiles((method, params) => core.dispatch(method, params), window);
  core.subscribe((event, payload) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, { event, payload });
  });
  app.on('second-instance', () => {
    if (window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  if (args.json) {
    window.once('ready-to-show', () => process.stdout.write(JSON.stringify({ url: window.webContents.getURL(), mode: 'electron' }) + '\n'));
  }
  // The window opens at once and shows the connection state; the agent may take a moment.
  core.start().catch((err: unknown) => log(`the local cluster did not start: ${toWireError(err).message}`));
}

/** One handler per contract method, each checking that the caller is our window's app page. */
function answerIpc(dispatch: Dispatch, window: BrowserWindow): void {
  for (const { name } of listMethods()) {
    ipcMain.handle(IPC_PREFIX + name, createIpcHandler(name, dispatch, (event) => senderProblem(event, window)));
  }
}

/** The save dialog and dragging files out to the desktop, for the dataset explorer. */
function answerNativeFiles(dispatch: Dispatch, window: BrowserWindow): void {
  // Files dragged out are copies made for the drop; they go when the app quits.
  const dragRoot = mkdtempSync(path.join(app.getPath('temp'), 'hopsdesk-drags-'));
  app.on('will-quit', () => rmSync(dragRoot, { recursive: true, force: true }));
  const handlers = createNativeFileHandlers<IpcMainInvokeEvent>({
    senderProblem: (event) => senderProblem(event, window),
    showSaveDialog: async (suggestedName) => {
      const chosen = await dialog.showSaveDialog(window, { defaultPath: path.join(app.getPath('downloads'), suggestedName) });
      return chosen.canceled || !chosen.filePath ? null : chosen.filePath;
    },
    dispatch,
    tempRoot: dragRoot,
    // The OS wants a picture to drag: the file's own icon.
    startDrag: async (event, file) => event.sender.startDrag({ file, icon: await app.getFileIcon(file) }),
  });
  ipcMain.handle(nativeChannels.chooseSaveFile, handlers.chooseSaveFile);
  ipcMain.handle(nativeChannels.dragOut, handlers.dragOut);
}

function failToStart(err: unknown, json: boolean): void {
  const error = toWireError(err);
  if (json) {
    process.stderr.write(JSON.stringify({ error }) + '\n');
  } else {
    log(`error: ${error.message}\n  ${error.hint}`);
    dialog.showErrorBox('Hopsdesk could not start', `${error.message}\n\n${error.hint}`);
  }
  app.exit(1);
}
