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
  const next = `${remotePaths.current}.next`;
  await shell.run(
    'switching to the new version',
    `cd && ln -sfn ${shellQuote(version)} ${shellQuote(next)} && mv -Tf ${shellQuote(next)} ${shellQuote(remotePaths.current)}`,
  );
}

/** Removes installed versions beyond the newest `keptVersions`, never the current one. */
export async function pruneVersions(shell: RemoteShell): Promise<string[]> {
  const listing = await shell.run(
    'listing installed versions',
    `cd ${shellQuote(remotePaths.agents)} 2>/dev/null && readlink current; ls -1t --indicator-style=none 2>/dev/null`,
  );
  const [current = '', ...names] = listing.split('\n').map((line) => line.trim());
  const versions = names.filter((name) => name !== '' && name !== 'current' && !name.startsWith('.') && !name.endsWith('.partial'));
  const keep = new Set([current, ...versions.filter((v) => v !== current).slice(0, keptVersions - 1)]);
  const remove = versions.filter((v) => !keep.has(v));
  if (remove.length > 0) {
    await shell.run('pruning old versions', `cd ${shellQuote(remotePaths.agents)} && rm -rf ${remove.map(shellQuote).join(' ')}`);
  }
  return remove;
}
