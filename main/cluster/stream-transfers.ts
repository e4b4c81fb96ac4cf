/**
 * File content streamed between a caller's own stream and the head, for front ends with
 * no local files (web mode: the browser's request body in, the head's bytes out to the
 * browser). Nothing is held whole: bytes pass through as they come, counted into the same
 * `transfer.progress` events the desktop's own transfers publish.
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

export function createStreamTransfers(clusters: Pick<Clusters, 'ready'>, bus: EventBus): StreamTransfers {
  const endpointOf = async (cluster: string | undefined): Promise<AgentEndpoint> => (await clusters.ready(cluster)).client().endpoint;

  return {
    async upload(request, body) {
      const endpoint = await endpointOf(request.cluster);
      const progress = progressReporter(bus, { direction: 'upload', path: request.path, transferId: request.transferId }, request.contentLength ?? null);
      const query = new URLSearchParams({ path: request.path });
      if (request.overwrite) query.set('overwrite', 'true');
      const toHead = http.request(`${endpoint.baseUrl}${fsRoutes.content}?${query}`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${endpoint.token}`,
          'content-type': 'application/octet-stream',
          ...(request.contentLength === undefined ? {} : { 'content-length': request.contentLength }),
        },
      });
      progress.emit('running');
      const answer = responseOf(toHead).catch((err: Error) => unreachable(endpoint, err));
      // A refusal (403, 409, 507) may come while bytes still flow and end the stream early:
      // the head's answer, when there is one, says more than the broken pipe.
      const sent = await pipeline(body, progress.counter(), toHead).then(
        () => undefined,
        (err: Error) => err,
      );
      const result = await answer;
      try {
        if (result instanceof HopsError) throw sent !== undefined && body.destroyed ? cancelled(request.path) : result;
        if (result.status >= 300) throw wireError(result.status, result.body, request.path);
        if (sent !== undefined) throw body.destroyed ? cancelled(request.path) : unreachable(endpoint, sent);
      } catch (err) {
        progress.emit(err instanceof HopsError && err.code === 'TRANSFER_CANCELLED' ? 'cancelled' : 'failed');
        throw err;
      }
      progress.emit('done');
      return JSON.parse(result.body) as FileStat;
    },

    async download(request) {
      const endpoint = await endpointOf(request.cluster);
      const fromHead = http.request(`${endpoint.baseUrl}${fsRoutes.content}?${new URLSearchParams({ path: request.path })}`, {
        headers: { authorization: `Bearer ${endpoint.token}` },
      });
      fromHead.end();
      const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
        fromHead.once('response', resolve);
        fromHead.once('error', (err) => reject(unreachable(endpoint, err)));
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
      // Whoever reads the stream may stop it (a cancelled browser download destroys it, a
      // premature close); the pipeline then ends the head's response too.
      pipeline(response, counted).then(
        () => progress.emit('done'),
        (err: NodeJS.ErrnoException) => progress.emit(err.code === 'ERR_STREAM_PREMATURE_CLOSE' ? 'cancelled' : 'failed'),
      );
      return { size, stream: counted };
    },
  };
}

function cancelled(path: string): HopsError {
  return new HopsError('TRANSFER_CANCELLED', `The upload of ${path} stopped: the sender went away before the end.`);
}
