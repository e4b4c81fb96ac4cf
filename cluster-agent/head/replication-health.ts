/**
 * Replication health of the files a stat or a listing returns (`FileStat.health`), added
 * after the namespace has checked the caller and built the page: one query per page
 * (`ReplicationStore.fileHealth`), so a listing of a thousand files stays one round to
 * SQLite. Directories carry no health.
 */
import { fsParent, parseFsPath, type FileStat, type ListPage } from '../../protocol/fs.ts';
import type { BlockTransport } from '../blocks/transport.ts';
import { reachableWorkers } from './fsck.ts';
import { rootInodeId, type NamespaceStore } from './namespace-store.ts';
import type { ReplicationStore } from './replication-store.ts';

export interface ReplicationHealthDeps {
  store: Pick<ReplicationStore, 'fileHealth'>;
  namespace: Pick<NamespaceStore, 'child'>;
  transport: Pick<BlockTransport, 'workers'>;
}

export class ReplicationHealth {
  private readonly deps: ReplicationHealthDeps;

  constructor(deps: ReplicationHealthDeps) {
    this.deps = deps;
  }

  /** `stat` with its health when it is a file. */
  ofStat(stat: FileStat): FileStat {
    if (stat.type !== 'file') return stat;
    const [withHealth] = this.ofFiles(fsParent(stat.path), [stat]);
    return withHealth ?? stat;
  }

  /** A listing's page with the health of its files (a listed file is its own page). */
  ofPage(path: string, page: ListPage): ListPage {
    const files = page.entries.filter((entry) => entry.type === 'file');
    if (files.length === 0) return page;
    // Entries of one page share a directory: the listed one, or the file's own.
    const dir = files.length === 1 && files[0]?.path === path ? fsParent(path) : path;
    const healthy = new Map(this.ofFiles(dir, files).map((stat) => [stat.path, stat]));
    return { ...page, entries: page.entries.map((entry) => healthy.get(entry.path) ?? entry) };
  }

  private ofFiles(dir: string, files: FileStat[]): FileStat[] {
    const parentId = this.inodeOf(dir);
    if (parentId === undefined) return files;
    const health = this.deps.store.fileHealth(parentId, files.map((f) => f.name), reachableWorkers(this.deps.transport.workers()));
    return files.map((file) => {
      const known = health.get(file.name);
      return known === undefined ? file : { ...file, health: known };
    });
  }

  /** The directory at a path the namespace has just resolved (undefined if it moved meanwhile). */
  private inodeOf(path: string): number | undefined {
    let id: number | undefined = rootInodeId;
    for (const name of parseFsPath(path).names) {
      if (id === undefined) return undefined;
      id = this.deps.namespace.child(id, name)?.id;
    }
    return id;
  }
}
