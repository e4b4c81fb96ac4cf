/**
 * Opens an SSH connection the way `ssh` would for a target the user typed: aliases from
 * `~/.ssh/config`, the key file / ssh-agent / default keys, an optional password, and a
 * bastion (ProxyJump) whose channel carries the connection to the host. Host keys are
 * verified on every hop before anything else happens.
 */
import os from 'node:os';
import type { Client } from 'ssh2';
import type { HostKeyScan, SshAccess } from '../../protocol/cluster-setup.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { KnownHosts } from '../workspace/known-hosts.ts';
import type { HostKeyPolicy } from './host-keys.ts';
import { fingerprintOf, keyTypeOf } from './host-keys.ts';
import { openSsh, scanHostKey, type SshTarget } from './session.ts';
import { loadSshConfig, resolveAlias } from './ssh-config.ts';
import { findCredentials, parseTarget } from './target.ts';

export interface DialDeps {
  knownHosts: KnownHosts;
  /** `~/.ssh/config` by default; tests point elsewhere. */
  sshConfigFile?: string;
  keepaliveIntervalMs?: number;
}

/** An open connection; `close` also closes the bastion hop it went through. */
export interface SshLink {
  client: Client;
  /** `host:port` actually connected to, after alias resolution. */
  address: string;
  close(): void;
}

interface Hop {
  username: string;
  host: string;
  port: number;
  identityFiles: string[];
  jump: string | undefined;
}

/**
 * Resolves `user@host[:port]` (host may be an alias) to the hop to connect to. A bastion
 * named by ProxyJump may leave out the user: then the alias's User, else the local user.
 */
export async function resolveHop(target: string, sshConfigFile?: string): Promise<Hop> {
  const withUser = target.includes('@') ? target : `${os.userInfo().username}@${target}`;
  const parsed = parseTarget(withUser);
  const alias = resolveAlias(await loadSshConfig(sshConfigFile), parsed.host);
  const explicitPort = /:\d+$/.test(target);
  return {
    username: target.includes('@') ? parsed.username : (alias.user ?? parsed.username),
    host: alias.hostName,
    port: explicitPort ? parsed.port : (alias.port ?? parsed.port),
    identityFiles: alias.identityFiles,
    jump: alias.proxyJump,
  };
}

/** Connects to `target`, through `access.jump` (or the alias's ProxyJump) when set. */
export async function dial(target: string, access: SshAccess, deps: DialDeps, remember = true): Promise<SshLink> {
  const hop = await resolveHop(target, deps.sshConfigFile);
  const policy: HostKeyPolicy = {
    ...(access.trustNewHostKey === undefined ? {} : { trustNew: access.trustNewHostKey }),
    ...(access.acceptHostKeys === undefined ? {} : { acceptFingerprints: access.acceptHostKeys }),
    ...(remember ? {} : { remember: false }),
  };
  const jumpTarget = access.jump ?? hop.jump;
  let jump: SshLink | undefined;
  if (jumpTarget !== undefined) {
    // The bastion is dialled with the same credentials but never through another bastion.
    jump = await dial(jumpTarget, withoutJump(access), deps).catch((err: unknown) => {
      throw withContext(err, `bastion ${jumpTarget}`);
    });
  }
  try {
    const sock = jump === undefined ? undefined : await forwardOut(jump.client, hop.host, hop.port);
    const credentials = await findCredentials(access.keyFile ?? hop.identityFiles[0]).catch((err: unknown) => {
      // A password alone is enough to log in.
      if (access.password !== undefined) return {};
      throw err;
    });
    const sshTarget: SshTarget = {
      host: hop.host,
      port: hop.port,
      username: hop.username,
      ...credentials,
      ...(access.passphrase === undefined ? {} : { passphrase: access.passphrase }),
      ...(access.password === undefined ? {} : { password: access.password }),
      ...(sock === undefined ? {} : { sock }),
    };
    const client = await openSsh(sshTarget, {
      knownHosts: deps.knownHosts,
      policy,
      ...(deps.keepaliveIntervalMs === undefined ? {} : { keepaliveIntervalMs: deps.keepaliveIntervalMs }),
    });
    const bastion = jump;
    if (bastion !== undefined) client.once('close', () => bastion.close());
    return { client, address: `${hop.host}:${hop.port}`, close: () => client.end() };
  } catch (err) {
    jump?.close();
    throw err;
  }
}

/**
 * The fingerprint a host offers and how it compares with what this workspace knows. For a
 * host behind a bastion, the bastion's own key is scanned first and reported as `via`; when
 * the user has not confirmed it yet, the bastion is used for this scan only (key login, never
 * a password) and its key is not remembered — the user confirms both before anything else.
 */
export async function scanKey(target: string, access: SshAccess, deps: DialDeps): Promise<HostKeyScan> {
  const hop = await resolveHop(target, deps.sshConfigFile);
  const jumpTarget = access.jump ?? hop.jump;
  let via: HostKeyScan | undefined;
  let jump: SshLink | undefined;
  if (jumpTarget !== undefined) {
    const bastion = await resolveHop(jumpTarget, deps.sshConfigFile);
    via = describeKey(jumpTarget, bastion, await scanHostKey(bastion.host, bastion.port), deps.knownHosts);
    if (via.status === 'changed') {
      throw new HopsError('HOST_KEY_CHANGED', `The host key of the bastion ${jumpTarget} changed: it was ${via.previousFingerprint} and is now ${via.fingerprint}. Nothing was sent to it.`);
    }
    const { password: _password, ...keyOnly } = withoutJump(access);
    jump = await dial(jumpTarget, { ...keyOnly, acceptHostKeys: [...(access.acceptHostKeys ?? []), via.fingerprint] }, deps, false);
  }
  try {
    const sock = jump === undefined ? undefined : await forwardOut(jump.client, hop.host, hop.port);
    const scan = describeKey(target, hop, await scanHostKey(hop.host, hop.port, sock), deps.knownHosts);
    return via === undefined ? scan : { ...scan, via };
  } finally {
    jump?.close();
  }
}

function describeKey(target: string, hop: { host: string; port: number }, key: Buffer, knownHosts: KnownHosts): HostKeyScan {
  const fingerprint = fingerprintOf(key);
  const recorded = knownHosts.get(hop.host, hop.port);
  const status = recorded === undefined ? 'new' : recorded.fingerprint === fingerprint ? 'trusted' : 'changed';
  return {
    target,
    fingerprint,
    keyType: keyTypeOf(key),
    status,
    ...(status === 'changed' ? { previousFingerprint: recorded!.fingerprint } : {}),
  };
}

/** A TCP channel from the bastion to `host:port`. */
function forwardOut(client: Client, host: string, port: number): Promise<import('ssh2').ClientChannel> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
      if (err) {
        reject(new HopsError('SSH_UNREACHABLE', `The bastion cannot reach ${host}:${port}: ${err.message}.`, {
          hint: 'Check that the host is reachable from the bastion and that the bastion allows TCP forwarding.',
          cause: err,
        }));
      } else resolve(channel);
    });
  });
}

function withContext(err: unknown, where: string): unknown {
  if (err instanceof HopsError) return new HopsError(err.code, `${where}: ${err.message}`, { hint: err.hint, cause: err });
  return err;
}

function withoutJump(access: SshAccess): SshAccess {
  const { jump: _jump, ...rest } = access;
  return rest;
}
