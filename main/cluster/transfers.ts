/**
 * File content to and from the cluster filesystem, streamed through the head's client API
 * (through the SSH tunnel, or beside it where the desktop holds the cluster CA:
 * `direct-content.ts`), never held in memory whole, and resumed when the link drops.
 *
 * An upload is an upload session on the head: bytes are appended from the session's
 * `committedBytes`, and the file appears only once completed. A download is written
 * aside (`<file>.hopsdesk-partial`) and renamed once whole; it goes on with a range read
 * from the bytes it already has. When the link drops (the tunnel or the agent connection
 * fails, or no byte moves for `stallMs`), a transfer waits for the cluster connection to
 * come back — it redials by itself — asks where to go on and resumes; after
 * `resumeWithinMs` without getting anywhere it gives up with `TRANSFER_LINK_LOST`.
 *
 * Every transfer has an id; `transfer.progress` events carry it with the state, and
 * `cancel(id)` stops it: an upload's session is dropped on the head, a download's
 * partial file removed.
 */
import { rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { EventPayload, TransferState } from '../../protocol/desktop-api.ts';
import { HopsError, type ErrorCode } from '../../protocol/errors.ts';
import { fsRoutes, type FileStat, type UploadSession } from '../../protocol/fs.ts';
import type { AgentEndpoint } from './agent-client.ts';
import { contentConnection, contentRequest } from './direct-content.ts';
import { LocalWriteError, receiveFile } from './receive-file.ts';
import { responseOf, unreachable, wireError } from './head-http.ts';
import { sendFileRange } from './send-file.ts';
import type { ClusterConnection } from './connection.ts';

export type TransferEvent = EventPayload<'transfer.progress'>;

/** How a transfer reaches the head, now and after the link came back. */
export interface HeadLink {
  /** The head's endpoint once the cluster is connected; rejects after `withinMs` or when `signal` aborts. */
  endpoint(withinMs: number, signal: AbortSignal): Promise<AgentEndpoint>;
}

export interface TransferSettings {
  /** How long a dropped transfer waits for the link to come back and work again. */
  resumeWithinMs: number;
  /** No byte moving for this long counts as a dropped link. */
  stallMs: number;
}

export const transferDefaults: TransferSettings = { resumeWithinMs: 5 * 60_000, stallMs: 20_000 };

export interface UploadOptions {
  overwrite?: boolean;
  blockSize?: number;
  replication?: number;
}

export interface UploadRequest extends UploadOptions {
  path: string;
  localFile: string;
  transferId?: string;
}

export interface DownloadRequest {
  path: string;
  localFile: string;
  transferId?: string;
}

export type Progress = (bytesDone: number, bytesTotal: number | undefined) => void;

/** Errors after which a transfer waits for the link and goes on, rather than failing. */
const resumable = new Set<ErrorCode>(['AGENT_UNREACHABLE', 'UPLOAD_INCOMPLETE', 'NOT_ENOUGH_WORKERS', 'BLOCK_WRITE_FAILED', 'DATA_UNAVAILABLE', 'BLOCK_CORRUPT', 'SAFE_MODE']);

/** Small JSON calls (open, status, complete) must answer within this. */
const callTimeoutMs = 15_000;

/** Most bytes `readRange` returns at once. */
export const maxRangeBytes = 64 * 1024 * 1024;

/** A link to a fixed endpoint: nothing to wait for. */
export function fixedLink(endpoint: AgentEndpoint): HeadLink {
  return { endpoint: async () => endpoint };
}

/** A link through a cluster connection: waits, polling, until it says connected again. */
export function connectionLink(connection: ClusterConnection): HeadLink {
  return {
    async endpoint(withinMs, signal) {
      const deadline = Date.now() + withinMs;
      for (;;) {
        if (signal.aborted) throw cancelled();
        if (connection.connection.state === 'connected') return connection.client().endpoint;
        if (Date.now() >= deadline) throw new HopsError('AGENT_UNREACHABLE', `The cluster is ${connection.connection.state}: ${connection.connection.detail}.`);
        await delay(250, signal);
      }
    },
  };
}

/** The transfers this core runs, by id, so they can be cancelled. */
export class Transfers {
  private readonly emit: (event: TransferEvent) => void;
  private readonly settings: TransferSettings;
  private readonly running = new Map<string, AbortController>();

  constructor(emit: (event: TransferEvent) => void, settings: TransferSettings = transferDefaults) {
    this.emit = emit;
    this.settings = settings;
  }

  /** Uploads `request.localFile` to `request.path` through an upload session; resolves with the file once complete. */
  async upload(link: HeadLink, request: UploadRequest): Promise<FileStat> {
    const size = await localSize(request.localFile);
    const run = this.begin(request.transferId, { direction: 'upload', path: request.path, localFile: request.localFile, bytesTotal: size });
    let session: UploadSession | undefined;
    let endpoint: AgentEndpoint | undefined;
    try {
      endpoint = await link.endpoint(0, run.signal);
      const created = await this.resuming(run, link, endpoint, async (at) => {
        endpoint = at;
        return callHead<UploadSession>(at, 'POST', fsRoutes.uploads, run.signal, {
          path: request.path,
          size,
          ...(request.overwrite === undefined ? {} : { overwrite: request.overwrite }),
          ...(request.blockSize === undefined ? {} : { blockSize: request.blockSize }),
          ...(request.replication === undefined ? {} : { replication: request.replication }),
        });
      });
      session = created;
      const route = fsRoutes.upload.replace(':uploadId', created.uploadId);
      let committed = 0;
      // Sends from `committed`; after a drop, the head says where it got to.
      while (committed < size) {
        committed = await this.resuming(
          run,
          link,
          endpoint,
          async (at) => {
            endpoint = at;
            try {
              const reply = await appendFile(at, route, request.localFile, committed, size, this.settings.stallMs, run);
              return reply.committedBytes;
            } catch (err) {
              // An append cut off with its link may still land a block after the head told
              // us where it stood (its commits overlap the next block's bytes): ask again.
              if (!(err instanceof HopsError) || err.code !== 'UPLOAD_OFFSET_MISMATCH') throw err;
              const status = await callHead<UploadSession>(at, 'GET', route, run.signal);
              run.report('running', status.committedBytes);
              return status.committedBytes;
            }
          },
          async (at) => {
            const status = await callHead<UploadSession>(at, 'GET', route, run.signal);
            committed = status.committedBytes;
            return committed;
          },
        );
      }
      const stat = await this.resuming(run, link, endpoint, (at) => completeUpload(at, route, request.path, size, run.signal));
      run.finish('done', size);
      return stat;
    } catch (err) {
      const wasCancelled = run.signal.aborted;
      if (session !== undefined && endpoint !== undefined) {
        // Nothing of a cancelled or failed upload is kept; unreachable now, the session expires by itself.
        await callHead(endpoint, 'DELETE', fsRoutes.upload.replace(':uploadId', session.uploadId), AbortSignal.timeout(5000)).catch(() => undefined);
      }
      run.finish(wasCancelled ? 'cancelled' : 'failed');
      throw wasCancelled ? cancelled(request.path) : err;
    }
  }

  /** Downloads `request.path` into `request.localFile` (replacing it only once whole); resolves with the byte count. */
  async download(link: HeadLink, request: DownloadRequest): Promise<number> {
    const run = this.begin(request.transferId, { direction: 'download', path: request.path, localFile: request.localFile, bytesTotal: null });
    const partial = `${request.localFile}.hopsdesk-partial`;
    try {
      const endpoint = await link.endpoint(0, run.signal);
      const first = await this.resuming(run, link, endpoint, (at) => statFile(at, request.path, run.signal));
      run.total = first.size;
      await writeFile(partial, '', { mode: 0o644 });
      let done = 0;
      while (done < first.size) {
        done = await this.resuming(
          run,
          link,
          endpoint,
          (at) => readInto(at, request.path, partial, done, this.settings.stallMs, run),
          async (at) => {
            // The file must be the one the bytes so far came from.
            const now = await statFile(at, request.path, run.signal);
            if (now.size !== first.size || now.mtimeMs !== first.mtimeMs) {
              throw new HopsError('VALIDATION', `${request.path} changed on the cluster during the download.`, { hint: 'Download it again.' });
            }
            // Only whole blocks are kept: the head checks a block's digest once all of it passed.
            const kept = (await stat(partial)).size;
            done = first.blockSize > 0 ? kept - (kept % first.blockSize) : 0;
            await truncate(partial, done);
            return done;
          },
        );
      }
      await rename(partial, request.localFile);
      run.finish('done', done);
      return done;
    } catch (err) {
      await rm(partial, { force: true });
      const wasCancelled = run.signal.aborted;
      run.finish(wasCancelled ? 'cancelled' : 'failed');
      throw wasCancelled ? cancelled(request.path) : err;
    }
  }

  /** Stops a running transfer; `TRANSFER_NOT_FOUND` when none has that id. */
  cancel(transferId: string): void {
    const controller = this.running.get(transferId);
    if (controller === undefined) throw new HopsError('TRANSFER_NOT_FOUND', `No transfer ${transferId} is running.`);
    controller.abort();
  }

  private begin(transferId: string | undefined, base: Omit<TransferEvent, 'transferId' | 'bytesDone' | 'state'>): TransferRun {
    const id = transferId ?? randomUUID();
    if (this.running.has(id)) throw new HopsError('VALIDATION', `A transfer ${id} is already running.`, { field: '/transferId' });
    const controller = new AbortController();
    this.running.set(id, controller);
    const run = new TransferRun(id, base, controller.signal, this.emit, () => this.running.delete(id));
    run.report('running', 0);
    return run;
  }

  /**
   * Runs `step` against the head; when the link drops, waits for it, asks `where` the
   * transfer stands (reported as the resumed position) and runs `step` again, until it
   * works or `resumeWithinMs` passed without success.
   */
  private async resuming<T>(
    run: TransferRun,
    link: HeadLink,
    first: AgentEndpoint,
    step: (endpoint: AgentEndpoint) => Promise<T>,
    where?: (endpoint: AgentEndpoint) => Promise<number>,
  ): Promise<T> {
    let endpoint = first;
    // The time allowed runs from the first drop, and starts over once bytes moved again.
    let droppedAtMs = 0;
    let doneAtDrop = -1;
    // Failures in a row without getting further: the cluster is back but not ready (a worker
    // still unreachable, safe mode), so each try waits longer rather than resending at once.
    let fruitless = 0;
    for (;;) {
      try {
        return await step(endpoint);
      } catch (err) {
        if (run.signal.aborted) throw err;
        if (!(err instanceof HopsError) || !resumable.has(err.code)) throw err;
        if (run.done > doneAtDrop) {
          droppedAtMs = Date.now();
          doneAtDrop = run.done;
          fruitless = 0;
        } else {
          fruitless += 1;
        }
        run.report('retrying', run.done, err.message);
        if (fruitless > 0) await delay(Math.min(10_000, 500 * 2 ** fruitless), run.signal);
        for (let attempt = 0; ; attempt += 1) {
          const left = droppedAtMs + this.settings.resumeWithinMs - Date.now();
          if (left <= 0) {
            throw new HopsError(
              'TRANSFER_LINK_LOST',
              `The link to the head dropped during the ${run.base.direction} of ${run.base.path} (${run.done} of ${run.total ?? '?'} bytes) and did not come back within ${Math.round(this.settings.resumeWithinMs / 1000)} s: ${(err as Error).message}`,
            );
          }
          try {
            endpoint = await link.endpoint(left, run.signal);
            if (where !== undefined) run.report('running', await where(endpoint));
            else run.report('running', run.done);
            break;
          } catch (probe) {
            if (run.signal.aborted) throw probe;
            if (probe instanceof HopsError && !resumable.has(probe.code)) throw probe;
            await delay(Math.min(5000, 500 * 2 ** attempt), run.signal);
          }
        }
      }
    }
  }
}

/** One transfer's identity and progress reports. */
class TransferRun {
  readonly id: string;
  readonly base: Omit<TransferEvent, 'transferId' | 'bytesDone' | 'state'>;
  readonly signal: AbortSignal;
  total: number | null;
  done = 0;
  private readonly emit: (event: TransferEvent) => void;
  private readonly ended: () => void;
  private lastMs = 0;

  constructor(id: string, base: TransferRun['base'], signal: AbortSignal, emit: (event: TransferEvent) => void, ended: () => void) {
    this.id = id;
    this.base = base;
    this.total = base.bytesTotal;
    this.signal = signal;
    this.emit = emit;
    this.ended = ended;
  }

  /** Bytes moved so far, at most one event every 100 ms. */
  progress(bytesDone: number): void {
    this.done = bytesDone;
    const now = Date.now();
    if (now - this.lastMs < 100) return;
    this.lastMs = now;
    this.report('running', bytesDone);
  }

  report(state: TransferState, bytesDone: number, reason?: string): void {
    this.done = bytesDone;
    this.emit({ ...this.base, bytesTotal: this.total, transferId: this.id, state, bytesDone, ...(reason === undefined ? {} : { reason: reason.slice(0, 1000) }) });
  }

  finish(state: 'done' | 'failed' | 'cancelled', bytesDone = this.done): void {
    this.ended();
    this.report(state, bytesDone);
  }
}

// Uploads.

/** Sends `localFile` from `offset` as one append; resolves with the session as the head then has it. */
async function appendFile(endpoint: AgentEndpoint, route: string, localFile: string, offset: number, size: number, stallMs: number, run: TransferRun): Promise<UploadSession> {
  const { request, where } = await contentRequest(endpoint, {
    method: 'PUT',
    path: `${route}?offset=${offset}`,
    signal: run.signal,
    headers: { 'content-type': 'application/octet-stream', 'content-length': size - offset },
  });
  // Failures surface through the pipeline and the answer below; none may go unheard.
  request.on('error', () => undefined);
  const watch = stallWatch(stallMs, (why) => request.destroy(why));
  const answer = responseOf(request).catch((err: Error) => err);
  // A refusal (403, 507) may come while bytes still flow and end the stream early: the
  // head's answer, when there is one, says more than the broken pipe.
  const sent = await sendFileRange(localFile, offset, size, request, (bytes) => (watch.moved(), run.progress(bytes))).then(
    () => undefined,
    (err: Error) => err,
  );
  try {
    const result = await answer;
    if (result instanceof Error) throw unreachable(endpoint, sent ?? result, where);
    if (result.status >= 300) throw wireError(result.status, result.body, route);
    return JSON.parse(result.body) as UploadSession;
  } finally {
    watch.stop();
  }
}

/** Completes the session at `route`; a completion whose answer was lost is recognized by the file it made. */
async function completeUpload(endpoint: AgentEndpoint, route: string, path: string, size: number, signal: AbortSignal): Promise<FileStat> {
  try {
    return await callHead<FileStat>(endpoint, 'POST', `${route}/complete`, signal);
  } catch (err) {
    if (!(err instanceof HopsError) || err.code !== 'UPLOAD_NOT_FOUND') throw err;
    const file = await statFile(endpoint, path, signal).catch(() => undefined);
    if (file?.size === size) return file;
    throw err;
  }
}

// Downloads.

/** Writes the bytes of `path` from `offset` into `partial` at that offset; resolves with the position reached. */
async function readInto(endpoint: AgentEndpoint, path: string, partial: string, offset: number, stallMs: number, run: TransferRun): Promise<number> {
  let where = endpoint.baseUrl;
  let socket: Socket | undefined;
  const watch = stallWatch(stallMs, (why) => socket?.destroy(why));
  try {
    const received = await receiveFile({
      connect: async (onread) => {
        const connection = await contentConnection(endpoint, onread, run.signal);
        ({ socket, where } = connection);
        return connection;
      },
      target: `${fsRoutes.content}?${new URLSearchParams({ path, offset: String(offset) })}`,
      headers: { authorization: `Bearer ${endpoint.token}` },
      localFile: partial,
      offset,
      onBytes: (position) => run.progress(position),
      onRead: watch.moved,
      signal: run.signal,
    }).catch((err: Error) => {
      throw err instanceof LocalWriteError || run.signal.aborted ? err : unreachable(endpoint, err, where);
    });
    if (!received.ok) throw wireError(received.status, received.body, path);
    return offset + received.length;
  } finally {
    watch.stop();
  }
}

/**
 * Up to `length` bytes of the file at `path` from `offset`, or its last `lastBytes`:
 * for a preview's first or last bytes, without reading the rest. At most 64 MiB.
 */
export async function readRange(
  endpoint: AgentEndpoint,
  path: string,
  range: { offset: number; length: number } | { lastBytes: number },
  signal: AbortSignal = AbortSignal.timeout(60_000),
): Promise<{ bytes: Buffer; offset: number; fileSize: number }> {
  const wanted = 'lastBytes' in range ? range.lastBytes : range.length;
  if (!Number.isInteger(wanted) || wanted < 0 || wanted > maxRangeBytes) {
    throw new HopsError('VALIDATION', `A range read takes 0 to ${maxRangeBytes} bytes, not ${wanted}.`, { field: '/length' });
  }
  const fileSize = (await statFile(endpoint, path, signal)).size;
  const offset = 'lastBytes' in range ? Math.max(0, fileSize - range.lastBytes) : range.offset;
  const query = new URLSearchParams({ path, offset: String(offset), length: String(wanted) });
  let response: Response;
  try {
    response = await fetch(`${endpoint.baseUrl}${fsRoutes.content}?${query}`, { headers: { authorization: `Bearer ${endpoint.token}` }, signal });
  } catch (err) {
    throw unreachable(endpoint, err as Error);
  }
  if (!response.ok) throw wireError(response.status, await response.text(), path);
  return { bytes: Buffer.from(await response.arrayBuffer()), offset, fileSize };
}

/** Uploads `localFile` to `path` at a fixed endpoint, resuming while that endpoint answers again. */
export async function uploadFile(endpoint: AgentEndpoint, path: string, localFile: string, options: UploadOptions, onProgress: Progress): Promise<FileStat> {
  const transfers = new Transfers((event) => onProgress(event.bytesDone, event.bytesTotal ?? undefined));
  return transfers.upload(fixedLink(endpoint), { path, localFile, ...options });
}

/** Downloads `path` into `localFile` from a fixed endpoint (replacing it only once whole); resolves with the byte count. */
export async function downloadFile(endpoint: AgentEndpoint, path: string, localFile: string, onProgress: Progress): Promise<number> {
  const transfers = new Transfers((event) => onProgress(event.bytesDone, event.bytesTotal ?? undefined));
  return transfers.download(fixedLink(endpoint), { path, localFile });
}

// Plumbing.

async function statFile(endpoint: AgentEndpoint, path: string, signal: AbortSignal): Promise<FileStat> {
  const file = await callHead<FileStat>(endpoint, 'GET', `${fsRoutes.stat}?${new URLSearchParams({ path })}`, signal);
  if (file.type !== 'file') throw new HopsError('NOT_A_FILE', `${path} is a directory.`);
  return file;
}

/** A JSON call to the head; transport failures are `AGENT_UNREACHABLE`, the head's refusals keep their code. */
async function callHead<T>(endpoint: AgentEndpoint, method: string, route: string, signal: AbortSignal, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${endpoint.baseUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${endpoint.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(callTimeoutMs)]),
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw unreachable(endpoint, err as Error);
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) throw wireError(response.status, text, route);
  return JSON.parse(text) as T;
}

async function localSize(file: string): Promise<number> {
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new HopsError('VALIDATION', `Cannot read ${file}: ${err.code ?? err.message}.`, { field: '/localFile' });
  });
  if (!info.isFile()) throw new HopsError('VALIDATION', `${file} is not a regular file.`, { field: '/localFile', hint: 'Give a file; folders are uploaded file by file.' });
  return info.size;
}

/** Calls `onStall` when `moved` was not called for `stallMs`. */
function stallWatch(stallMs: number, onStall: (why: Error) => void): { moved: () => void; stop: () => void } {
  let lastMs = Date.now();
  const timer = setInterval(() => {
    if (Date.now() - lastMs > stallMs) onStall(new Error(`no byte moved for ${Math.round(stallMs / 1000)} s`));
  }, Math.min(1000, stallMs));
  timer.unref();
  return { moved: () => (lastMs = Date.now()), stop: () => clearInterval(timer) };
}

function cancelled(path?: string): HopsError {
  return new HopsError('TRANSFER_CANCELLED', path === undefined ? 'The transfer was cancelled.' : `The transfer of ${path} was cancelled; nothing of it was kept.`);
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(cancelled());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
