/**
 * Keeping the agent running on a host as the SSH user, never root: a systemd `--user`
 * unit with Restart=always where the user has a systemd manager (with linger it also
 * survives logout and reboot), else the agent's own supervisor started detached, plus a
 * crontab `@reboot` entry where cron is available so it comes back after a reboot.
 */
import type { ProvisionedHost } from '../../protocol/cluster-setup.ts';
import { HopsError } from '../../protocol/errors.ts';
import { cronMarker, remotePaths, systemdUnitName } from './remote-layout.ts';
import { shellQuote, type RemoteShell } from './remote-shell.ts';

export type ServiceKind = ProvisionedHost['service'];

const agentCommand = (home: string, subcommand: string): string =>
  `${home}/${remotePaths.current}/node ${home}/${remotePaths.current}/hopsdesk-agent.mjs ${subcommand}--config ${home}/${remotePaths.config}`;

/** Starts (or restarts) the agent under `kind`; returns once the service has been told. */
export async function startService(shell: RemoteShell, kind: ServiceKind, home: string): Promise<void> {
  if (kind === 'systemd') {
    const unit = [
      '[Unit]',
      'Description=Hopsdesk cluster agent',
      'After=network-online.target',
      '',
      '[Service]',
      `ExecStart=${agentCommand(home, '')}`,
      'Restart=always',
      'RestartSec=2',
      // Exit code 2 is a bad configuration: restarting would only repeat it.
      'RestartPreventExitStatus=2',
      'KillMode=mixed',
      'TimeoutStopSec=15',
      '',
      '[Install]',
      'WantedBy=default.target',
      '',
    ].join('\n');
    await shell.writeFile(remotePaths.systemdUnit, unit);
    await shell.run(
      'starting the agent service',
      `systemctl --user daemon-reload && systemctl --user enable ${systemdUnitName} >/dev/null 2>&1 && systemctl --user restart ${systemdUnitName}`,
    );
    return;
  }
  await stopSupervisor(shell);
  const supervise = agentCommand(home, 'supervise ');
  await shell.run(
    'starting the agent supervisor',
    // setsid + nohup + closed stdio: the supervisor outlives this SSH session.
    // Only the supervisor goes to the background, its stdio detached from the SSH channel,
    // or the channel would stay open as long as it runs.
    `cd && mkdir -p ${shellQuote(`${remotePaths.root}/log`)} || exit 1; setsid nohup ${supervise} >>${shellQuote(remotePaths.log)} 2>&1 </dev/null & echo started`,
  );
  // Where cron exists, it brings the supervisor back after a reboot.
  await shell.exec(
    `command -v crontab >/dev/null 2>&1 && { crontab -l 2>/dev/null | grep -vF ${shellQuote(cronMarker)}; echo ${shellQuote(`@reboot ${supervise} >>${home}/${remotePaths.log} 2>&1 ${cronMarker}`)}; } | crontab -`,
  );
}

/** Stops the agent and keeps it stopped (disables the unit, or ends the supervisor). */
export async function stopService(shell: RemoteShell, kind: ServiceKind): Promise<void> {
  if (kind === 'systemd') {
    await shell.exec(`systemctl --user disable --now ${systemdUnitName} >/dev/null 2>&1; true`);
    return;
  }
  await stopSupervisor(shell);
}

/**
 * Ends a running supervisor (which stops its agent) and waits for both to exit; a stuck
 * one is killed after 15 s.
 */
async function stopSupervisor(shell: RemoteShell): Promise<void> {
  const pidFile = shellQuote(remotePaths.supervisorPid);
  const runFile = shellQuote(remotePaths.runFile);
  const script = [
    'cd',
    `sup=$(cat ${pidFile} 2>/dev/null); agent=$(sed -n 's/.*"pid": *\\([0-9]*\\).*/\\1/p' ${runFile} 2>/dev/null)`,
    'for pid in $sup $agent; do kill -TERM "$pid" 2>/dev/null; done',
    'i=0; while [ $i -lt 150 ]; do alive=; for pid in $sup $agent; do kill -0 "$pid" 2>/dev/null && alive=1; done; [ -z "$alive" ] && break; sleep 0.1; i=$((i+1)); done',
    'for pid in $sup $agent; do kill -KILL "$pid" 2>/dev/null; done',
    'true',
  ].join('; ');
  await shell.exec(script);
}

/** Removes the service entries (unit file, crontab line); the files go with ~/.hopsdesk. */
export async function removeServiceEntries(shell: RemoteShell, kind: ServiceKind): Promise<void> {
  if (kind === 'systemd') {
    await shell.exec(`cd && rm -f ${shellQuote(remotePaths.systemdUnit)} && systemctl --user daemon-reload 2>/dev/null; true`);
  }
  await shell.exec(
    `command -v crontab >/dev/null 2>&1 && crontab -l 2>/dev/null | grep -qF ${shellQuote(cronMarker)} && { crontab -l | grep -vF ${shellQuote(cronMarker)} | crontab -; }; true`,
  );
}

/** The agent's run file, once it is up; undefined while it is not (yet) running. */
export async function readRunFile(shell: RemoteShell): Promise<{ pid: number; port: number; host: string; agentVersion: string } | undefined> {
  const result = await shell.exec(`cd && cat ${shellQuote(remotePaths.runFile)} 2>/dev/null`);
  if (result.code !== 0 || result.stdout.trim() === '') return undefined;
  try {
    return JSON.parse(result.stdout) as { pid: number; port: number; host: string; agentVersion: string };
  } catch {
    return undefined;
  }
}

/** Prints the run file only while its process is alive: one round trip. */
const liveRunFileCommand = `cd && f=${shellQuote(remotePaths.runFile)} && pid=$(sed -n 's/.*"pid": *\\([0-9]*\\).*/\\1/p' "$f" 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && cat "$f"`;

/** The agent's run file while its process is alive; undefined when it is not running (or not yet). */
export async function readLiveRunFile(shell: RemoteShell): Promise<{ pid: number; port: number; host: string; agentVersion: string } | undefined> {
  const result = await shell.exec(liveRunFileCommand);
  if (result.code !== 0) return undefined;
  try {
    return JSON.parse(result.stdout) as { pid: number; port: number; host: string; agentVersion: string };
  } catch {
    return undefined;
  }
}

/** Waits until the agent has written its run file (it does so once listening). */
export async function waitForAgent(shell: RemoteShell, version: string, timeoutMs = 30_000): Promise<{ port: number }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const result = await shell.exec(liveRunFileCommand);
    if (result.code === 0) {
      try {
        const run = JSON.parse(result.stdout) as { port: number; agentVersion: string };
        if (run.agentVersion === version) return { port: run.port };
      } catch {
        // Caught between writes; the run file is replaced atomically, so the next look is whole.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  const log = await shell.exec(`cd && tail -n 5 ${shellQuote(remotePaths.log)} 2>/dev/null`);
  throw new HopsError('PROVISION_FAILED', `${shell.where}: the agent ${version} did not start within ${timeoutMs / 1000} s.`, {
    hint: `See ~/${remotePaths.log} on the host${log.stdout.trim() ? `; it ends: ${log.stdout.trim().split('\n').join(' / ')}` : ''}.`,
  });
}
