/**
 * Where offline copies live on disk: `<workspace>/offline/<cluster>/Projects/…`, the
 * cluster's own paths mirrored. A path is taken apart by the filesystem's one validator
 * (no `..`, no empty or control-character names) and joined name by name, and no part of
 * it below the folder may be a symbolic link, so nothing resolves outside the folder.
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { HopsError } from '../../protocol/errors.ts';
import { parseFsPath } from '../../protocol/fs.ts';

export class OfflineFolder {
  readonly root: string;

  constructor(workspaceDir: string) {
    this.root = path.join(workspaceDir, 'offline');
  }

  /** The folder of `cluster`'s copies (cluster names are single safe names, checked by the API). */
  clusterDir(cluster: string): string {
    if (cluster.includes('/') || cluster.includes('\\') || cluster.startsWith('.')) {
      throw new HopsError('VALIDATION', `"${cluster}" is not a cluster name.`, { field: '/cluster' });
    }
    return path.join(this.root, cluster);
  }

  /** The local place of cluster path `fsPath`; throws PATH_INVALID for a bad path. */
  localPath(cluster: string, fsPath: string): string {
    const { names } = parseFsPath(fsPath);
    return path.join(this.clusterDir(cluster), ...names);
  }

  /**
   * Throws OFFLINE_PATH_UNSAFE when any existing part of `local` below the cluster's
   * folder is a symbolic link (so reading or removing it could leave the folder).
   */
  async checkNoLinks(cluster: string, local: string): Promise<void> {
    const base = this.clusterDir(cluster);
    const relative = path.relative(base, local);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new HopsError('OFFLINE_PATH_UNSAFE', `${local} is outside the offline folder.`);
    }
    let current = base;
    for (const name of ['', ...relative.split(path.sep).filter(Boolean)]) {
      current = name === '' ? current : path.join(current, name);
      const info = await lstat(current).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (info === undefined) return;
      if (info.isSymbolicLink()) throw new HopsError('OFFLINE_PATH_UNSAFE', `Part of the offline copy, ${current}, is a symbolic link; it is not followed.`);
    }
  }
}
