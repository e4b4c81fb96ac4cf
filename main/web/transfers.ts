/**
 * Web mode's file routes. A browser has no local paths for the core to read, so its
 * uploads stream here and on to the head as they arrive (no size limit but the stream
 * itself), and its downloads stream from the head as attachments. The server's hook has
 * checked the token and Host already; an upload must also come from our own pages
 * (Origin), a download from our own pages or the user's own navigation (Sec-Fetch-Site).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HopsError, toWireError } from '../../protocol/errors.ts';
import { fsPathProblem } from '../../protocol/fs.ts';
import { limits } from '../../protocol/limits.ts';
import { webTransferRoutes as transferRoutes } from '../../protocol/web-transfers.ts';
import type { StreamTransfers } from '../cluster/stream-transfers.ts';
import { originAllowed } from './auth.ts';


const clusterName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const transferIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export interface TransferQuery {
  cluster?: string;
  path: string;
  transferId: string;
  overwrite: boolean;
}

/** Checks a route's query string; a bad value is a VALIDATION error naming it. */
export function parseTransferQuery(query: unknown): TransferQuery {
  const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const text = (key: string): string | undefined => {
    const value = q[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new HopsError('VALIDATION', `Give ${key} once.`, { field: `/${key}` });
    return value;
  };
  for (const key of Object.keys(q)) {
    if (!['cluster', 'path', 'transferId', 'overwrite'].includes(key)) throw new HopsError('VALIDATION', `Unknown query parameter ${key}.`, { field: `/${key}` });
  }
  const path = text('path');
  if (path === undefined) throw new HopsError('VALIDATION', 'The path of the file is missing.', { field: '/path' });
  const problem = fsPathProblem(path);
  if (problem !== undefined) throw new HopsError('PATH_INVALID', problem.message, { field: '/path' });
  const cluster = text('cluster');
  if (cluster !== undefined && (cluster.length > limits.maxNameLength || !clusterName.test(cluster))) {
    throw new HopsError('VALIDATION', `${JSON.stringify(cluster.slice(0, 80))} is not a cluster name.`, { field: '/cluster' });
  }
  const transferId = text('transferId') ?? randomUUID().replaceAll('-', '');
  if (!transferIdPattern.test(transferId)) throw new HopsError('VALIDATION', 'A transfer id is 1–64 letters, digits, "_" or "-".', { field: '/transferId' });
  const overwrite = text('overwrite');
  if (overwrite !== undefined && overwrite !== 'true' && overwrite !== 'false') throw new HopsError('VALIDATION', 'overwrite is true or false.', { field: '/overwrite' });
  return { ...(cluster === undefined ? {} : { cluster }), path, transferId, overwrite: overwrite === 'true' };
}

/** `attachment` with the file's name, ASCII-safe and in full UTF-8 (RFC 6266 / 5987). */
export function attachmentHeader(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** A download may be fetched by our pages or by a navigation the user made, not by another site. */
export function downloadAllowed(headers: { origin?: string | undefined; 'sec-fetch-site'?: string | string[] | undefined }, port: number): boolean {
  if (headers.origin !== undefined && !originAllowed(headers.origin, port)) return false;
  const site = headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}

function fail(reply: FastifyReply, err: unknown) {
  const wire = toWireError(err);
  const status = err instanceof HopsError ? err.status : 500;
  return reply.code(status).type('application/json').send(wire);
}

/** Adds the two routes to the web app, in a scope whose bodies reach them unread. */
export function registerTransferRoutes(app: FastifyInstance, transfers: StreamTransfers, port: () => number): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    scope.put(transferRoutes.upload, { bodyLimit: Number.MAX_SAFE_INTEGER }, async (request: FastifyRequest, reply) => {
      try {
        if (!originAllowed(request.headers.origin, port())) throw new HopsError('FORBIDDEN_ORIGIN', 'Uploads are accepted only from Hopsdesk pages.');
        const type = request.headers['content-type'];
        if (type !== undefined && !/^application\/octet-stream\s*(;|$)/i.test(type)) {
          throw new HopsError('VALIDATION', `File content must be sent as application/octet-stream, not ${type}.`);
        }
        const query = parseTransferQuery(request.query);
        const length = Number(request.headers['content-length']);
        const stat = await transfers.upload(
          {
            ...(query.cluster === undefined ? {} : { cluster: query.cluster }),
            path: query.path,
            transferId: query.transferId,
            overwrite: query.overwrite,
            ...(Number.isSafeInteger(length) && length >= 0 ? { contentLength: length } : {}),
          },
          request.raw,
        );
        return reply.type('application/json').send(stat);
      } catch (err) {
        // The body may still be arriving; without it read, the browser would wait for it.
        if (!request.raw.complete) reply.header('connection', 'close');
        return fail(reply, err);
      }
    });

    scope.get(transferRoutes.download, async (request, reply) => {
      try {
        if (!downloadAllowed(request.headers, port())) throw new HopsError('FORBIDDEN_ORIGIN', 'Downloads are served only to Hopsdesk pages.');
        const query = parseTransferQuery(request.query);
        const opened = await transfers.download({ ...(query.cluster === undefined ? {} : { cluster: query.cluster }), path: query.path, transferId: query.transferId });
        reply.header('content-disposition', attachmentHeader(query.path.slice(query.path.lastIndexOf('/') + 1)));
        reply.header('cache-control', 'no-store');
        if (opened.size !== null) reply.header('content-length', opened.size);
        return reply.type('application/octet-stream').send(opened.stream);
      } catch (err) {
        return fail(reply, err);
      }
    });
  });
}
