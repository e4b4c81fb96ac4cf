/**
 * One SSH connection to a host with its host key verified first (ssh2 accepts any key
 * unless told otherwise), and errors a user can act on.
 */
import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import { HopsError } from '../../protocol/errors.ts';
import type { KnownHosts } from '../workspace/known-hosts.ts';
import { verifyHostKey, type HostKeyPolicy } from './host-keys.ts';

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  /** A private key, or the path of a running ssh-agent's socket. */
  privateKey?: Buffer | string;
  agent?: string;
  passphrase?: string;
  /** Typed once by the user and used for this connection only. */
  password?: string;
  /** An already-open stream to the host (a channel through a bastion). */
  sock?: Duplex;
}

export interface SshOptions {
  knownHosts: KnownHosts;
  policy: HostKeyPolicy;
  readyTimeoutMs?: number;
  /** Keepalive probes on long-lived connections, so a dead link is noticed. */
  keepaliveIntervalMs?: number;
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Connects and authenticates; rejects with HOST_KEY_*, SSH_AUTH_FAILED or SSH_UNREACHABLE. */
export function openSsh(target: SshTarget, options: SshOptions): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let keyError: HopsError | undefined;
    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.username,
      readyTimeout: options.readyTimeoutMs ?? 10_000,
      hostVerifier: (key: Buffer) => {
        try {
          verifyHostKey(options.knownHosts, { host: target.host, port: target.port, key }, options.policy);
          return true;
        } catch (err) {
          keyError = err as HopsError;
          return false;
        }
      },
    };
    if (target.privateKey !== undefined) config.privateKey = target.privateKey;
    if (target.agent !== undefined) config.agent = target.agent;
    if (target.passphrase !== undefined) config.passphrase = target.passphrase;
    if (target.password !== undefined) config.password = target.password;
    if (target.sock !== undefined) config.sock = target.sock;
    if (options.keepaliveIntervalMs !== undefined) {
      config.keepaliveInterval = options.keepaliveIntervalMs;
      config.keepaliveCountMax = 3;
    }
    let settled = false;
    client.once('ready', () => {
      settled = true;
      resolve(client);
    });
    // ssh2 can emit more than one error for one failed attempt (e.g. a refused key, then a
    // handshake timeout); only the first decides. Later errors on a live client end in
    // 'close', which its users watch.
    client.on('error', (err: Error & { level?: string }) => {
      if (settled) return;
      settled = true;
      client.end();
      if (keyError) reject(keyError);
      else if (err.level === 'client-authentication') {
        const what = target.password !== undefined ? 'the password' : 'the key';
        reject(new HopsError('SSH_AUTH_FAILED', `${target.username}@${target.host} refused ${what}.`, { cause: err }));
      } else {
        reject(new HopsError('SSH_UNREACHABLE', `Cannot reach ${target.host}:${target.port}: ${err.message}.`, { cause: err }));
      }
    });
    try {
      client.connect(config);
      // Requests and replies through the tunnel are small and wait on each other: with
      // Nagle's algorithm on, each small write held for the last one's delayed ACK, some
      // 40 ms per request on a LAN.
      client.setNoDelay(true);
    } catch (err) {
      // ssh2 throws at once for a key it cannot parse, e.g. one protected by a passphrase.
      settled = true;
      const message = (err as Error).message;
      if (/passphrase/i.test(message)) {
        reject(new HopsError('SSH_PASSPHRASE_REQUIRED', `The SSH key is protected by a passphrase: ${message}.`, { cause: err }));
      } else {
        reject(new HopsError('SSH_AUTH_FAILED', `The SSH key cannot be used: ${message}.`, {
          hint: 'Check the key file, or load the key into ssh-agent with `ssh-add`.',
          cause: err,
        }));
      }
    }
  });
}

/** Runs one command and collects its output (bounded to 1 MiB per stream). */
export function runCommand(client: Client, command: string): Promise<CommandResult> {
  const cap = 1024 * 1024;
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      stream.on('data', (chunk: Buffer) => {
        if (stdout.length < cap) stdout += chunk.toString('utf8');
      });
      stream.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < cap) stderr += chunk.toString('utf8');
      });
      stream.on('close', (code: number | null) => resolve({ code, stdout, stderr }));
    });
  });
}

/**
 * Reads the host key a server offers without logging in: the handshake is stopped at
 * key verification. Used to show the fingerprint for confirmation before trusting it.
 */
export function scanHostKey(host: string, port: number, sock?: Duplex, timeoutMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let key: Buffer | undefined;
    client.on('error', (err: Error) => {
      client.end();
      if (key) resolve(key);
      else reject(new HopsError('SSH_UNREACHABLE', `Cannot reach ${host}:${port}: ${err.message}.`, { cause: err }));
    });
    client.on('ready', () => {
      client.end();
      reject(new HopsError('INTERNAL', 'The host accepted a login that was not attempted.'));
    });
    const config: ConnectConfig = {
      host,
      port,
      username: 'hopsdesk-key-scan',
      readyTimeout: timeoutMs,
      hostVerifier: (offered: Buffer) => {
        key = offered;
        return false;
      },
    };
    if (sock !== undefined) config.sock = sock;
    client.connect(config);
  });
}
