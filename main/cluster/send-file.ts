/**
 * Sends a byte range of a local file as a request's body, reading it into two buffers
 * taken in turn. A buffer is read into again only once the request has written it out
 * (its write callback), so a byte is never changed while it may still be waiting to go.
 *
 * Why not `createReadStream(…).pipe(request)`: a read stream allocates a fresh buffer for
 * every read, and for a GiB that is a thousand 1 MiB buffers for the garbage collector and
 * fresh pages for the kernel to fault in: about 30% of the desktop's CPU during an upload.
 */
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';

const bufferBytes = 1024 * 1024;

/**
 * Writes bytes `[start, end)` of `localFile` to `body` and ends it; `onBytes` is told each
 * time a piece has been written (the file position reached). Rejects if the file cannot
 * be read, ends early, or `body` fails or closes first.
 */
export async function sendFileRange(localFile: string, start: number, end: number, body: Writable, onBytes: (position: number) => void): Promise<void> {
  const closed = new Promise<never>((_, reject) => {
    const early = (err?: Error) => reject(err ?? new Error('The connection closed before the file was sent.'));
    body.once('error', early);
    body.once('close', () => early());
  });
  closed.catch(() => undefined);
  const handle = await open(localFile, 'r');
  try {
    const buffers = [Buffer.allocUnsafeSlow(bufferBytes), Buffer.allocUnsafeSlow(bufferBytes)];
    const written: Array<Promise<void> | undefined> = [undefined, undefined];
    let position = start;
    for (let turn = 0; position < end; turn = 1 - turn) {
      await Promise.race([written[turn], closed]);
      const buffer = buffers[turn]!;
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, end - position), position);
      if (bytesRead === 0) throw new Error(`${localFile} ended at byte ${position}, before the ${end} bytes to send: was it changed meanwhile?`);
      const reached = (position += bytesRead);
      written[turn] = new Promise<void>((resolve, reject) =>
        body.write(buffer.subarray(0, bytesRead), (err) => {
          if (err) return reject(err);
          onBytes(reached);
          resolve();
        }),
      );
      written[turn]!.catch(() => undefined);
    }
    await Promise.race([Promise.all(written), closed]);
    await Promise.race([new Promise<void>((resolve) => body.end(resolve)), closed]);
  } finally {
    await handle.close();
  }
}
