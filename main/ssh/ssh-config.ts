/**
 * Host aliases from the user's `~/.ssh/config`, so `lab-gpu1` means what it means to
 * `ssh`: HostName, User, Port, IdentityFile and ProxyJump are honoured; anything else
 * in the file is left to ssh itself.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import SSHConfig from 'ssh-config';

export interface HostAlias {
  hostName: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  proxyJump?: string;
}

/** Reads the config file; a missing or unreadable file means no aliases. */
export async function loadSshConfig(file = path.join(os.homedir(), '.ssh', 'config')): Promise<SSHConfig | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : SSHConfig.parse(text);
}

/** What the config says about `host`; `hostName` is `host` itself when nothing matches. */
export function resolveAlias(config: SSHConfig | undefined, host: string): HostAlias {
  if (config === undefined) return { hostName: host, identityFiles: [] };
  const computed = config.compute(host);
  const one = (key: string): string | undefined => {
    const value = computed[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const many = (key: string): string[] => {
    const value = computed[key];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  };
  const port = Number(one('Port'));
  const proxyJump = one('ProxyJump');
  const user = one('User');
  return {
    hostName: (one('HostName') ?? host).replaceAll('%h', host),
    ...(user === undefined ? {} : { user }),
    ...(Number.isInteger(port) && port > 0 && port < 65536 ? { port } : {}),
    identityFiles: many('IdentityFile').map(expandHome),
    ...(proxyJump === undefined || proxyJump === 'none' ? {} : { proxyJump }),
  };
}

function expandHome(file: string): string {
  return file.startsWith('~/') ? path.join(os.homedir(), file.slice(2)) : file;
}
