/**
 * The agent's logger: one JSON object per line on stderr and, when configured, appended
 * to a log file. Secrets handed to it are masked in every line as a last line of
 * defence; callers never pass tokens on purpose.
 *
 * Lines are written together once per event-loop turn: a busy head logs a line per file
 * created, and two synchronous writes per line were a sixth of its time. Errors are
 * written at once, with whatever waits before them, and so is everything when the
 * process exits; a `kill -9` loses at most the lines of the turn it struck.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, unknown>;

export interface AgentLog {
  /** Writes one line at `level` with `msg` and the given fields. */
  write(level: LogLevel, msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Writes the lines still waiting for the end of this event-loop turn. */
  flush(): void;
  /** Writes what waits and closes the log file, if any; later lines still reach stderr. */
  close(): void;
}

export interface AgentLogOptions {
  /** File the lines are appended to (created 0600), besides stderr. */
  file?: string | undefined;
  /** Values that must never appear in a line (tokens). */
  secrets?: readonly string[];
  /** Where lines go besides the file, each at once; stderr (a turn's lines together) unless a test captures them. */
  sink?: (line: string) => void;
}

/** Creates a JSON-lines logger. */
export function createAgentLog(options: AgentLogOptions = {}): AgentLog {
  // A test's sink gets each line at once; stderr gets them together, as the file does.
  const sink = options.sink;
  const secrets = (options.secrets ?? []).filter((secret) => secret.length > 0);
  let fd = options.file === undefined ? undefined : openSync(options.file, 'a', 0o600);

  let pending = '';
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending === '') return;
    const lines = pending;
    pending = '';
    if (sink === undefined) process.stderr.write(lines);
    if (fd !== undefined) writeSync(fd, lines);
  };

  const write = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
    let line = JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields }, errorReplacer);
    for (const secret of secrets) line = line.replaceAll(secret, '[redacted]');
    line += '\n';
    sink?.(line);
    if (sink !== undefined && fd === undefined) return;
    pending += line;
    if (level === 'error') flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  const log: AgentLog = {
    write,
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    flush,
    close: () => {
      flush();
      open.delete(log);
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
  if (sink === undefined || fd !== undefined) open.add(log);
  return log;
}

/** Loggers whose waiting lines are written when the process exits. */
const open = new Set<AgentLog>();
process.once('exit', () => {
  for (const log of open) log.flush();
});

/** Errors serialise to `{}` by default; keep what helps a reader of the log. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }), stack: value.stack };
  }
  return value;
}
