/**
 * Request bodies read as streams (file content, blocks), never buffered whole: the
 * routes that take them live in a scope that passes any body through untouched, and
 * read it with an idle deadline instead of the server-wide body deadline.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HopsError } from '../../protocol/errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads its body as a stream, for as long as bytes keep coming (see `server.ts`). */
    streamsBody?: boolean;
  }
}

/** Route options of a streaming route: no body limit (the stream is the limit) and no body deadline. */
export const streamingRoute = { bodyLimit: Number.MAX_SAFE_INTEGER, config: { streamsBody: true } } as const;

/** Makes `scope` hand every body to its routes unread; its routes check the content type themselves. */
export function passBodiesThrough(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
}

/**
 * The request body, chunk by chunk. Waiting more than `idleMs` for the next chunk, or
 * the connection closing before the body ends, is `UPLOAD_INCOMPLETE`; time spent by
 * the consumer between chunks (backpressure) does not count.
 */
export async function* streamedBody(request: FastifyRequest, idleMs: number, what: string): AsyncGenerator<Buffer> {
  const raw = request.raw;
  const chunks = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let ended = false;
  try {
    for (;;) {
      const timer = setTimeout(() => raw.destroy(new HopsError('UPLOAD_INCOMPLETE', `${what}: no bytes arrived for ${idleMs / 1000} s.`)), idleMs);
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (err) {
        if (err instanceof HopsError) throw err;
        throw new HopsError('UPLOAD_INCOMPLETE', `${what}: the connection closed before the body ended (${(err as Error).message}).`, { cause: err });
      } finally {
        clearTimeout(timer);
      }
      if (next.done === true) {
        ended = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // A consumer that stopped early (or a failure) leaves the rest unread: drop the request.
    if (!ended) await chunks.return?.();
  }
}
