/**
 * Replication health of the files a stat or a listing returns (`FileStat.health`), added
 * after the namespace has checked the caller and built the page: one query per page
 * (`ReplicationStore.fileHealth`), so a listing of a thousand files stays one round to
 * SQLite. Directories carry no health.
 */
import type { FileStat, ListPage } from '../../protocol/fs.ts';
import type { BlockTransport } from '../blocks/transport.ts';
import { reachableWorkers } from './fsck.ts';
import type { ReplicationStore } from './replication-store.ts';

export interface ReplicationHealthDeps {
  store: Pick<ReplicationStore, 'fileHealth'>;
  transport: Pick<BlockTransport, 'workers'>;
}

/**
 * The namespace resolved the path moments before (`Namespace.statIn`, `listIn`) and says
 * which directory the entries are in, so the path is not walked a second time.
 */
export class ReplicationHealth {
  private readonly deps: ReplicationHealthDeps;

  constructor(deps: ReplicationHealthDeps) {
    this.deps = deps;
  }

  /** `stat`, in directory `dirId`, with its health when it is a file. */
  ofStat(stat: FileStat, dirId: number | null): FileStat {
    if (stat.type !== 'file' || dirId === null) return stat;
    const [withHealth] = this.ofFiles(dirId, [stat]);
    return withHealth ?? stat;
  }

  /** A listing's page, of entries in directory `dirId`, with the health of its files. */
  ofPage(page: ListPage, dirId: number | null): ListPage {
    const files = page.entries.filter((entry) => entry.type === 'file');
    if (files.length === 0 || dirId === null) return page;
    const healthy = new Map(this.ofFiles(dirId, files).map((stat) => [stat.path, stat]));
    return { ...page, entries: page.entries.map((entry) => healthy.get(entry.path) ?? entry) };
  }

  private ofFiles(dirId: number, files: FileStat[]): FileStat[] {
    const health = this.deps.store.fileHealth(dirId, files.map((f) => f.name), reachableWorkers(this.deps.transport.workers()));
    return files.map((file) => {
      const known = health.get(file.name);
      return known === undefined ? file : { ...file, health: known };
    });
  }
}
