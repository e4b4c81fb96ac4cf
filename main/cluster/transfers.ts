/**
 * File content to and from the cluster filesystem, streamed through the head's client API
 * (and so through the SSH tunnel): never held in memory whole, with progress as bytes go,
 * and a download written aside and renamed so an interrupted one leaves no half file.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { HopsError, type WireError } from '../../protocol/errors.ts';
import { fsRoutes, type FileStat } from '../../protocol/fs.ts';
import type { AgentEndpoint } from './agent-client.ts';

export type Progress = (bytesDone: number, bytesTotal: number | undefined) => void;

export interface UploadOptions {
  overwrite?: boolean;
  blockSize?: number;
  replication?: number;
}

/** Uploads `localFile` to `path`; resolves with the file as the head recorded it. */
export async function uploadFile(endpoint: AgentEndpoint, path: string, localFile: string, options: UploadOptions, onProgress: Progress): Promise<FileStat> {
  const size = await localSize(localFile);
  const query = new URLSearchParams({ path });
  if (options.overwrite) query.set('overwrite', 'true');
  if (options.blockSize !== undefined) query.set('blockSize', String(options.blockSize));
  if (options.replication !== undefined) query.set('replication', String(options.replication));
  const request = http.request(`${endpoint.baseUrl}${fsRoutes.content}?${query}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${endpoint.token}`, 'content-type': 'application/octet-stream', 'content-length': size },
  });
  const answer = responseOf(request).catch((err: Error) => unreachable(endpoint, err));
  // A refusal (403, 409) may come while bytes still flow and end the stream early: the
  // head's answer, when there is one, says more than the broken pipe.
  const sent = await pipeline(createReadStream(localFile, { highWaterMark: 1024 * 1024 }), counter(size, onProgress), request).then(
    () => undefined,
    (err: Error) => err,
  );
  const result = await answer;
  if (result instanceof HopsError) throw result;
  if (result.status >= 300) throw wireError(result.status, result.body, path);
  if (sent !== undefined) throw unreachable(endpoint, sent);
  return JSON.parse(result.body) as FileStat;
}

/** Downloads `path` into `localFile` (replacing it only once complete); resolves with the byte count. */
export async function downloadFile(endpoint: AgentEndpoint, path: string, localFile: string, onProgress: Progress): Promise<number> {
  const request = http.request(`${endpoint.baseUrl}${fsRoutes.content}?${new URLSearchParams({ path })}`, {
    headers: { authorization: `Bearer ${endpoint.token}` },
  });
  request.end();
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', (err) => reject(unreachable(endpoint, err)));
  });
  if ((response.statusCode ?? 500) >= 300) {
    let body = '';
    for await (const chunk of response) body += String(chunk);
    throw wireError(response.statusCode ?? 500, body, path);
  }
  const total = Number(response.headers['content-length']);
  const partial = `${localFile}.hopsdesk-partial`;
  let done = 0;
  try {
    await pipeline(response, counter(Number.isFinite(total) ? total : undefined, (bytes) => {
      done = bytes;
      onProgress(bytes, Number.isFinite(total) ? total : undefined);
    }), createWriteStream(partial, { mode: 0o644 }));
    if (Number.isFinite(total) && done !== total) {
      throw new HopsError('AGENT_UNREACHABLE', `The download of ${path} ended after ${done} of ${total} bytes.`, { hint: 'Run the command again.' });
    }
    await rename(partial, localFile);
    return done;
  } catch (err) {
    await rm(partial, { force: true });
    throw err instanceof HopsError ? err : new HopsError('AGENT_UNREACHABLE', `The download of ${path} was cut: ${(err as Error).message}.`, { hint: 'Run the command again.', cause: err });
  }
}

async function localSize(file: string): Promise<number> {
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new HopsError('VALIDATION', `Cannot read ${file}: ${err.code ?? err.message}.`, { field: '/localFile' });
  });
  if (!info.isFile()) throw new HopsError('VALIDATION', `${file} is not a regular file.`, { field: '/localFile', hint: 'Give a file; folders are uploaded file by file.' });
  return info.size;
}

/** Passes bytes through, reporting the running count at most every 100 ms and at the end. */
function counter(total: number | undefined, onProgress: Progress): Transform {
  let done = 0;
  let lastMs = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      done += chunk.length;
      const now = Date.now();
      if (now - lastMs >= 100) {
        lastMs = now;
        onProgress(done, total);
      }
      callback(null, chunk);
    },
    flush(callback) {
      onProgress(done, total);
      callback();
    },
  });
}

function responseOf(request: http.ClientRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request.once('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 500, body }));
      response.on('error', reject);
    });
    request.once('error', reject);
  });
}

function wireError(status: number, body: string, path: string): HopsError {
  try {
    const wire = JSON.parse(body) as Partial<WireError>;
    if (typeof wire.code === 'string' && typeof wire.message === 'string') {
      return HopsError.fromWire({ code: wire.code, message: wire.message, hint: wire.hint ?? '', ...(wire.field === undefined ? {} : { field: wire.field }) } as WireError);
    }
  } catch {
    // Not one of ours; the status says enough.
  }
  return new HopsError('AGENT_UNREACHABLE', `The head answered ${status} for ${path}.`);
}

function unreachable(endpoint: AgentEndpoint, err: Error): HopsError {
  return new HopsError('AGENT_UNREACHABLE', `Cannot reach the head at ${endpoint.baseUrl}: ${err.message}.`, { cause: err });
}
