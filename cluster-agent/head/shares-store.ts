/**
 * The SQL of dataset shares (table `shares`, migration 5 in `cluster-db.ts`). Rows in,
 * records out; who may share, accept or read through a share is `shares.ts` and
 * `namespace-access.ts`. A share names its dataset by inode, so it follows a rename, and
 * goes when the dataset's inode or either project does (foreign keys).
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Share, ShareState } from '../../protocol/fs-shares.ts';
import { projectPath } from '../../protocol/fs.ts';
import type { Role } from '../../protocol/projects.ts';
import { prepared } from './sqlite.ts';

/** A share as stored, with what its messages and replies need. */
export interface ShareRecord extends Share {
  id: number;
  datasetId: number;
  projectId: number;
  targetProjectId: number;
}

/** How a user reaches a dataset through a share: the project it is shared with and their role there. */
export interface ShareGrant {
  withProject: string;
  role: Role;
  readOnly: boolean;
}

interface ShareRow {
  id: number;
  dataset_id: number;
  project_id: number;
  target_project_id: number;
  read_only: number;
  state: ShareState;
  shared_by: string;
  shared_at: number;
  accepted_by: string | null;
  accepted_at: number | null;
  project: string;
  dataset: string;
  target: string;
}

const selectShares = `SELECT s.*, p.name AS project, d.name AS dataset, t.name AS target
  FROM shares s JOIN projects p ON p.id = s.project_id JOIN projects t ON t.id = s.target_project_id JOIN inodes d ON d.id = s.dataset_id`;

const toShare = (row: ShareRow): ShareRecord => ({
  id: row.id,
  datasetId: row.dataset_id,
  projectId: row.project_id,
  targetProjectId: row.target_project_id,
  path: `${projectPath(row.project)}/${row.dataset}`,
  project: row.project,
  dataset: row.dataset,
  withProject: row.target,
  readOnly: row.read_only === 1,
  state: row.state,
  sharedBy: row.shared_by,
  sharedAtMs: row.shared_at,
  acceptedBy: row.accepted_by,
  acceptedAtMs: row.accepted_at,
});

/** The shares table of the cluster database. */
export class ShareStore {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** The share of dataset `datasetId` with project `targetProjectId`. */
  share(datasetId: number, targetProjectId: number): ShareRecord | undefined {
    const row = prepared(this.db,`${selectShares} WHERE s.dataset_id = ? AND s.target_project_id = ?`).get(datasetId, targetProjectId) as ShareRow | undefined;
    return row === undefined ? undefined : toShare(row);
  }

  /** Every share of a dataset. */
  sharesOf(datasetId: number): ShareRecord[] {
    return (prepared(this.db,`${selectShares} WHERE s.dataset_id = ? ORDER BY t.name`).all(datasetId) as unknown as ShareRow[]).map(toShare);
  }

  /** Shares a project received (`incoming`) or gave (`outgoing`), by path then project. */
  sharesOfProject(projectId: number, direction: 'incoming' | 'outgoing'): ShareRecord[] {
    const column = direction === 'incoming' ? 's.target_project_id' : 's.project_id';
    return (prepared(this.db,`${selectShares} WHERE ${column} = ? ORDER BY p.name, d.name, t.name`).all(projectId) as unknown as ShareRow[]).map(toShare);
  }

  /** Accepted shares a project received whose listing name (`<project>::<dataset>`) sorts after `afterName`, at most `limit`. */
  acceptedInto(targetProjectId: number, afterName: string | undefined, limit: number): ShareRecord[] {
    const rows = prepared(
        this.db,
        `SELECT * FROM (${selectShares} WHERE s.target_project_id = ? AND s.state = 'accepted')
         WHERE ? IS NULL OR project || '::' || dataset > ? ORDER BY project || '::' || dataset LIMIT ?`,
      )
      .all(targetProjectId, afterName ?? null, afterName ?? null, limit) as unknown as ShareRow[];
    return rows.map(toShare);
  }

  countOfDataset(datasetId: number): number {
    return (prepared(this.db,'SELECT count(*) AS n FROM shares WHERE dataset_id = ?').get(datasetId) as { n: number }).n;
  }

  countInto(targetProjectId: number): number {
    return (prepared(this.db,'SELECT count(*) AS n FROM shares WHERE target_project_id = ?').get(targetProjectId) as { n: number }).n;
  }

  /**
   * The accepted shares of `datasetId` through which `user` reaches it: one per project
   * it is shared with that has them as a member. One indexed lookup, made only when the
   * caller's own role does not already decide.
   */
  grants(datasetId: number, user: string): ShareGrant[] {
    const rows = prepared(
        this.db,
        `SELECT t.name AS target, m.role, s.read_only FROM shares s
         JOIN members m ON m.project_id = s.target_project_id AND m.user_name = ?
         JOIN projects t ON t.id = s.target_project_id
         WHERE s.dataset_id = ? AND s.state = 'accepted'`,
      )
      .all(user, datasetId) as unknown as Array<{ target: string; role: Role; read_only: number }>;
    return rows.map((row) => ({ withProject: row.target, role: row.role, readOnly: row.read_only === 1 }));
  }

  insert(share: { datasetId: number; projectId: number; targetProjectId: number; readOnly: boolean; sharedBy: string; sharedAtMs: number }): void {
    prepared(
        this.db,
        "INSERT INTO shares (dataset_id, project_id, target_project_id, read_only, state, shared_by, shared_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)",
      )
      .run(share.datasetId, share.projectId, share.targetProjectId, share.readOnly ? 1 : 0, share.sharedBy, share.sharedAtMs);
  }

  accept(id: number, acceptedBy: string, acceptedAtMs: number): void {
    prepared(this.db,"UPDATE shares SET state = 'accepted', accepted_by = ?, accepted_at = ? WHERE id = ?").run(acceptedBy, acceptedAtMs, id);
  }

  delete(id: number): void {
    prepared(this.db,'DELETE FROM shares WHERE id = ?').run(id);
  }
}
