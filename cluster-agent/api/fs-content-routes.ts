/**
 * The head's routes that carry file content in bulk: an upload session's append
 * (`PUT fsRoutes.upload`), a whole file in one request (`PUT fsRoutes.content`, what a
 * stream with no way back uses: web mode's uploads) and a file's bytes
 * (`GET fsRoutes.content`). All take a user's token and check it like every filesystem
 * route.
 *
 * They are declared on the client listener with the rest of the filesystem routes, and
 * also on the cluster listener, where a desktop holding a certificate of the cluster CA
 * reaches them directly instead of through its SSH tunnel (`server.ts`,
 * docs/decisions.md): the bytes are the same, the path is cheaper.
 *
 * A body is file content, streamed: no body limit, an idle deadline instead. A newer
 * append to the same session stops this one's request; a whole file's upload that fails
 * keeps nothing of it.
 */
import type { FastifyInstance } from 'fastify';
import { HopsError } from '../../protocol/errors.ts';
import { AppendQuery, ContentQuery, PutQuery, UploadParams, fsRoutes, type FileStat, type UploadSession } from '../../protocol/fs.ts';
import type { FileTransfers } from '../head/file-transfers.ts';
import type { UploadSessions } from '../head/upload-sessions.ts';
import { callerOf, type TokenKind } from './auth.ts';
import { sendReading } from './send-reading.ts';
import { passBodiesThrough, streamedBody, streamingRoute } from './streamed-body.ts';

export interface ContentServices {
  transfers: Pick<FileTransfers, 'download' | 'upload'>;
  sessions: Pick<UploadSessions, 'append'>;
}

type Protect = (url: string, kind: TokenKind) => string;

/** How long an append waits for the client's next bytes. */
export const clientIdleMs = 60_000;

/** The routes here as `METHOD url`, for the cluster listener to tell them from the agents' routes. */
export const contentRouteKeys: ReadonlySet<string> = new Set([`PUT ${fsRoutes.upload}`, `PUT ${fsRoutes.content}`, `GET ${fsRoutes.content}`]);

/** Checks that a body is file content. */
export function requireOctetStream(type: string | undefined): void {
  if (type !== undefined && !/^application\/octet-stream\s*(;|$)/i.test(type)) {
    throw new HopsError('VALIDATION', `File content must be sent as application/octet-stream, not ${type}.`);
  }
}

/** Declares the content routes, backed by the head's services. */
export function headContentRoutes(app: FastifyInstance, services: ContentServices, protect: Protect): void {
  const { transfers, sessions } = services;
  app.get<{ Querystring: ContentQuery }>(protect(fsRoutes.content, 'client'), { schema: { querystring: ContentQuery } }, async (request, reply) => {
    const { path, offset, length } = request.query;
    const download = await transfers.download(callerOf(request), path, { offset, length });
    await sendReading(reply, download.stream, download.length, download.written);
  });
  app.register(async (scope) => {
    passBodiesThrough(scope);
    scope.put<{ Params: UploadParams; Querystring: AppendQuery }>(
      protect(fsRoutes.upload, 'client'),
      { schema: { params: UploadParams, querystring: AppendQuery }, ...streamingRoute },
      async (request): Promise<UploadSession> => {
        requireOctetStream(request.headers['content-type']);
        const { uploadId } = request.params;
        return sessions.append(callerOf(request), uploadId, {
          offset: request.query.offset,
          final: request.query.final ?? false,
          chunks: streamedBody(request, clientIdleMs, `An append to upload ${uploadId}`),
          stop: () => request.raw.destroy(new HopsError('UPLOAD_INCOMPLETE', `A newer append to upload ${uploadId} took over from this one.`)),
        });
      },
    );
    scope.put<{ Querystring: PutQuery }>(
      protect(fsRoutes.content, 'client'),
      { schema: { querystring: PutQuery }, ...streamingRoute },
      async (request): Promise<FileStat> => {
        requireOctetStream(request.headers['content-type']);
        const length = request.headers['content-length'];
        const contentLength = length === undefined ? undefined : Number(length);
        const chunks = streamedBody(request, clientIdleMs, `The upload of ${request.query.path}`);
        return transfers.upload(callerOf(request), request.query, { chunks, stop: () => request.raw.destroy() }, contentLength);
      },
    );
  });
}
