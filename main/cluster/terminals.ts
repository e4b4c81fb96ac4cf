/**
 * Terminals on cluster hosts: each is a shell channel on the host's existing SSH link
 * (no second login), with output forwarded as `terminal.output` events. Output is sent
 * in batches of a few milliseconds so a flood (`cat bigfile`) does not become thousands
 * of events; a bounded number of terminals may be open at once.
 */
import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import { HopsError } from '../../protocol/errors.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { HostLink } from '../ssh/host-link.ts';
import { terminalOutput } from '../terminal/terminal-output.ts';

const maxTerminals = 32;

interface OpenTerminal {
  channel: ClientChannel;
  title: string;
}

export class Terminals {
  private readonly bus: EventBus;
  private readonly open = new Map<string, OpenTerminal>();

  constructor(bus: EventBus) {
    this.bus = bus;
  }

  async start(link: HostLink, title: string, size: { cols: number; rows: number }): Promise<{ terminalId: string; title: string }> {
    if (this.open.size >= maxTerminals) {
      throw new HopsError('VALIDATION', `${maxTerminals} terminals are open already.`, { hint: 'Close a terminal tab first.' });
    }
    const client = await link.client();
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      client.shell({ term: 'xterm-256color', cols: size.cols, rows: size.rows }, (err, stream) => {
        if (err) reject(new HopsError('SSH_UNREACHABLE', `${link.target} refused a shell: ${err.message}.`, { cause: err }));
        else resolve(stream);
      });
    });
    const terminalId = randomBytes(9).toString('base64url');
    this.open.set(terminalId, { channel, title });
    // Bytes may split a UTF-8 character; the decoder carries the tail to the next chunk.
    const decoder = new StringDecoder('utf8');
    const output = terminalOutput(this.bus, terminalId);
    const onData = (chunk: Buffer) => output.push(decoder.write(chunk));
    channel.on('data', onData);
    channel.stderr.on('data', onData);
    channel.on('close', (code: number | null) => {
      output.push(decoder.end());
      output.flush();
      this.open.delete(terminalId);
      this.bus.emit('terminal.exit', { terminalId, code: typeof code === 'number' ? code : null });
    });
    return { terminalId, title };
  }

  write(terminalId: string, data: string): void {
    this.get(terminalId).channel.write(data);
  }

  resize(terminalId: string, cols: number, rows: number): void {
    this.get(terminalId).channel.setWindow(rows, cols, 0, 0);
  }

  close(terminalId: string): void {
    this.get(terminalId).channel.close();
  }

  closeAll(): void {
    for (const { channel } of this.open.values()) channel.close();
  }

  private get(terminalId: string): OpenTerminal {
    const terminal = this.open.get(terminalId);
    if (!terminal) throw new HopsError('NOT_FOUND', `No open terminal "${terminalId}"; it may have exited.`, { hint: 'Open a new terminal.' });
    return terminal;
  }
}
