/**
 * Receives the body of a GET for file content into a local file, at the file's offsets:
 * the download's half of what send-file.ts is for an upload.
 *
 * Why not `http.request` and a write stream: Node's HTTP client hands every body piece
 * over in a fresh buffer (TLS allocates one per record it decrypts, and the parser copies
 * each into another). In the desktop's process, whose heap holds the whole core, that
 * garbage costs a full collection every few dozen MiB, and set the pace of a download: a
 * bare client with such a heap took 2.3–2.5 s of CPU per 512 MiB, against 0.5–0.6 s reading
 * as here (docs/decisions.md). Here the socket
 * reads into one buffer of its own (`onread`), the body is copied from it into two 1 MiB
 * buffers taken in turn, and each is written to the file while the other fills; the socket
 * pauses while both wait on the disk.
 *
 * The request is one GET with `connection: close`; its answer's head is read here: the
 * status, a `content-length` (required; a chunked body is refused, which the head never
 * sends for content), and for a refusal its body, for the error it carries.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { OnReadOpts, Socket } from 'node:net';

export interface ReceiveRequest {
  /** Opens the connection with `onread` as its reader, once bytes may be written; `host` is for the request's header. */
  connect: (onread: OnReadOpts) => Promise<{ socket: Socket; host: string }>;
  /** Path and query, e.g. `/v1/fs/content?path=…&offset=…`. */
  target: string;
  /** The request's headers besides `host` and `connection` (authorization). */
  headers: Record<string, string>;
  /** The file written into (it must exist), and where the body's first byte goes. */
  localFile: string;
  offset: number;
  /** Told the file position reached, each time a piece has been written. */
  onBytes: (position: number) => void;
  /** Called for every read, however small: the caller's stall watch. */
  onRead?: () => void;
  signal?: AbortSignal;
}

/** Writing the local file failed: not the link's doing, so not for resuming. */
export class LocalWriteError extends Error {}

/** The answer: the whole body written (its `length` bytes), or a refusal with its status and body. */
export type Received = { ok: true; length: number } | { ok: false; status: number; body: string };

const pieceBytes = 1024 * 1024;
const readBytes = 64 * 1024;
const maxHeadBytes = 16 * 1024;
const maxRefusalBytes = 64 * 1024;
const headEnd = Buffer.from('\r\n\r\n');

/**
 * Sends the request and writes the answer's body into `localFile` from `offset`. Rejects,
 * once every write already started has ended, when the connection fails or ends before the
 * announced length: the bytes written until then are in the file, in order from `offset`.
 * A failed write rejects with a `LocalWriteError`.
 */
export async function receiveFile(request: ReceiveRequest): Promise<Received> {
  for (const [name, value] of Object.entries({ target: request.target, ...request.headers })) {
    if (/[\r\n]/.test(value)) throw new Error(`The ${name} of a content request may not hold a line break.`);
  }
  const handle = await open(request.localFile, 'r+');
  try {
    return await new Receiver(request, handle).run();
  } finally {
    await handle.close();
  }
}

/** One answer being read: its head, then its body into the file, or a refusal's body. */
class Receiver {
  private readonly request: ReceiveRequest;
  private readonly handle: FileHandle;
  private socket: Socket | undefined;
  private head = Buffer.alloc(0);
  private answer: { status: number; length: number } | undefined;
  /** A refusal's body so far. */
  private refusal = '';
  private readonly pieces = [Buffer.allocUnsafeSlow(pieceBytes), Buffer.allocUnsafeSlow(pieceBytes)];
  /** Whether each piece waits on the disk. Writes go one after another, so the file never has a hole. */
  private readonly busy = [false, false];
  private writes: Promise<void> = Promise.resolve();
  private writeFailed = false;
  private turn = 0;
  private filled = 0;
  /** Body bytes copied into the pieces so far. */
  private received = 0;
  /** Where the next piece goes in the file. */
  private position: number;
  /** Bytes read while both pieces waited on the disk, kept (copied) until one is free. */
  private waiting: Buffer[] = [];
  private outcome: { value?: Received; error?: Error } | undefined;
  private settle!: () => void;

  constructor(request: ReceiveRequest, handle: FileHandle) {
    this.request = request;
    this.handle = handle;
    this.position = request.offset;
  }

  async run(): Promise<Received> {
    const settled = new Promise<void>((resolve) => (this.settle = resolve));
    const { signal } = this.request;
    const abort = () => this.fail(signal?.reason instanceof Error ? signal.reason : new Error('The download was stopped.'));
    signal?.addEventListener('abort', abort, { once: true });
    try {
      const into = Buffer.allocUnsafeSlow(readBytes);
      const { socket, host } = await this.request.connect({ buffer: into, callback: (bytes) => (this.read(into.subarray(0, bytes)), true) });
      this.socket = socket;
      socket.on('error', (err) => this.fail(err));
      socket.on('end', () => this.ended());
      socket.on('close', () => this.ended());
      if (this.outcome === undefined) {
        const lines = Object.entries({ host, ...this.request.headers }).map(([name, value]) => `${name}: ${value}\r\n`);
        socket.write(`GET ${this.request.target} HTTP/1.1\r\n${lines.join('')}connection: close\r\n\r\n`);
      } else {
        socket.destroy();
      }
      await settled;
    } finally {
      signal?.removeEventListener('abort', abort);
      this.socket?.destroy();
    }
    await this.writes;
    if (this.outcome?.error !== undefined) throw this.outcome.error;
    return this.outcome!.value!;
  }

  private read(bytes: Buffer): void {
    if (this.outcome !== undefined) return;
    this.request.onRead?.();
    if (this.answer === undefined) return this.readHead(bytes);
    if (this.answer.status >= 300) return this.readRefusal(bytes);
    if (this.received + this.waiting.reduce((sum, b) => sum + b.length, 0) + bytes.length > this.answer.length) {
      return this.fail(new Error(`The head sent more than the ${this.answer.length} bytes it announced.`));
    }
    if (this.waiting.length > 0) {
      this.waiting.push(Buffer.from(bytes));
      return;
    }
    this.take(bytes);
  }

  private readHead(bytes: Buffer): void {
    this.head = Buffer.concat([this.head, bytes]);
    const end = this.head.indexOf(headEnd);
    if (end < 0) {
      if (this.head.length > maxHeadBytes) this.fail(new Error(`The head's answer began with more than ${maxHeadBytes} bytes of headers.`));
      return;
    }
    const parsed = parseHead(this.head.subarray(0, end).toString('latin1'));
    if (parsed instanceof Error) return this.fail(parsed);
    this.answer = parsed;
    const rest = this.head.subarray(end + headEnd.length);
    this.head = Buffer.alloc(0);
    if (parsed.status < 300 && parsed.length === 0) return this.finish();
    if (rest.length > 0) this.read(rest);
  }

  private readRefusal(bytes: Buffer): void {
    this.refusal += bytes.toString('utf8');
    this.received += bytes.length;
    if (this.received >= this.answer!.length || this.refusal.length > maxRefusalBytes) this.finish();
  }

  /** Copies body bytes into the current piece, writing each piece out as it fills. */
  private take(bytes: Buffer): void {
    let at = 0;
    while (at < bytes.length) {
      if (this.busy[this.turn]) {
        // Both pieces wait on the disk: keep the rest and read no more until one is free.
        this.waiting.push(Buffer.from(bytes.subarray(at)));
        this.socket?.pause();
        return;
      }
      const copied = bytes.copy(this.pieces[this.turn]!, this.filled, at);
      at += copied;
      this.filled += copied;
      this.received += copied;
      if (this.filled === pieceBytes || this.received === this.answer!.length) this.writePiece();
    }
  }

  private writePiece(): void {
    const turn = this.turn;
    const length = this.filled;
    const position = this.position;
    const last = this.received === this.answer!.length;
    this.position += length;
    this.turn = 1 - turn;
    this.filled = 0;
    this.busy[turn] = true;
    this.writes = this.writes
      .then(() => (this.writeFailed ? undefined : writeAll(this.handle, this.pieces[turn]!, length, position)))
      .then(
        () => {
          this.busy[turn] = false;
          if (this.writeFailed) return;
          this.request.onBytes(position + length);
          if (last) return this.finish();
          const waiting = this.waiting;
          this.waiting = [];
          for (const bytes of waiting) this.take(bytes);
          if (this.waiting.length === 0 && this.outcome === undefined) this.socket?.resume();
        },
        (err: Error) => {
          this.writeFailed = true;
          this.fail(new LocalWriteError(`Could not write ${this.request.localFile}: ${err.message}`, { cause: err }));
        },
      );
  }

  private ended(): void {
    if (this.outcome !== undefined) return;
    if (this.answer === undefined) return this.fail(new Error('The connection closed before the head answered.'));
    if (this.answer.status >= 300) return this.finish();
    const arrived = this.received + this.waiting.reduce((sum, b) => sum + b.length, 0);
    // All that was announced arrived and is on its way to the disk: the last write finishes.
    if (arrived === this.answer.length) return;
    this.fail(new Error(`The connection closed after ${arrived} of the ${this.answer.length} bytes announced.`));
  }

  private finish(): void {
    if (this.outcome !== undefined) return;
    const answer = this.answer!;
    this.outcome = { value: answer.status >= 300 ? { ok: false, status: answer.status, body: this.refusal.slice(0, maxRefusalBytes) } : { ok: true, length: answer.length } };
    this.settle();
  }

  private fail(error: Error): void {
    if (this.outcome !== undefined) return;
    this.outcome = { error };
    this.socket?.destroy();
    this.settle();
  }
}

/** Status and length from an answer's head (without its blank line); an Error when it is not one this reader takes. */
function parseHead(text: string): { status: number; length: number } | Error {
  const [statusLine = '', ...lines] = text.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine);
  if (status === null) return new Error(`The head's answer does not begin as HTTP/1.1 does: ${JSON.stringify(statusLine.slice(0, 80))}.`);
  let length: number | undefined;
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'transfer-encoding') return new Error(`The head answered with a ${value} body; file content comes with its length.`);
    if (name === 'content-length') {
      if (!/^\d{1,16}$/.test(value) || (length !== undefined && length !== Number(value))) return new Error(`The head's answer has a content-length of ${JSON.stringify(value)}.`);
      length = Number(value);
    }
  }
  if (length === undefined) return new Error("The head's answer has no content-length.");
  return { status: Number(status[1]), length };
}

/** Writes all `length` bytes of `buffer` at `position`, however many writes it takes. */
async function writeAll(handle: FileHandle, buffer: Buffer, length: number, position: number): Promise<void> {
  for (let done = 0; done < length; ) {
    const { bytesWritten } = await handle.write(buffer, done, length - done, position + done);
    done += bytesWritten;
  }
}
