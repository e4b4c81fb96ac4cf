/**
 * Local terminals: the user's login shell on this machine in a pseudo-terminal
 * (`@lydell/node-pty`, prebuilt, loaded only when the first one opens), with output sent
 * as `terminal.output` events in batches of a few milliseconds, as the hosts' terminals
 * are. Only the desktop app opens them: in web mode the API is reachable from a browser
 * page, and a page must never get a shell; the CLI has a terminal of its own already.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { IPty } from '@lydell/node-pty';
import type { AppMode } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { EventBus } from '../core/event-bus.ts';
import { terminalOutput } from './terminal-output.ts';

const maxShells = 32;

/** The shell to start and how: the login shell the user chose, as a login shell. */
export function loginShell(env: NodeJS.ProcessEnv = process.env): { file: string; args: string[] } {
  if (process.platform === 'win32') return { file: env.COMSPEC ?? 'powershell.exe', args: [] };
  let fromAccount: string | undefined;
  try {
    fromAccount = os.userInfo().shell ?? undefined;
  } catch {
    // No passwd entry (a container's made-up uid): $SHELL or sh will do.
  }
  return { file: env.SHELL || fromAccount || '/bin/sh', args: ['-l'] };
}

export class LocalShells {
  private readonly bus: EventBus;
  private readonly mode: AppMode;
  private readonly open = new Map<string, IPty>();

  constructor(bus: EventBus, mode: AppMode) {
    this.bus = bus;
    this.mode = mode;
  }

  /** Starts the login shell in the home directory; refused outside the desktop app. */
  async start(size: { cols: number; rows: number }, shell = loginShell()): Promise<{ terminalId: string; title: string }> {
    if (this.mode !== 'electron') {
      const why =
        this.mode === 'web'
          ? 'In web mode this window is a browser page, and a page must not get a shell on this machine.'
          : 'The command line is a terminal already.';
      throw new HopsError('LOCAL_SHELL_REFUSED', `Local terminals open only in the Hopsdesk desktop app. ${why}`);
    }
    if (this.open.size >= maxShells) {
      throw new HopsError('LIMIT_REACHED', `${maxShells} local terminals are open already.`, { hint: 'Close a terminal tab first.' });
    }
    const pty = await import('@lydell/node-pty');
    const env = { ...process.env, TERM: 'xterm-256color', COLORTERM: 'truecolor' };
    let child: IPty;
    try {
      child = pty.spawn(shell.file, shell.args, { name: 'xterm-256color', cols: size.cols, rows: size.rows, cwd: os.homedir(), env });
    } catch (err) {
      throw new HopsError('VALIDATION', `Could not start ${shell.file}: ${(err as Error).message}.`, {
        hint: 'Check the SHELL variable, or your login shell in /etc/passwd.',
        cause: err,
      });
    }
    const terminalId = randomBytes(9).toString('base64url');
    this.open.set(terminalId, child);
    const output = terminalOutput(this.bus, terminalId);
    // node-pty decodes UTF-8 itself, carrying a split character to the next chunk.
    child.onData((data) => output.push(data));
    child.onExit(({ exitCode }) => {
      output.flush();
      this.open.delete(terminalId);
      this.bus.emit('terminal.exit', { terminalId, code: exitCode });
    });
    return { terminalId, title: `${shellName(shell.file)} (this machine)` };
  }

  has(terminalId: string): boolean {
    return this.open.has(terminalId);
  }

  write(terminalId: string, data: string): void {
    this.get(terminalId).write(data);
  }

  resize(terminalId: string, cols: number, rows: number): void {
    this.get(terminalId).resize(cols, rows);
  }

  /** Ends the shell (SIGHUP, as closing a terminal window does). */
  close(terminalId: string): void {
    this.get(terminalId).kill('SIGHUP');
  }

  closeAll(): void {
    for (const child of this.open.values()) child.kill('SIGHUP');
  }

  private get(terminalId: string): IPty {
    const child = this.open.get(terminalId);
    if (!child) throw new HopsError('NOT_FOUND', `No open terminal "${terminalId}"; it may have exited.`, { hint: 'Open a new terminal.' });
    return child;
  }
}

function shellName(file: string): string {
  return file.split(/[\\/]/).pop() || file;
}
