/**
 * Sharing datasets between projects (the contract is `protocol/fs-shares.ts`):
 *
 * - a Data Owner of the dataset's project (data.share) shares it with another project,
 *   read-only or read-write; the share is pending;
 * - a Data Owner of that project (data.share there) accepts it; from then on its members
 *   reach the dataset by its own path, as `namespace-access.ts` says;
 * - a Data Owner of either project ends it (the dataset's project unsharing, or the other
 *   leaving it); access ends with it, at the next call.
 *
 * Every change is audited in both projects, in the same transaction. Which share a call
 * means is named by the dataset's path and the other project, so a caller of the other
 * project learns nothing of the dataset's project unless a share with theirs exists.
 */
import { HopsError } from '../../protocol/errors.ts';
import { shareLimits, type Share, type SharesReply } from '../../protocol/fs-shares.ts';
import { fsPathRules, parseFsPath, quotePath, showPath, type FsPathParts } from '../../protocol/fs.ts';
import type { User } from '../../protocol/projects.ts';
import { NamespaceAccess } from './namespace-access.ts';
import type { InodeRecord, NamespaceStore } from './namespace-store.ts';
import type { ProjectRecord, ProjectStore } from './project-store.ts';
import type { ShareRecord } from './shares-store.ts';

export class Shares {
  private readonly store: NamespaceStore;
  private readonly projects: ProjectStore;
  private readonly access: NamespaceAccess;
  private readonly now: () => number;

  constructor(store: NamespaceStore, projects: ProjectStore, now: () => number = Date.now) {
    this.store = store;
    this.projects = projects;
    this.access = new NamespaceAccess(store, projects);
    this.now = now;
  }

  /** Shares the dataset at `path` with `withProject` (data.share in the dataset's project); pending until accepted. */
  share(caller: User, path: string, withProject: string, readOnly = false): Share {
    const parts = datasetPath(path);
    return this.store.transaction(() => {
      const scope = this.access.projectScope(caller, parts.project ?? '', 'data.share', `sharing ${path}`);
      const dataset = this.dataset(scope.dir, parts);
      const target = this.access.project(withProject);
      if (target.id === scope.record.id) {
        throw new HopsError('VALIDATION', `${showPath(path)} belongs to "${withProject}" already; a dataset is shared with other projects.`, { field: '/withProject' });
      }
      if (this.store.shares.share(dataset.id, target.id) !== undefined) {
        throw new HopsError('SHARE_EXISTS', `${showPath(path)} is shared with "${withProject}" already.`);
      }
      if (this.store.shares.countOfDataset(dataset.id) >= shareLimits.perDataset) {
        throw new HopsError('LIMIT_REACHED', `${showPath(path)} is shared with ${shareLimits.perDataset} projects, the most a dataset may be.`);
      }
      if (this.store.shares.countInto(target.id) >= shareLimits.incomingPerProject) {
        throw new HopsError('LIMIT_REACHED', `"${withProject}" has ${shareLimits.incomingPerProject} shares, the most a project may receive.`);
      }
      const nowMs = this.now();
      this.store.shares.insert({ datasetId: dataset.id, projectId: scope.record.id, targetProjectId: target.id, readOnly, sharedBy: caller.name, sharedAtMs: nowMs });
      const share = this.mustShare(dataset.id, target.id);
      auditBoth(this.projects, caller, share, 'dataset.share', nowMs, `shared ${readOnly ? 'read-only' : 'read-write'}; pending until a Data Owner of "${withProject}" accepts`);
      return publicShare(share);
    });
  }

  /** `project` accepts the dataset at `path` shared with it (data.share in `project`). */
  accept(caller: User, project: string, path: string): Share {
    const parts = datasetPath(path);
    return this.store.transaction(() => {
      const target = this.access.projectScope(caller, project, 'data.share', `accepting the share of ${path}`);
      const share = this.find(parts, target.record);
      if (share.state === 'accepted') return publicShare(share);
      const nowMs = this.now();
      this.store.shares.accept(share.id, caller.name, nowMs);
      const accepted = this.mustShare(share.datasetId, target.record.id);
      auditBoth(this.projects, caller, accepted, 'share.accept', nowMs, `accepted ${accepted.readOnly ? 'read-only' : 'read-write'}`);
      return publicShare(accepted);
    });
  }

  /**
   * Ends the share of `path` with `withProject`, pending or accepted: a Data Owner of the
   * dataset's project unsharing, or one of `withProject` leaving it (data.share in either).
   */
  unshare(caller: User, path: string, withProject: string): Share {
    const parts = datasetPath(path);
    return this.store.transaction(() => {
      const source = this.access.project(parts.project ?? '');
      const target = this.access.project(withProject);
      const doing = `ending the share of ${path} with "${withProject}" (a Data Owner of either project may)`;
      if (!this.access.roleGrants(caller, target, 'data.share')) this.access.requireRole(caller, source, 'data.share', doing);
      const share = this.find(parts, target);
      this.store.shares.delete(share.id);
      auditBoth(this.projects, caller, share, 'dataset.unshare', this.now(), share.state === 'pending' ? 'the pending share was withdrawn' : 'access ended');
      return publicShare(share);
    });
  }

  /** What `project` shares (`outgoing`) and is shared (`incoming`), pending or accepted (data.read there). */
  list(caller: User, project: string): SharesReply {
    const scope = this.access.projectScope(caller, project, 'data.read', 'listing shares');
    return {
      incoming: this.store.shares.sharesOfProject(scope.record.id, 'incoming').map(publicShare),
      outgoing: this.store.shares.sharesOfProject(scope.record.id, 'outgoing').map(publicShare),
    };
  }

  /** The dataset at `parts` in its project's directory, or 404. */
  private dataset(projectDir: InodeRecord, parts: FsPathParts): InodeRecord {
    const dataset = this.store.child(projectDir.id, parts.dataset ?? '');
    if (dataset === undefined) throw new HopsError('PATH_NOT_FOUND', `${showPath(parts.path)} does not exist.`);
    return dataset;
  }

  /** The share of the dataset at `parts` with `target`; one 404 whether the dataset or the share is missing. */
  private find(parts: FsPathParts, target: ProjectRecord): ShareRecord {
    const source = this.projects.project(parts.project ?? '');
    const projectDir = source === undefined ? undefined : this.access.projectDir(source);
    const dataset = projectDir === undefined ? undefined : this.store.child(projectDir.id, parts.dataset ?? '');
    const share = dataset === undefined ? undefined : this.store.shares.share(dataset.id, target.id);
    if (share === undefined) throw new HopsError('SHARE_NOT_FOUND', `${showPath(parts.path)} is not shared with "${target.name}".`);
    return share;
  }

  private mustShare(datasetId: number, targetProjectId: number): ShareRecord {
    const share = this.store.shares.share(datasetId, targetProjectId);
    if (share === undefined) throw new Error(`The share of dataset ${datasetId} vanished right after it was written.`);
    return share;
  }
}

/**
 * Ends every share of a dataset that is being removed, trashed or moved into another
 * dataset (inside the caller's transaction), audited in both projects with `why`.
 */
export function endShares(store: NamespaceStore, projects: ProjectStore, caller: User, datasetId: number, atMs: number, why: string): void {
  for (const share of store.shares.sharesOf(datasetId)) {
    store.shares.delete(share.id);
    auditBoth(projects, caller, share, 'dataset.unshare', atMs, `access ended: ${why}`);
  }
}

/** A dataset path (`/Projects/<project>/<dataset>`), or 400 naming the rule. */
function datasetPath(path: string): FsPathParts {
  const parts = parseFsPath(path);
  if (parts.level !== 'dataset') {
    throw new HopsError('PATH_INVALID', `Invalid path ${quotePath(path)}: it is not a dataset (rule dataset-only: ${fsPathRules['dataset-only']}).`, { field: '/path' });
  }
  return parts;
}

function auditBoth(projects: ProjectStore, caller: User, share: ShareRecord, action: string, atMs: number, detail: string): void {
  const what = `${detail} (${share.path} with "${share.withProject}")`;
  projects.appendAudit({ atMs, user: caller.name, action, projectId: share.projectId, project: share.project, target: share.path, detail: what });
  projects.appendAudit({ atMs, user: caller.name, action, projectId: share.targetProjectId, project: share.withProject, target: share.path, detail: what });
}

function publicShare(share: ShareRecord): Share {
  return {
    path: share.path,
    project: share.project,
    dataset: share.dataset,
    withProject: share.withProject,
    readOnly: share.readOnly,
    state: share.state,
    sharedBy: share.sharedBy,
    sharedAtMs: share.sharedAtMs,
    acceptedBy: share.acceptedBy,
    acceptedAtMs: share.acceptedAtMs,
  };
}
