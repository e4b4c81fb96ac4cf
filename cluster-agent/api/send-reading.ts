/**
 * Sends file or block content read from disk as a reply, telling the reader of each chunk
 * once it has been written out, so the buffer it came in is read into again
 * (blocks/read-buffers.ts). fastify sends a stream by piping it, which never says when a
 * chunk has left.
 *
 * A failure before the first byte is an error reply as any other; after it, the
 * connection ends short of its content-length, which the reader on the other end takes
 * as a broken transfer (the desktop and the head resume; staging takes another replica).
 */
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

export async function sendReading(reply: FastifyReply, stream: Readable, length: number, written: (chunk: Uint8Array) => void): Promise<void> {
  const headers = { 'content-length': length, 'content-type': 'application/octet-stream' };
  const chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await chunks.next();
  reply.hijack();
  const response = reply.raw;
  const closed = new Promise<void>((resolve) => response.once('close', resolve));
  // A client gone stops the reading at once, however long the next chunk would take.
  void closed.then(() => stream.destroy());
  response.writeHead(200, headers);
  try {
    for (let next = first; next.done !== true; next = await chunks.next()) {
      const chunk = next.value;
      if (response.destroyed) break;
      if (!response.write(chunk, () => written(chunk))) await Promise.race([once(response, 'drain'), closed]);
    }
    if (!response.destroyed) response.end();
  } catch (err) {
    response.destroy(err as Error);
  }
}
