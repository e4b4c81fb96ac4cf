/**
 * `fsck`, as `hdfs fsck` reports it: totals under a path (files, directories, blocks,
 * bytes), the blocks that are missing (no finalized replica on a reachable host), have a
 * corrupt replica, or are under-replicated, each with its file and replicas, the
 * workers counted, safe mode, and a verdict.
 *
 * Who may ask: the cluster admin for any path (the whole cluster by default); a Data
 * Owner for paths inside their projects (it needs data.import, the Data Owner's); anyone
 * else is refused naming the permission. Only block ids, sizes and host names are shown:
 * no byte of any file is read.
 */
import { HopsError } from '../../protocol/errors.ts';
import { fsckLimits, type FsckBlock, type FsckReport, type FsckVerdict } from '../../protocol/fsck.ts';
import { parseFsPath, showPath } from '../../protocol/fs.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import type { User } from '../../protocol/projects.ts';
import type { BlockTransport } from '../blocks/transport.ts';
import { rootInodeId, type InodeRecord, type NamespaceStore } from './namespace-store.ts';
import { requireAdmin, requirePermission } from './permissions.ts';
import type { ProjectStore } from './project-store.ts';
import type { ProblemBlock, ProblemKind, ReplicationStore } from './replication-store.ts';
import type { SafeMode } from './safe-mode.ts';

export interface FsckDeps {
  store: Pick<ReplicationStore, 'subtreeTotals' | 'problems'>;
  namespace: Pick<NamespaceStore, 'child' | 'inode'>;
  projects: Pick<ProjectStore, 'project' | 'member'>;
  transport: Pick<BlockTransport, 'workers'>;
  safeMode: Pick<SafeMode, 'state'>;
  now?: () => number;
}

/** Workers whose finalized replicas can be read now: reachable and not declared dead. */
export function reachableWorkers(workers: readonly ClusterHost[]): string[] {
  return workers.filter((host) => host.state !== 'unreachable' && host.deadSinceMs === undefined).map((host) => host.hostId);
}

export class Fsck {
  private readonly deps: FsckDeps;
  private readonly now: () => number;

  constructor(deps: FsckDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
  }

  /** Checks the tree under `path` (default `/`) for `caller`. */
  check(caller: User, path = '/'): FsckReport {
    const parts = parseFsPath(path);
    const doing = `checking the health of ${showPath(path)}`;
    if (parts.project === undefined) {
      requireAdmin(caller, doing);
    } else if (!caller.admin) {
      const project = this.deps.projects.project(parts.project);
      if (project === undefined) throw new HopsError('PROJECT_NOT_FOUND', `The cluster has no project "${parts.project}".`);
      const role = this.deps.projects.member(project.id, caller.name)?.role ?? null;
      requirePermission(caller, { name: project.name, role }, 'data.import', doing);
    }
    const inode = this.resolve(parts.names, path);
    const workers = this.deps.transport.workers();
    const reachable = reachableWorkers(workers);
    const shownPath = path === '/' ? '' : path;
    const list = (kind: ProblemKind) => {
      const { count, blocks } = this.deps.store.problems(kind, inode.id, shownPath, reachable, fsckLimits.maxListed);
      return { count, blocks: blocks.map((block) => this.view(block, workers)) };
    };
    const missing = list('missing');
    const corrupt = list('corrupt');
    const underReplicated = list('underReplicated');
    const verdict: FsckVerdict = missing.count + corrupt.count > 0 ? 'CORRUPT' : underReplicated.count > 0 ? 'UNDER_REPLICATED' : 'HEALTHY';
    return {
      path,
      checkedAtMs: this.now(),
      totals: this.deps.store.subtreeTotals(inode.id, shownPath),
      underReplicated,
      missing,
      corrupt,
      workers: { live: reachable.length, dead: workers.filter((h) => h.deadSinceMs !== undefined).length, total: workers.length },
      safeMode: this.deps.safeMode.state(),
      verdict,
    };
  }

  private resolve(names: string[], path: string): InodeRecord {
    let inode = this.deps.namespace.inode(rootInodeId);
    for (const name of names) {
      if (inode === undefined || inode.type !== 'dir') break;
      inode = this.deps.namespace.child(inode.id, name);
    }
    if (inode === undefined) throw new HopsError('PATH_NOT_FOUND', `${showPath(path)} does not exist.`);
    return inode;
  }

  private view(block: ProblemBlock, workers: readonly ClusterHost[]): FsckBlock {
    const hostState = (hostId: string): string => {
      const host = workers.find((h) => h.hostId === hostId);
      if (host === undefined) return 'forgotten';
      return host.deadSinceMs === undefined ? host.state : 'dead';
    };
    return {
      path: block.path,
      blockId: block.blockId,
      index: block.index,
      size: block.size,
      replication: block.replication,
      live: block.live,
      replicas: block.replicas.map((r) => ({ hostId: r.hostId, state: r.state, hostState: hostState(r.hostId) })),
    };
  }
}
