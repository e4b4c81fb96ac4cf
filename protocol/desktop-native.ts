/**
 * The few things only the Electron app can do with local files, beside the generated
 * desktop API: name the local path of a dropped file, ask where to save a download, and
 * drag a cluster file out to the desktop. The preload exposes exactly these as
 * `window.hopsDesktop`; the main process validates every call as it does the API's.
 */
import { Type, type Static } from '@sinclair/typebox';
import { FsPath } from './fs.ts';
import { limits } from './limits.ts';
import type { IpcReply } from './wire.ts';

/** IPC channels of the two main-process calls (outside the `hops:` method prefix). */
export const nativeChannels = {
  chooseSaveFile: 'hops-native:choose-save-file',
  dragOut: 'hops-native:drag-out',
} as const;

const ClusterName = Type.String({ minLength: 1, maxLength: limits.maxNameLength, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });

/** Where to save a download: the dialog opens on this file name. */
export const ChooseSaveFileRequest = Type.Object(
  { suggestedName: Type.String({ minLength: 1, maxLength: 255 }) },
  { additionalProperties: false },
);
export type ChooseSaveFileRequest = Static<typeof ChooseSaveFileRequest>;

/** A file of the cluster filesystem to drag out of the window. */
export const DragOutRequest = Type.Object({ cluster: Type.Optional(ClusterName), path: FsPath }, { additionalProperties: false });
export type DragOutRequest = Static<typeof DragOutRequest>;

/**
 * `window.hopsDesktop`, present in the Electron app only. The two calls answer with an
 * `IpcReply` value: an Error crossing the context bridge would keep only its message.
 */
export interface DesktopNativeBridge {
  /** The local path of a `File` from a drop or a file picker (Electron's `webUtils.getPathForFile`); '' when it has none. */
  pathForFile(file: File): string;
  /** Opens the save dialog; the value is the chosen local path, or null when cancelled. */
  chooseSaveFile(request: ChooseSaveFileRequest): Promise<IpcReply>;
  /** Downloads the file to a temporary folder, then starts the OS drag of it; the value is null. */
  dragOut(request: DragOutRequest): Promise<IpcReply>;
}
