/**
 * The agent's logger: one JSON object per line on stderr and, when configured, appended
 * to a log file. Secrets handed to it are masked in every line as a last line of
 * defence; callers never pass tokens on purpose.
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
  /** Closes the log file, if any; later lines still reach stderr. */
  close(): void;
}

export interface AgentLogOptions {
  /** File the lines are appended to (created 0600), besides stderr. */
  file?: string | undefined;
  /** Values that must never appear in a line (tokens). */
  secrets?: readonly string[];
  /** Where lines go besides the file; stderr unless a test captures them. */
  sink?: (line: string) => void;
}

/** Creates a JSON-lines logger. */
export function createAgentLog(options: AgentLogOptions = {}): AgentLog {
  const sink = options.sink ?? ((line: string) => process.stderr.write(line));
  const secrets = (options.secrets ?? []).filter((secret) => secret.length > 0);
  let fd = options.file === undefined ? undefined : openSync(options.file, 'a', 0o600);

  const write = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
    let line = JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields }, errorReplacer);
    for (const secret of secrets) line = line.replaceAll(secret, '[redacted]');
    line += '\n';
    sink(line);
    if (fd !== undefined) writeSync(fd, line);
  };

  return {
    write,
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    close: () => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** Errors serialise to `{}` by default; keep what helps a reader of the log. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }), stack: value.stack };
  }
  return value;
}
