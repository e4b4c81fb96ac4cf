/**
 * Who may call the desktop API over IPC: only the main frame of our own window while it
 * shows the app origin — not a subframe, not another window, not a page it navigated to.
 * Written against the few properties it reads, so it runs under plain Node in tests.
 */
import { isAppUrl } from './app-origin.ts';

/** The parts of Electron's `WebFrameMain` the check reads. */
export interface FrameFacts {
  readonly url: string;
  readonly frameToken: string;
  readonly parent: unknown;
  readonly detached: boolean;
}

/** The parts of Electron's `IpcMainInvokeEvent` the check reads. */
export interface InvokeFacts {
  readonly sender: { readonly id: number };
  readonly senderFrame: FrameFacts | null;
}

/** The parts of the app's `BrowserWindow` the check reads. */
export interface WindowFacts {
  isDestroyed(): boolean;
  readonly webContents: { readonly id: number; readonly mainFrame: FrameFacts };
}

/** Why `event` may not call the desktop API, or undefined when it may. */
export function senderProblem(event: InvokeFacts, window: WindowFacts | undefined): string | undefined {
  if (!window || window.isDestroyed()) return 'the app window is closed';
  if (event.sender.id !== window.webContents.id) return 'the call came from another window';
  const frame = event.senderFrame;
  if (!frame || frame.detached) return 'the calling frame is gone';
  if (frame.parent !== null || frame.frameToken !== window.webContents.mainFrame.frameToken) {
    return 'the call came from a subframe';
  }
  if (!isAppUrl(frame.url)) return 'the calling page is not the app';
  return undefined;
}
