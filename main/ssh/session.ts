/**
 * One SSH connection to a host with its host key verified first (ssh2 accepts any key
 * unless told otherwise), and errors a user can act on.
 */
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
}

export interface SshOptions {
  knownHosts: KnownHosts;
  policy: HostKeyPolicy;
  readyTimeoutMs?: number;
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
        reject(new HopsError('SSH_AUTH_FAILED', `${target.username}@${target.host} refused the key.`, { cause: err }));
      } else {
        reject(new HopsError('SSH_UNREACHABLE', `Cannot reach ${target.host}:${target.port}: ${err.message}.`, { cause: err }));
      }
    });
    try {
      client.connect(config);
    } catch (err) {
      // ssh2 throws at once for a key it cannot parse, e.g. one protected by a passphrase.
      settled = true;
      reject(new HopsError('SSH_AUTH_FAILED', `The SSH key cannot be used: ${(err as Error).message}.`, {
        hint: 'Use an unencrypted key or load it into ssh-agent with `ssh-add`.',
        cause: err,
      }));
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
