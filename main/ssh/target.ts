/** `user@host[:port]` and the credentials to log in with, as ssh would find them. */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HopsError } from '../../protocol/errors.ts';

export interface ParsedTarget {
  username: string;
  host: string;
  port: number;
}

/** Parses `user@host`, `user@host:2222` or `user@[::1]:2222`; throws VALIDATION naming the target. */
export function parseTarget(target: string): ParsedTarget {
  const match = /^([^@\s]+)@(\[[0-9a-fA-F:]+\]|[^:\s]+)(?::(\d{1,5}))?$/.exec(target);
  const port = match?.[3] === undefined ? 22 : Number(match[3]);
  if (!match || port < 1 || port > 65535) {
    throw new HopsError('VALIDATION', `"${target.slice(0, 100)}" is not USER@HOST or USER@HOST:PORT.`, { field: '/target' });
  }
  return { username: match[1]!, host: match[2]!.replace(/^\[|\]$/g, ''), port };
}

export type Credentials = { privateKey: Buffer } | { agent: string };

/**
 * The key file given, else the running ssh-agent, else the usual default keys — the order
 * ssh itself tries. Throws with the next step when none is usable.
 */
export async function findCredentials(keyFile: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<Credentials> {
  if (keyFile !== undefined) {
    try {
      return { privateKey: await readFile(keyFile) };
    } catch (err) {
      throw new HopsError('SSH_AUTH_FAILED', `Cannot read the key file ${keyFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`, {
        hint: 'Give the path of a private key you can read, e.g. --key ~/.ssh/id_ed25519.',
      });
    }
  }
  if (env.SSH_AUTH_SOCK) return { agent: env.SSH_AUTH_SOCK };
  for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    const candidate = path.join(os.homedir(), '.ssh', name);
    const key = await readFile(candidate).catch(() => undefined);
    if (key) return { privateKey: key };
  }
  throw new HopsError('SSH_AUTH_FAILED', 'No SSH key to log in with: no --key, no ssh-agent, no ~/.ssh/id_ed25519 or id_rsa.', {
    hint: 'Pass --key FILE, or start ssh-agent and `ssh-add` your key.',
  });
}
