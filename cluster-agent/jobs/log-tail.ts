/**
 * Follows a log file a job writes and hands on each new line, for live streaming. The
 * process writes the file itself (its stdout is the file), so output is kept whether or
 * not anyone follows it, and a job outlives an agent restart without a broken pipe.
 * Memory stays bounded: reads take at most 64 KiB at a time and a line longer than
 * `maxLineChars` is handed on in pieces.
 */
import { watch, type FSWatcher } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/** Which of the job's output streams a line came from. */
export type OutputStream = 'stdout' | 'stderr';

/** One line of output, without its newline. */
export interface OutputLine {
  stream: OutputStream;
  text: string;
  /** True when the line was longer than the limit and this is a piece of it (more follows). */
  cut?: boolean;
}

export type OutputListener = (line: OutputLine) => void;

const readChunkBytes = 64 * 1024;
export const defaultMaxLineChars = 16 * 1024;

/** Splits decoded text into lines, keeping at most `maxLineChars` of an unfinished line. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private readonly maxLineChars: number;
  private readonly emit: (text: string, cut: boolean) => void;

  constructor(maxLineChars: number, emit: (text: string, cut: boolean) => void) {
    this.maxLineChars = maxLineChars;
    this.emit = emit;
  }

  /** Takes the next bytes. */
  push(bytes: Buffer): void {
    this.take(this.decoder.write(bytes));
  }

  /** Hands on what is left (a last line without a newline). */
  end(): void {
    this.take(this.decoder.end());
    if (this.pending !== '') this.emit(this.pending, false);
    this.pending = '';
  }

  private take(text: string): void {
    let rest = text;
    for (let newline = rest.indexOf('\n'); newline >= 0; newline = rest.indexOf('\n')) {
      this.pending += rest.slice(0, newline);
      rest = rest.slice(newline + 1);
      this.flushLong();
      this.emit(this.pending.endsWith('\r') ? this.pending.slice(0, -1) : this.pending, false);
      this.pending = '';
    }
    this.pending += rest;
    this.flushLong();
  }

  private flushLong(): void {
    while (this.pending.length > this.maxLineChars) {
      let cut = this.maxLineChars;
      // Never split a surrogate pair between two pieces.
      const code = this.pending.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
      this.emit(this.pending.slice(0, cut), true);
      this.pending = this.pending.slice(cut);
    }
  }
}

/** Follows one log file from `offset`, calling `listener` with each complete line. */
export class LogTail {
  private readonly file: string;
  private readonly splitter: LineSplitter;
  private offset: number;
  private watcher: FSWatcher | undefined;
  private reading: Promise<void> = Promise.resolve();
  private queued = false;
  private closed = false;

  constructor(file: string, stream: OutputStream, listener: OutputListener, options: { offset?: number; maxLineChars?: number } = {}) {
    this.file = file;
    this.offset = options.offset ?? 0;
    this.splitter = new LineSplitter(options.maxLineChars ?? defaultMaxLineChars, (text, cut) => listener(cut ? { stream, text, cut } : { stream, text }));
  }

  /** Starts following: inotify tells of each write, so lines arrive as they are written. */
  start(): void {
    this.watcher = watch(this.file, { persistent: false }, () => this.readMore());
    this.watcher.on('error', () => this.readMore());
    this.readMore();
  }

  /** Reads to the end of the file, hands on a last unfinished line, and stops following. */
  async finish(): Promise<void> {
    this.watcher?.close();
    this.watcher = undefined;
    this.readMore();
    await this.reading;
    if (!this.closed) this.splitter.end();
    this.closed = true;
  }

  /** Stops following at once, handing on nothing more. */
  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
  }

  private readMore(): void {
    // Reads run one after another and read to the end, so one waiting read covers any
    // number of changes seen meanwhile; a burst of writes queues no more than one.
    if (this.queued) return;
    this.queued = true;
    this.reading = this.reading
      .then(() => {
        this.queued = false;
        return this.readToEnd();
      })
      .catch(() => undefined);
  }

  private async readToEnd(): Promise<void> {
    if (this.closed) return;
    const handle = await open(this.file, 'r');
    try {
      const buffer = Buffer.alloc(readChunkBytes);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0 || this.closed) return;
        this.offset += bytesRead;
        this.splitter.push(buffer.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
  }
}
