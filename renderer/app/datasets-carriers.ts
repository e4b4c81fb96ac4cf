/**
 * How file content moves between this window and the cluster, by where the window runs.
 * In the Electron app a dropped file has a local path, so the core reads it itself
 * (`dataset.put`) and saves downloads where the save dialog says (`dataset.get`). A browser
 * has no local paths: it streams the bytes to the web server's transfer routes, which pass
 * them to the head as they come, and downloads through the browser's own download.
 */
import type { HopsApi } from '../../protocol/desktop-api.ts';
import type { DesktopNativeBridge } from '../../protocol/desktop-native.ts';
import type { IpcReply } from '../../protocol/wire.ts';
import type { FileStat } from '../../protocol/fs.ts';
import { webTransferRoutes as transferRoutes } from '../../protocol/web-transfers.ts';


export interface UploadTarget {
  cluster: string;
  path: string;
  /** The id its `transfer.progress` events carry, chosen by this window. */
  transferId: string;
}

export interface FileCarrier {
  /** Sends a file's bytes to `target.path`; an abort cancels it (the core drops what was sent). */
  upload(file: File, target: UploadTarget, signal: AbortSignal): Promise<FileStat>;
  /**
   * Fetches `path` to this machine. Resolves false when the user cancelled the save
   * dialog; in a browser the download then runs in the browser's own list.
   */
  download(cluster: string, path: string): Promise<boolean>;
  /** Whether files can be dragged out of the list to the desktop. */
  readonly canDragOut: boolean;
  dragOut(cluster: string, path: string): Promise<void>;
}

/** An error as the transports make them, so `problemOf` reads code and hint alike. */
function hopsError(code: string, message: string, hint: string): Error {
  return Object.assign(new Error(message), { name: 'HopsError', code, hint });
}

/** A reply of the native bridge as a value, or the error it carried with its code and hint. */
function unwrap(reply: IpcReply): unknown {
  if (reply.ok) return reply.value;
  throw hopsError(reply.error.code, reply.error.message, reply.error.hint);
}

/** The Electron app: local paths, the core reads and writes files itself. */
export function nativeCarrier(hops: HopsApi, native: DesktopNativeBridge): FileCarrier {
  return {
    async upload(file, target, signal) {
      const localFile = native.pathForFile(file);
      if (localFile === '') {
        throw hopsError('VALIDATION', `${file.name} has no local path the app can read.`, 'Drop files from the file manager, or pick them with Upload.');
      }
      const cancel = () => void hops.transfer.cancel({ transferId: target.transferId }).catch(() => undefined);
      signal.addEventListener('abort', cancel, { once: true });
      try {
        return await hops.dataset.put({ cluster: target.cluster, localFile, path: target.path, transferId: target.transferId });
      } finally {
        signal.removeEventListener('abort', cancel);
      }
    },
    async download(cluster, path) {
      const localFile = unwrap(await native.chooseSaveFile({ suggestedName: path.slice(path.lastIndexOf('/') + 1) })) as string | null;
      if (localFile === null) return false;
      // The save dialog already asked before replacing a file.
      await hops.dataset.get({ cluster, path, localFile, overwrite: true });
      return true;
    },
    canDragOut: true,
    async dragOut(cluster, path) {
      unwrap(await native.dragOut({ cluster, path }));
    },
  };
}

/** A browser: bytes travel over HTTP to the core on the same origin (cookie-authenticated). */
export function webCarrier(fetchImpl: typeof fetch): FileCarrier {
  return {
    async upload(file, target, signal) {
      const query = new URLSearchParams({ cluster: target.cluster, path: target.path, transferId: target.transferId });
      let response: Response;
      try {
        response = await fetchImpl(`${transferRoutes.upload}?${query}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream' },
          body: file,
          signal,
        });
      } catch (err) {
        if (signal.aborted) throw hopsError('TRANSFER_CANCELLED', `The upload of ${target.path} was cancelled.`, 'Upload it again to finish it.');
        throw hopsError('AGENT_UNREACHABLE', `The upload of ${target.path} was cut: ${(err as Error).message}.`, 'Check that Hopsdesk is still running, then upload it again.');
      }
      const answer = (await response.json().catch(() => null)) as (FileStat & { code?: string; message?: string; hint?: string }) | null;
      if (!response.ok) {
        throw hopsError(answer?.code ?? 'INTERNAL', answer?.message ?? `The upload of ${target.path} failed (${response.status}).`, answer?.hint ?? 'Upload it again.');
      }
      return answer as FileStat;
    },
    async download(cluster, path) {
      // The browser's own download: it streams to disk and shows its progress.
      const link = document.createElement('a');
      link.href = `${transferRoutes.download}?${new URLSearchParams({ cluster, path })}`;
      link.download = path.slice(path.lastIndexOf('/') + 1);
      link.rel = 'noopener';
      document.body.append(link);
      link.click();
      link.remove();
      return true;
    },
    canDragOut: false,
    dragOut: async () => undefined,
  };
}

/** The carrier of this window: the Electron app's when its preload put `hopsDesktop` there, else the browser's. */
export function carrierFor(hops: HopsApi, scope: { hopsDesktop?: DesktopNativeBridge } = globalThis as { hopsDesktop?: DesktopNativeBridge }): FileCarrier {
  return scope.hopsDesktop !== undefined ? nativeCarrier(hops, scope.hopsDesktop) : webCarrier((input, init) => fetch(input, init));
}
