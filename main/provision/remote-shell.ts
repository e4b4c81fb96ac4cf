/**
 * Commands on a host over an open SSH connection: run a script, feed it bytes on stdin
 * (with progress), and turn a failure into an error that quotes what the host said.
 */
import type { Readable } from 'node:stream';
import type { Client } from 'ssh2';
import { HopsError } from '../../protocol/errors.ts';

export interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Output kept per stream: enough for any answer we parse and any error we quote. */
const outputCap = 1024 * 1024;

/** Quotes `value` for a POSIX shell: the one safe way to put user input into a command. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export class RemoteShell {
  readonly client: Client;
  /** Named in errors, e.g. `alice@gpu1`. */
  readonly where: string;

  constructor(client: Client, where: string) {
    this.client = client;
    this.where = where;
  }

  /** Runs `script` with `sh -c` semantics; `stdin` is streamed in and then closed. */
  exec(script: string, stdin?: Buffer | string | Readable, onBytes?: (bytes: number) => void): Promise<ShellResult> {
    return new Promise((resolve, reject) => {
      this.client.exec(script, (err, stream) => {
        if (err) {
          reject(new HopsError('SSH_UNREACHABLE', `${this.where}: cannot run a command: ${err.message}.`, { cause: err }));
          return;
        }
        let stdout = '';
        let stderr = '';
        stream.on('data', (chunk: Buffer) => {
          if (stdout.length < outputCap) stdout += chunk.toString('utf8');
        });
        stream.stderr.on('data', (chunk: Buffer) => {
          if (stderr.length < outputCap) stderr += chunk.toString('utf8');
        });
        stream.on('close', (code: number | null) => resolve({ code, stdout, stderr }));
        if (stdin === undefined) {
          stream.end();
        } else if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) {
          stream.end(stdin);
        } else {
          let sent = 0;
          stdin.on('data', (chunk: Buffer) => {
            sent += chunk.length;
            onBytes?.(sent);
          });
          stdin.on('error', (readErr) => {
            stream.close();
            reject(readErr);
          });
          stdin.pipe(stream);
        }
      });
    });
  }

  /** Runs `script` and returns its stdout; a non-zero exit is a PROVISION_FAILED naming `what`. */
  async run(what: string, script: string, stdin?: Buffer | string): Promise<string> {
    const result = await this.exec(script, stdin);
    if (result.code !== 0) {
      const said = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join(' / ');
      throw new HopsError('PROVISION_FAILED', `${this.where}: ${what} failed (exit ${String(result.code)})${said ? `: ${said}` : ''}.`);
    }
    return result.stdout;
  }

  /** Writes `content` to `file` (a path relative to $HOME or absolute) atomically, mode 0600. */
  async writeFile(file: string, content: string | Buffer): Promise<void> {
    await this.run(`writing ${file}`, `cd && ${writeFilesScript([[file, content]])}`);
  }
}

/**
 * A shell snippet writing each file (relative to the current directory or absolute)
 * atomically with mode 0600: the content travels base64-encoded inside the command, so
 * many small files cost one round trip.
 */
export function writeFilesScript(files: ReadonlyArray<readonly [file: string, content: string | Buffer]>): string {
  const steps = files.map(([file, content]) => {
    const quoted = shellQuote(file);
    const encoded = Buffer.from(content).toString('base64');
    return `mkdir -p "$(dirname ${quoted})" && printf %s ${shellQuote(encoded)} | base64 -d > ${quoted}.partial && mv -f ${quoted}.partial ${quoted}`;
  });
  return `( umask 077 && ${steps.join(' && ')} )`;
}
