/**
 * Putting an agent build on a host: upload the bundle (skipped when that build is already
 * there, checked by SHA-256), verify it, unpack it under `~/.hopsdesk/agent/<version>/`,
 * switch the `current` link, and prune all but the newest versions.
 */
import { createReadStream } from 'node:fs';
import type { AgentBundle } from './bundle.ts';
import { keptVersions, remotePaths } from './remote-layout.ts';
import { shellQuote, type RemoteShell } from './remote-shell.ts';

export interface UploadProgress {
  bytesDone: number;
  bytesTotal: number;
}

/** Makes `bundle` present on the host; resolves to whether anything had to be sent. */
export async function installBundle(
  shell: RemoteShell,
  bundle: AgentBundle,
  onProgress: (progress: UploadProgress) => void,
): Promise<{ uploaded: boolean }> {
  const dir = remotePaths.agentDir(bundle.version);
  const present = await shell.exec(`cd && cat ${shellQuote(`${dir}/.bundle-sha256`)} 2>/dev/null`);
  if (present.stdout.trim() === bundle.sha256) {
    onProgress({ bytesDone: bundle.bytes, bytesTotal: bundle.bytes });
    return { uploaded: false };
  }

  const incoming = `${remotePaths.incoming}/${bundle.sha256}.tar.gz`;
  await shell.run('preparing the upload', `cd && umask 077 && mkdir -p ${shellQuote(remotePaths.incoming)}`);
  const upload = await shell.exec(`cd && cat > ${shellQuote(incoming)}`, createReadStream(bundle.file, { highWaterMark: 256 * 1024 }), (bytesDone) =>
    onProgress({ bytesDone, bytesTotal: bundle.bytes }),
  );
  if (upload.code !== 0) {
    await shell.exec(`cd && rm -f ${shellQuote(incoming)}`);
    await shell.run('uploading the agent', 'false');
  }
  // Verified before unpacking, so a truncated upload never becomes an installed version.
  const partial = `${dir}.partial`;
  await shell.run(
    'unpacking the agent',
    [
      'cd',
      `echo ${shellQuote(`${bundle.sha256}  ${incoming}`)} | sha256sum -c --quiet -`,
      `rm -rf ${shellQuote(partial)}`,
      `mkdir -p ${shellQuote(partial)}`,
      `tar -xzf ${shellQuote(incoming)} -C ${shellQuote(partial)}`,
      `echo ${shellQuote(bundle.sha256)} > ${shellQuote(`${partial}/.bundle-sha256`)}`,
      `rm -rf ${shellQuote(dir)}`,
      `mv ${shellQuote(partial)} ${shellQuote(dir)}`,
      `rm -f ${shellQuote(incoming)}`,
    ].join(' && '),
  );
  onProgress({ bytesDone: bundle.bytes, bytesTotal: bundle.bytes });
  return { uploaded: true };
}

/** Points `current` at `version` in one rename, so the service never sees a missing link. */
export async function activateVersion(shell: RemoteShell, version: string): Promise<void> {
  await shell.run('switching to the new version', `cd && ${activateScript(version)}`);
}

/** The shell snippet behind `activateVersion`, run from $HOME. */
export function activateScript(version: string): string {
  const next = `${remotePaths.current}.next`;
  return `ln -sfn ${shellQuote(version)} ${shellQuote(next)} && mv -Tf ${shellQuote(next)} ${shellQuote(remotePaths.current)}`;
}

/** Removes installed versions beyond the newest `keptVersions`, never the current one. */
export async function pruneVersions(shell: RemoteShell): Promise<void> {
  await shell.run('pruning old versions', `cd && ${pruneScript()}`);
}

/**
 * The shell snippet behind `pruneVersions`, run from $HOME: newest first by install time,
 * the current version and the `keptVersions - 1` newest others stay.
 */
export function pruneScript(): string {
  return (
    `( cd ${shellQuote(remotePaths.agents)} && cur=$(readlink current) && ` +
    `ls -1t --indicator-style=none | grep -v -e '^current$' -e '^[.]' -e '[.]partial$' -e '[.]next$' | grep -vxF "$cur" | ` +
    `tail -n +${keptVersions} | while IFS= read -r old; do rm -rf -- "$old"; done )`
  );
}
