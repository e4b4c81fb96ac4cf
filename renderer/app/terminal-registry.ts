/**
 * The byte streams of this window's terminals, apart from React and xterm: output is kept
 * (capped) so a view that mounts late — xterm loads lazily, tabs remount — replays it, and
 * keystrokes go out in order, in pieces the contract accepts.
 */

/** Where a terminal's output goes while a view shows it. */
export interface TerminalSink {
  write(data: string): void;
}

/** The desktop calls behind a terminal; the session passes `hops.terminal`. */
export interface TerminalTransport {
  write(terminalId: string, data: string): Promise<void>;
  resize(terminalId: string, cols: number, rows: number): Promise<void>;
  close(terminalId: string): Promise<void>;
}

export interface TerminalRegistryOptions {
  transport: TerminalTransport;
  /** A failed write, resize or close: the session turns it into a notice. */
  onError(terminalId: string, action: 'write' | 'resize' | 'close', err: unknown): void;
  /** Output kept per terminal for replay. */
  historyLimit?: number;
  /** Largest `terminal.write` payload; the contract allows 64 Ki characters. */
  chunkSize?: number;
}

export interface TerminalRegistry {
  /** Starts keeping output for a terminal the core just opened; output that came first is kept. */
  register(terminalId: string): void;
  /** A `terminal.output` event. */
  output(terminalId: string, data: string): void;
  /** A `terminal.exit` event: the line saying so goes into the output. */
  exit(terminalId: string, code: number | null): void;
  /** Replays the kept output into `sink`, then streams to it until the returned function is called. */
  attach(terminalId: string, sink: TerminalSink): () => void;
  /** Keystrokes or a paste, sent in order. */
  input(terminalId: string, data: string): void;
  resize(terminalId: string, cols: number, rows: number): void;
  /** Closes the shell if it still runs, and forgets the terminal. */
  close(terminalId: string): void;
  isRegistered(terminalId: string): boolean;
}

interface Entry {
  history: string[];
  historyLength: number;
  sinks: Set<TerminalSink>;
  /** Writes go out one after another: a paste split in pieces must arrive in order. */
  sending: Promise<void>;
  exited: boolean;
}

const DEFAULT_HISTORY = 1024 * 1024;
const DEFAULT_CHUNK = 16 * 1024;
/** Output for ids not (yet) registered — e.g. before `terminal.open` answered — kept briefly. */
const MAX_ORPHANS = 8;
const ORPHAN_LIMIT = 64 * 1024;

/** What the terminal shows when its shell ends. */
export function exitLine(code: number | null): string {
  return code === null ? '[exited]' : `[exited with code ${code}]`;
}

/** `data` in pieces of at most `size` UTF-16 units, never splitting a surrogate pair. */
export function chunkText(data: string, size: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < data.length) {
    let end = Math.min(data.length, start + size);
    const last = data.charCodeAt(end - 1);
    if (end < data.length && last >= 0xd800 && last <= 0xdbff && end - 1 > start) end -= 1;
    pieces.push(data.slice(start, end));
    start = end;
  }
  return pieces;
}

/** Columns and rows the contract accepts: 2–1000 by 1–500. */
export function clampTerminalSize(cols: number, rows: number): { cols: number; rows: number } {
  const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.floor(Number.isFinite(value) ? value : min)));
  return { cols: clamp(cols, 2, 1000), rows: clamp(rows, 1, 500) };
}

export function createTerminalRegistry(options: TerminalRegistryOptions): TerminalRegistry {
  const historyLimit = options.historyLimit ?? DEFAULT_HISTORY;
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  const entries = new Map<string, Entry>();
  const orphans = new Map<string, string>();

  const keep = (entry: Entry, data: string) => {
    entry.history.push(data);
    entry.historyLength += data.length;
    // Drop whole old pieces first; cut the oldest remaining one only if it alone is too long.
    while (entry.historyLength > historyLimit && entry.history.length > 1) entry.historyLength -= entry.history.shift()!.length;
    if (entry.historyLength > historyLimit) {
      entry.history[0] = entry.history[0]!.slice(entry.historyLength - historyLimit);
      entry.historyLength = historyLimit;
    }
  };

  const deliver = (entry: Entry, data: string) => {
    keep(entry, data);
    for (const sink of entry.sinks) sink.write(data);
  };

  const fail = (terminalId: string, action: 'write' | 'resize' | 'close') => (err: unknown) => options.onError(terminalId, action, err);

  return {
    register(terminalId) {
      if (entries.has(terminalId)) return;
      const entry: Entry = { history: [], historyLength: 0, sinks: new Set(), sending: Promise.resolve(), exited: false };
      entries.set(terminalId, entry);
      const early = orphans.get(terminalId);
      orphans.delete(terminalId);
      if (early !== undefined) keep(entry, early);
    },
    output(terminalId, data) {
      const entry = entries.get(terminalId);
      if (entry !== undefined) {
        deliver(entry, data);
        return;
      }
      const kept = ((orphans.get(terminalId) ?? '') + data).slice(-ORPHAN_LIMIT);
      orphans.delete(terminalId);
      orphans.set(terminalId, kept);
      if (orphans.size > MAX_ORPHANS) orphans.delete(orphans.keys().next().value!);
    },
    exit(terminalId, code) {
      const entry = entries.get(terminalId);
      if (entry === undefined || entry.exited) return;
      entry.exited = true;
      deliver(entry, `\r\n${exitLine(code)}\r\n`);
    },
    attach(terminalId, sink) {
      const entry = entries.get(terminalId);
      if (entry === undefined) return () => undefined;
      if (entry.historyLength > 0) sink.write(entry.history.join(''));
      entry.sinks.add(sink);
      return () => entry.sinks.delete(sink);
    },
    input(terminalId, data) {
      const entry = entries.get(terminalId);
      if (entry === undefined || entry.exited || data === '') return;
      for (const piece of chunkText(data, chunkSize)) {
        entry.sending = entry.sending.then(() => options.transport.write(terminalId, piece)).catch(fail(terminalId, 'write'));
      }
    },
    resize(terminalId, cols, rows) {
      const entry = entries.get(terminalId);
      if (entry === undefined || entry.exited) return;
      const size = clampTerminalSize(cols, rows);
      options.transport.resize(terminalId, size.cols, size.rows).catch(fail(terminalId, 'resize'));
    },
    close(terminalId) {
      const entry = entries.get(terminalId);
      orphans.delete(terminalId);
      if (entry === undefined) return;
      entries.delete(terminalId);
      entry.sinks.clear();
      if (!entry.exited) {
        // After the keystrokes already on their way.
        void entry.sending.then(() => options.transport.close(terminalId)).catch(fail(terminalId, 'close'));
      }
    },
    isRegistered: (terminalId) => entries.has(terminalId),
  };
}
