/**
 * File content streamed between a caller's own stream and the head, for front ends with
 * no local files (web mode: the browser's request body in, the head's bytes out to the
 * browser), over the head's cluster listener where the desktop may use it, else through
 * the tunnel (`direct-content.ts`). Nothing is held whole: bytes pass through as they come, counted into the same
 * `transfer.progress` events the desktop's own transfers publish. Each runs under its
 * transfer id until it ends, so `transfer.cancel` stops it as it stops the desktop's: an
 * upload's connection to the head is cut (the head drops what it got), a download's
 * stream ends short.
 */
import http from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EventPayload, TransferState } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { fsRoutes, type FileStat } from '../../protocol/fs.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { AgentEndpoint } from './agent-client.ts';
import type { Clusters } from './clusters.ts';
import { contentRequest } from './direct-content.ts';
import { responseOf, unreachable, wireError } from './head-http.ts';

export interface StreamUpload {
  cluster?: string;
  path: string;
  transferId: string;
  overwrite?: boolean;
  /** The body's length when the sender declared it: the head then checks room up front. */
  contentLength?: number;
}

export interface StreamDownload {
  cluster?: string;
  path: string;
  transferId: string;
}

export interface OpenedDownload {
  /** Bytes the head will send, when it said. */
  size: number | null;
  /** The file's bytes; destroying it stops the transfer. */
  stream: Readable;
}

export interface StreamTransfers {
  /** Streams `body` into `path`; resolves with the file once the head has it complete. */
  upload(request: StreamUpload, body: Readable): Promise<FileStat>;
  /** Opens `path` on the head; a missing file or refusal throws before any byte is sent. */
  download(request: StreamDownload): Promise<OpenedDownload>;
  /** Stops the running transfer `transferId`; false when none of these has that id. */
  cancel(transferId: string): boolean;
}

/** Emits progress at most every 100 ms while bytes flow, and always on the state's changes. */
function progressReporter(bus: EventBus, base: Pick<EventPayload<'transfer.progress'>, 'direction' | 'path' | 'transferId'>, total: number | null) {
  let done = 0;
  let lastMs = 0;
  const emit = (state: TransferState) => bus.emit('transfer.progress', { ...base, localFile: '', bytesDone: done, bytesTotal: total, state });
  return {
    counter: () =>
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          done += chunk.length;
          const now = Date.now();
          if (now - lastMs >= 100) {
            lastMs = now;
            emit('running');
          }
          callback(null, chunk);
        },
      }),
    emit,
    get done() {
      return done;
    },
  };
}

/** One running transfer, as `cancel` finds it. */
interface Running {
  cancelled: boolean;
  /** Stops what has started so far. */
  stop: () => void;
}

export function createStreamTransfers(clusters: Pick<Clusters, 'ready'>, bus: EventBus): StreamTransfers {
  const endpointOf = async (cluster: string | undefined): Promise<AgentEndpoint> => (await clusters.ready(cluster)).client().endpoint;
  const running = new Map<string, Running>();
  /** Registers `transferId` until `ended` settles; a cancel before anything started is remembered. */
  const track = (transferId: string): Running => {
    if (running.has(transferId)) throw new HopsError('VALIDATION', `A transfer ${transferId} is already running.`, { field: '/transferId' });
    const run: Running = { cancelled: false, stop: () => undefined };
    running.set(transferId, run);
    return run;
  };
  const untrack = (transferId: string, run: Running) => {
    if (running.get(transferId) === run) running.delete(transferId);
  };

  return {
    async upload(request, body) {
      const run = track(request.transferId);
      try {
        return await upload(request, body, run);
      } finally {
        untrack(request.transferId, run);
      }
    },

    async download(request) {
      const run = track(request.transferId);
      try {
        const opened = await download(request, run);
        // Tracked until its bytes are through (or stopped), which is after this returns.
        opened.stream.once('close', () => untrack(request.transferId, run));
        return opened;
      } catch (err) {
        untrack(request.transferId, run);
        throw err;
      }
    },

    cancel(transferId) {
      const run = running.get(transferId);
      if (run === undefined) return false;
      run.cancelled = true;
      run.stop();
      return true;
    },
  };

  async function upload(request: StreamUpload, body: Readable, run: Running): Promise<FileStat> {
    const endpoint = await endpointOf(request.cluster);
    if (run.cancelled) throw cancelled('upload', request.path, true);
    const progress = progressReporter(bus, { direction: 'upload', path: request.path, transferId: request.transferId }, request.contentLength ?? null);
    const query = new URLSearchParams({ path: request.path });
    if (request.overwrite) query.set('overwrite', 'true');
    // Beside the tunnel where the cluster listener answers, as the desktop's own transfers go.
    const { request: toHead, where } = await contentRequest(endpoint, {
      method: 'PUT',
      path: `${fsRoutes.content}?${query}`,
      headers: {
        'content-type': 'application/octet-stream',
        ...(request.contentLength === undefined ? {} : { 'content-length': request.contentLength }),
      },
    });
    // Cutting the connection to the head mid-body makes it drop the upload whole.
    run.stop = () => toHead.destroy();
    if (run.cancelled) toHead.destroy();
    progress.emit('running');
    const answer = responseOf(toHead).catch((err: Error) => unreachable(endpoint, err, where));
    // A refusal (403, 409, 507) may come while bytes still flow and end the stream early:
    // the head's answer, when there is one, says more than the broken pipe.
    const sent = await pipeline(body, progress.counter(), toHead).then(
      () => undefined,
      (err: Error) => err,
    );
    const result = await answer;
    try {
      if (run.cancelled) throw cancelled('upload', request.path, true);
      if (result instanceof HopsError) throw sent !== undefined && body.destroyed ? cancelled('upload', request.path, false) : result;
      if (result.status >= 300) throw wireError(result.status, result.body, request.path);
      if (sent !== undefined) throw body.destroyed ? cancelled('upload', request.path, false) : unreachable(endpoint, sent, where);
    } catch (err) {
      progress.emit(err instanceof HopsError && err.code === 'TRANSFER_CANCELLED' ? 'cancelled' : 'failed');
      throw err;
    }
    progress.emit('done');
    return JSON.parse(result.body) as FileStat;
  }

  async function download(request: StreamDownload, run: Running): Promise<OpenedDownload> {
    const endpoint = await endpointOf(request.cluster);
    if (run.cancelled) throw cancelled('download', request.path, true);
    const { request: fromHead, where } = await contentRequest(endpoint, { method: 'GET', path: `${fsRoutes.content}?${new URLSearchParams({ path: request.path })}`, headers: {} });
    run.stop = () => fromHead.destroy();
    if (run.cancelled) fromHead.destroy();
    fromHead.end();
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      fromHead.once('response', resolve);
      fromHead.once('error', (err) => reject(run.cancelled ? cancelled('download', request.path, true) : unreachable(endpoint, err, where)));
    });
    if ((response.statusCode ?? 500) >= 300) {
      let text = '';
      for await (const chunk of response) text += String(chunk);
      throw wireError(response.statusCode ?? 500, text, request.path);
    }
    const length = Number(response.headers['content-length']);
    const size = Number.isFinite(length) ? length : null;
    const progress = progressReporter(bus, { direction: 'download', path: request.path, transferId: request.transferId }, size);
    progress.emit('running');
    const counted = progress.counter();
    // A cancel ends the stream short, so whoever reads it (the browser) sees the download fail.
    run.stop = () => counted.destroy(cancelled('download', request.path, true));
    // Whoever reads the stream may stop it (a cancelled browser download destroys it, a
    // premature close); the pipeline then ends the head's response too.
    pipeline(response, counted).then(
      () => progress.emit('done'),
      (err: NodeJS.ErrnoException) => progress.emit(run.cancelled || err.code === 'ERR_STREAM_PREMATURE_CLOSE' ? 'cancelled' : 'failed'),
    );
    return { size, stream: counted };
  }
}

function cancelled(direction: 'upload' | 'download', path: string, byUser: boolean): HopsError {
  return new HopsError(
    'TRANSFER_CANCELLED',
    byUser
      ? `The ${direction} of ${path} was cancelled${direction === 'upload' ? '; nothing of it was kept' : ''}.`
      : `The ${direction} of ${path} stopped: the sender went away before the end.`,
  );
}
