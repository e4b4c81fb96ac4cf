/**
 * A long-lived SSH connection to one host, shared by everything the desktop does there
 * (the tunnel to the agent, terminals, provisioning commands): opened on first use, kept
 * alive with keepalive probes, and opened again on next use after it dropped — the
 * cluster connection's backoff decides when that is.
 */
import net from 'node:net';
import type { Client, ClientChannel } from 'ssh2';
import type { SshAccess } from '../../protocol/cluster-setup.ts';
import { HopsError } from '../../protocol/errors.ts';
import { dial, type DialDeps, type SshLink } from './dial.ts';

export interface HostLinkOptions {
  target: string;
  access: SshAccess;
  deps: DialDeps;
  log: (line: string) => void;
}

export class HostLink {
  private readonly options: HostLinkOptions;
  private link: SshLink | undefined;
  private opening: Promise<SshLink> | undefined;
  private closed = false;

  constructor(options: HostLinkOptions) {
    this.options = options;
  }

  get target(): string {
    return this.options.target;
  }

  /** The connected client, dialling first if there is none. */
  async client(): Promise<Client> {
    if (this.closed) throw new HopsError('SSH_UNREACHABLE', `The link to ${this.options.target} is closed.`);
    if (this.link) return this.link.client;
    this.opening ??= dial(this.options.target, this.options.access, {
      ...this.options.deps,
      keepaliveIntervalMs: this.options.deps.keepaliveIntervalMs ?? 5_000,
    })
      .then((link) => {
        if (this.closed) {
          link.close();
          throw new HopsError('SSH_UNREACHABLE', `The link to ${this.options.target} is closed.`);
        }
        this.link = link;
        const forget = (why: string) => {
          if (this.link !== link) return;
          this.link = undefined;
          this.options.log(`ssh ${this.options.target}: connection ${why}`);
        };
        link.client.on('close', () => forget('closed'));
        link.client.on('error', (err: Error) => forget(`failed: ${err.message}`));
        return link;
      })
      .finally(() => {
        this.opening = undefined;
      });
    return (await this.opening).client;
  }

  /** A TCP channel from the host to `host:port` on its side (e.g. its loopback). */
  async forwardOut(host: string, port: number): Promise<ClientChannel> {
    const client = await this.client();
    return new Promise((resolve, reject) => {
      client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
        if (err) reject(new HopsError('AGENT_UNREACHABLE', `${this.options.target} cannot open ${host}:${port}: ${err.message}.`, { cause: err }));
        else resolve(channel);
      });
    });
  }

  /** Drops the connection now; the next use dials again. */
  reset(): void {
    this.link?.close();
    this.link = undefined;
  }

  close(): void {
    this.closed = true;
    this.reset();
  }
}

/**
 * A local port whose connections are carried over a host link to a port on the host's
 * loopback: the desktop's HTTP and WebSocket clients stay unaware of SSH. Only this
 * machine's loopback can connect, and the agent still asks for its token.
 */
export class LocalForward {
  private readonly server: net.Server;
  private readonly link: HostLink;
  private remotePort = 0;
  private readonly sockets = new Set<net.Socket>();

  constructor(link: HostLink) {
    this.link = link;
    // Small requests and replies, as on the SSH connection itself (`openSsh`): no Nagle delay.
    this.server = net.createServer({ noDelay: true }, (socket) => void this.carry(socket));
  }

  /** Starts listening on 127.0.0.1 (a free port) and resolves to that port. */
  async listen(): Promise<number> {
    if (!this.server.listening) {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return (this.server.address() as net.AddressInfo).port;
  }

  /** The agent's port on the host; it changes when the agent restarts. */
  setRemotePort(port: number): void {
    this.remotePort = port;
  }

  close(): void {
    this.server.close();
    for (const socket of this.sockets) socket.destroy();
  }

  private async carry(socket: net.Socket): Promise<void> {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.pause();
    try {
      const channel = await this.link.forwardOut('127.0.0.1', this.remotePort);
      socket.pipe(channel).pipe(socket);
      socket.resume();
      channel.on('error', () => socket.destroy());
      socket.on('error', () => channel.close());
      channel.on('close', () => socket.destroy());
    } catch {
      socket.destroy();
    }
  }
}
