/**
 * `window.hopsDesktop`: the few file calls only the Electron app has (protocol/desktop-native.ts),
 * beside the generated `window.hops`. The local path of a dropped file comes from
 * `webUtils`; the save dialog and dragging out go to the main process on their own two
 * channels, where the sender and the request are checked.
 */
import { nativeChannels, type DesktopNativeBridge } from '../protocol/desktop-native.ts';
import type { IpcReply } from '../protocol/wire.ts';

/** The parts of Electron's `ipcRenderer` and `webUtils` the bridge uses. */
export interface NativeDeps {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  getPathForFile(file: File): string;
}

export function nativeBridge(deps: NativeDeps): DesktopNativeBridge {
  return {
    pathForFile: (file) => deps.getPathForFile(file),
    chooseSaveFile: (request) => deps.invoke(nativeChannels.chooseSaveFile, request) as Promise<IpcReply>,
    dragOut: (request) => deps.invoke(nativeChannels.dragOut, request) as Promise<IpcReply>,
  };
}
