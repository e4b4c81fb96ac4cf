/**
 * A TCP relay to a local port standing in for the SSH tunnel in tests: it counts the
 * bytes that pass, and can be cut as a dropped link would be.
 */
import net from 'node:net';

/**
 * A relay to the head that can be cut (open connections reset, new ones refused) and
 * restored; `dropAfter(n)` cuts it once `n` more bytes passed in either direction.
 */
export class Relay {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private budget = Number.POSITIVE_INFINITY;
  cut = false;
  /** Bytes passed so far, both directions. */
  bytes = 0;

  constructor(targetPort: number) {
    this.server = net.createServer((socket) => {
      if (this.cut) return void socket.resetAndDestroy();
      const upstream = net.connect(targetPort, '127.0.0.1');
      for (const [from, to] of [[socket, upstream], [upstream, socket]] as const) {
        this.sockets.add(from);
        from.once('close', () => this.sockets.delete(from));
        from.on('error', () => undefined);
        from.on('data', (chunk: Buffer) => {
          this.bytes += chunk.length;
          this.budget -= chunk.length;
          if (this.budget <= 0 && !this.cut) this.drop();
          else if (!this.cut) to.write(chunk);
        });
        from.once('close', () => to.destroy());
      }
    });
  }

  dropAfter(bytes: number): void {
    this.budget = bytes;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  drop(): void {
    this.cut = true;
    this.budget = Number.POSITIVE_INFINITY;
    for (const socket of this.sockets) socket.resetAndDestroy();
  }

  close(): void {
    this.drop();
    this.server.close();
  }
}
