/**
 * A real OpenSSH server inside a host's namespace, configured wholly on the command line
 * (`-f /dev/null`), so nothing on this machine's own sshd configuration leaks into the lab.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { sh } from './lab-network.ts';

export const sshdPath = '/usr/sbin/sshd';

export interface SshdPlan {
  namespace: string;
  /** IPv4 addresses to listen on (port 22); the bastion listens on both of its legs. */
  addresses: string[];
  hostKey: string;
  pidFile: string;
  home: string;
  /** Accept password logins (the host declared a password); otherwise key only. */
  passwords: boolean;
}

export interface Sshd {
  start(): Promise<void>;
  /** Stops the listener; sessions already open are the host's teardown's business. */
  stop(): Promise<void>;
  /** A new host key, as a reinstalled or impersonated host would offer. */
  newHostKey(): Promise<void>;
}

export function sshd(plan: SshdPlan): Sshd {
  let server: ChildProcess | undefined;

  const args = [
    'netns', 'exec', plan.namespace, sshdPath, '-D', '-e', '-f', '/dev/null',
    ...plan.addresses.flatMap((address) => ['-o', `ListenAddress=${address}:22`]),
    '-o', `HostKey=${plan.hostKey}`,
    '-o', `PidFile=${plan.pidFile}`,
    '-o', `PasswordAuthentication=${plan.passwords ? 'yes' : 'no'}`,
    '-o', 'KbdInteractiveAuthentication=no',
    '-o', 'UsePAM=no',
    // Without a config file sshd has no SFTP subsystem; OpenSSH 9's scp and ssh2's SFTP need it.
    '-o', 'Subsystem=sftp internal-sftp',
    // `ssh host cmd` runs a non-login shell that reads no profile, so ~/bin (where a declared
    // GPU's nvidia-smi lives) would be missing from PATH; SetEnv applies after sshd's default.
    '-o', `SetEnv=PATH=${plan.home}/bin:/usr/local/bin:/usr/bin:/bin`,
  ];

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const child = spawn('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      server = child;
      // Readiness is sshd's own word: it logs "Server listening on …" once per address after
      // listen(). This works for hidden hosts too, which the test process cannot connect to.
      let log = '';
      let listening = 0;
      const timer = setTimeout(() => fail(`did not listen within 10 s`), 10_000);
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`sshd in ${plan.namespace} ${why}:\n${log.slice(-2000)}`));
      };
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        // Keep reading for the server's life (a full pipe would block it); keep only the tail.
        log = (log + chunk).slice(-8000);
        if (listening < plan.addresses.length) {
          listening = (log.match(/Server listening on /g) ?? []).length;
          if (listening >= plan.addresses.length) {
            clearTimeout(timer);
            resolve();
          }
        }
      });
      child.once('error', (err) => fail(`could not start (${err.message})`));
      child.once('exit', (code, signal) => {
        if (listening < plan.addresses.length) fail(`exited (${signal ?? code}) before listening`);
      });
    });

  const stop = async () => {
    const child = server;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };

  const newHostKey = async () => {
    await rm(plan.hostKey, { force: true });
    await rm(`${plan.hostKey}.pub`, { force: true });
    await sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', plan.namespace, '-f', plan.hostKey]);
  };

  return { start, stop, newHostKey };
}
