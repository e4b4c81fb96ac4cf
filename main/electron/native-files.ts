/**
 * The Electron app's two file calls outside the desktop API: ask where to save a download,
 * and drag a cluster file out of the window (downloaded to a fresh temporary folder first,
 * since the OS drags local files only). Each call is checked as every IPC call is — the
 * sender first, then the request against its schema — and answers with an `IpcReply`.
 * Electron itself is passed in, so the checks and the sequence run under plain Node in tests.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { ChooseSaveFileRequest, DragOutRequest } from '../../protocol/desktop-native.ts';
import { HopsError, toWireError } from '../../protocol/errors.ts';
import type { IpcReply } from '../../protocol/wire.ts';
import type { Dispatch } from './ipc-handler.ts';
import type { InvokeFacts } from './sender.ts';

const saveCheck = TypeCompiler.Compile(ChooseSaveFileRequest);
const dragCheck = TypeCompiler.Compile(DragOutRequest);

export interface NativeFileDeps<E extends InvokeFacts> {
  senderProblem(event: E): string | undefined;
  /** The OS save dialog opened on `suggestedName`; null when cancelled. */
  showSaveDialog(suggestedName: string): Promise<string | null>;
  /** The desktop API (for `dataset.get`). */
  dispatch: Dispatch;
  /** Where temporary drag folders go (the OS temp dir). */
  tempRoot: string;
  /** Starts the OS drag of a local file from the window that asked. */
  startDrag(event: E, file: string): Promise<void>;
}

function checked<T>(check: { Check(value: unknown): value is T; Errors(value: unknown): Iterable<{ path: string; message: string }> }, what: string, params: unknown): T {
  if (check.Check(params)) return params;
  const first = [...check.Errors(params)][0];
  const field = first?.path || '/';
  throw new HopsError('VALIDATION', `Invalid ${what} request: ${field} — ${first?.message ?? 'invalid value'}.`, { field });
}

/**
 * A file name safe on every desktop OS for a cluster file's last name: path separators,
 * characters Windows refuses and control characters become "_"; an empty or dot-only name
 * becomes "download".
 */
export function localNameOf(clusterPath: string): string {
  const name = clusterPath.slice(clusterPath.lastIndexOf('/') + 1).replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, '_');
  const trimmed = name.replace(/[. ]+$/, '');
  return trimmed === '' ? 'download' : trimmed.slice(0, 200);
}

/** The two IPC handlers, by channel purpose. */
export function createNativeFileHandlers<E extends InvokeFacts>(deps: NativeFileDeps<E>) {
  const answer = async (event: E, channel: string, run: () => Promise<unknown>): Promise<IpcReply> => {
    const problem = deps.senderProblem(event);
    // Not our page: no reply and no help, as for the API's own channels.
    if (problem !== undefined) throw new HopsError('FORBIDDEN_ORIGIN', `Refused ${channel}: ${problem}.`);
    try {
      return { ok: true, value: await run() };
    } catch (err) {
      return { ok: false, error: toWireError(err) };
    }
  };

  return {
    chooseSaveFile: (event: E, params: unknown) =>
      answer(event, 'chooseSaveFile', async () => {
        const request = checked(saveCheck, 'chooseSaveFile', params);
        return deps.showSaveDialog(localNameOf(`/${request.suggestedName}`));
      }),
    dragOut: (event: E, params: unknown) =>
      answer(event, 'dragOut', async () => {
        const request = checked(dragCheck, 'dragOut', params);
        const folder = await mkdtemp(path.join(deps.tempRoot, 'hopsdesk-drag-'));
        const localFile = path.join(folder, localNameOf(request.path));
        await deps.dispatch('dataset.get', { ...(request.cluster === undefined ? {} : { cluster: request.cluster }), path: request.path, localFile });
        await deps.startDrag(event, localFile);
        return null;
      }),
  };
}
