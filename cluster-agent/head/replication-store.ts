/**
 * The SQL behind the filesystem's durability: which blocks of complete files are short
 * of replicas, have corrupt ones or too many, how much of the namespace the workers have
 * reported (safe mode), the health of a page of files, and fsck's figures. Over the
 * cluster database's connection (tables of migration 4 in `cluster-db.ts`); no rule
 * lives here, the callers say which hosts count.
 *
 * Host sets travel as one JSON array parameter (`json_each`), so a query stays one
 * prepared statement whatever the number of hosts.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { FileStat, ReplicaState } from '../../protocol/fs.ts';
import { inTransaction, prepared } from './sqlite.ts';

/** A block of a complete file with the replicas the head knows, in pipeline order. */
export interface TrackedBlock {
  blockId: string;
  inodeId: number;
  index: number;
  size: number;
  sha256: string;
  replication: number;
  /** Finalized replicas on the hosts the caller counts. */
  live: number;
  replicas: Array<{ hostId: string; state: ReplicaState; ord: number }>;
}

export type FileHealth = NonNullable<FileStat['health']>;

/** A block fsck lists, with its file's path. */
export interface ProblemBlock extends TrackedBlock {
  path: string;
}

export type ProblemKind = 'missing' | 'corrupt' | 'underReplicated';

interface BlockRow {
  id: string;
  inode_id: number;
  idx: number;
  size: number;
  sha256: string;
  replication: number;
  live: number;
  path?: string;
}

/** Finalized replicas of a block on the hosts in the JSON array `?1`. */
const liveReplicas = `(SELECT count(*) FROM replicas r WHERE r.block_id = b.id AND r.state = 'finalized' AND r.host_id IN (SELECT value FROM json_each(?1)))`;
const corruptReplicas = `(SELECT count(*) FROM replicas r WHERE r.block_id = b.id AND r.state = 'corrupt')`;

/** The subtree under inode `?2` whose path is `?3`: complete inodes with their paths. */
const subtree = `WITH RECURSIVE tree(id, type, size, replication, path) AS (
    SELECT id, type, size, replication, ?3 FROM inodes WHERE id = ?2
    UNION ALL
    SELECT i.id, i.type, i.size, i.replication, t.path || '/' || i.name FROM inodes i JOIN tree t ON i.parent_id = t.id WHERE i.state = 'complete'
  )`;

/** How each kind of problem is told apart, worst first: a block counts once, in its worst kind. */
const problemWhere: Record<ProblemKind, string> = {
  missing: 'live = 0',
  corrupt: 'live > 0 AND corrupt > 0',
  underReplicated: 'live > 0 AND corrupt = 0 AND live < replication',
};

export class ReplicationStore {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** Runs `work` in one write transaction. */
  transaction<T>(work: () => T): T {
    return inTransaction(this.db, work);
  }

  /** Blocks of complete files, and how many of them have a finalized replica on one of `hostIds` (safe mode). */
  reportedBlocks(hostIds: readonly string[]): { total: number; reported: number } {
    const row = prepared(
        this.db,
        `SELECT count(*) AS total, coalesce(sum(EXISTS (SELECT 1 FROM replicas r WHERE r.block_id = b.id AND r.state = 'finalized'
           AND r.host_id IN (SELECT value FROM json_each(?1)))), 0) AS reported
         FROM blocks b JOIN inodes i ON i.id = b.inode_id WHERE i.state = 'complete' AND b.sha256 IS NOT NULL`,
      )
      .get(JSON.stringify(hostIds)) as { total: number; reported: number };
    return { total: row.total, reported: row.reported };
  }

  /**
   * Blocks of complete files with fewer finalized replicas on `countedHostIds` than their
   * file's replication: fewest replicas first, then oldest; at most `limit`.
   */
  underReplicated(countedHostIds: readonly string[], limit: number): TrackedBlock[] {
    const rows = prepared(
        this.db,
        `SELECT * FROM (
           SELECT b.id, b.inode_id, b.idx, b.size, b.sha256, i.replication, ${liveReplicas} AS live, b.created_at
           FROM blocks b JOIN inodes i ON i.id = b.inode_id WHERE i.state = 'complete' AND b.sha256 IS NOT NULL)
         WHERE live < replication ORDER BY live, created_at LIMIT ?2`,
      )
      .all(JSON.stringify(countedHostIds), limit) as unknown as BlockRow[];
    return this.withReplicas(rows);
  }

  /** Blocks of complete files with more finalized replicas on `hostIds` than their file's replication; at most `limit`. */
  overReplicated(hostIds: readonly string[], limit: number): TrackedBlock[] {
    const rows = prepared(
        this.db,
        `SELECT * FROM (
           SELECT b.id, b.inode_id, b.idx, b.size, b.sha256, i.replication, ${liveReplicas} AS live
           FROM blocks b JOIN inodes i ON i.id = b.inode_id WHERE i.state = 'complete' AND b.sha256 IS NOT NULL)
         WHERE live > replication LIMIT ?2`,
      )
      .all(JSON.stringify(hostIds), limit) as unknown as BlockRow[];
    return this.withReplicas(rows);
  }

  /** Blocks of complete files with a corrupt replica, and their finalized replicas on `countedHostIds`; at most `limit`. */
  withCorruptReplicas(countedHostIds: readonly string[], limit: number): TrackedBlock[] {
    const rows = prepared(
        this.db,
        `SELECT b.id, b.inode_id, b.idx, b.size, b.sha256, i.replication, ${liveReplicas} AS live
         FROM blocks b JOIN inodes i ON i.id = b.inode_id
         WHERE i.state = 'complete' AND b.sha256 IS NOT NULL AND EXISTS (SELECT 1 FROM replicas r WHERE r.block_id = b.id AND r.state = 'corrupt')
         LIMIT ?2`,
      )
      .all(JSON.stringify(countedHostIds), limit) as unknown as BlockRow[];
    return this.withReplicas(rows);
  }

  /** How many replicas each host holds, to spread copies and pick which excess replica goes. */
  replicasPerHost(): Map<string, number> {
    const rows = prepared(this.db,'SELECT host_id, count(*) AS n FROM replicas GROUP BY host_id').all() as unknown as Array<{ host_id: string; n: number }>;
    return new Map(rows.map((row) => [row.host_id, row.n]));
  }

  /**
   * Health of the complete files named `names` in directory `parentId`, in one query per
   * page: the fewest finalized replicas on `reachableHostIds` over each file's blocks.
   */
  fileHealth(parentId: number, names: readonly string[], reachableHostIds: readonly string[]): Map<string, FileHealth> {
    if (names.length === 0) return new Map();
    const rows = prepared(
        this.db,
        `SELECT i.name AS name, i.replication AS replication, count(b.id) AS blocks, min(${liveReplicas}) AS fewest
         FROM inodes i LEFT JOIN blocks b ON b.inode_id = i.id
         WHERE i.parent_id = ?2 AND i.state = 'complete' AND i.type = 'file' AND i.name IN (SELECT value FROM json_each(?3))
         GROUP BY i.id`,
      )
      .all(JSON.stringify(reachableHostIds), parentId, JSON.stringify(names)) as unknown as Array<{ name: string; replication: number; blocks: number; fewest: number | null }>;
    return new Map(rows.map((row) => [row.name, healthOf(row.blocks, row.fewest ?? 0, row.replication)]));
  }

  /** fsck's totals for the subtree at inode `inodeId` (whose path is `path`). */
  subtreeTotals(inodeId: number, path: string): { files: number; dirs: number; blocks: number; bytes: number } {
    const row = prepared(
        this.db,
        `${subtree}
         SELECT coalesce(sum(type = 'file'), 0) AS files, coalesce(sum(type = 'dir'), 0) AS dirs,
           coalesce(sum(CASE WHEN type = 'file' THEN size ELSE 0 END), 0) AS bytes,
           (SELECT count(*) FROM blocks b WHERE b.inode_id IN (SELECT id FROM tree WHERE type = 'file')) AS blocks
         FROM tree`,
      )
      .get('[]', inodeId, path) as { files: number; dirs: number; blocks: number; bytes: number };
    return { files: row.files, dirs: row.dirs, blocks: row.blocks, bytes: row.bytes };
  }

  /**
   * Blocks in the subtree at inode `inodeId` with a problem of `kind`, counting replicas
   * on `reachableHostIds`: how many, and the first `limit` of them (by path and index).
   */
  problems(kind: ProblemKind, inodeId: number, path: string, reachableHostIds: readonly string[], limit: number): { count: number; blocks: ProblemBlock[] } {
    const blocksOf = `${subtree},
      checked AS (
        SELECT b.id, b.inode_id, b.idx, b.size, b.sha256, t.replication, t.path, ${liveReplicas} AS live, ${corruptReplicas} AS corrupt
        FROM tree t JOIN blocks b ON b.inode_id = t.id WHERE t.type = 'file' AND b.sha256 IS NOT NULL)`;
    const args = [JSON.stringify(reachableHostIds), inodeId, path] as const;
    const count = (prepared(this.db,`${blocksOf} SELECT count(*) AS n FROM checked WHERE ${problemWhere[kind]}`).get(...args) as { n: number }).n;
    const rows = prepared(this.db, `${blocksOf} SELECT * FROM checked WHERE ${problemWhere[kind]} ORDER BY path, idx LIMIT ?4`)
      .all(...args, limit) as unknown as BlockRow[];
    const blocks = this.withReplicas(rows).map((block, i) => ({ ...block, path: rows[i]?.path ?? '' }));
    return { count, blocks };
  }

  private withReplicas(rows: BlockRow[]): TrackedBlock[] {
    if (rows.length === 0) return [];
    const replicas = prepared(this.db, 'SELECT block_id, host_id, state, ord FROM replicas WHERE block_id IN (SELECT value FROM json_each(?)) ORDER BY block_id, ord')
      .all(JSON.stringify(rows.map((row) => row.id))) as unknown as Array<{ block_id: string; host_id: string; state: ReplicaState; ord: number }>;
    const byBlock = new Map<string, TrackedBlock['replicas']>();
    for (const r of replicas) byBlock.set(r.block_id, [...(byBlock.get(r.block_id) ?? []), { hostId: r.host_id, state: r.state, ord: r.ord }]);
    return rows.map((row) => ({
      blockId: row.id,
      inodeId: row.inode_id,
      index: row.idx,
      size: row.size,
      sha256: row.sha256,
      replication: row.replication,
      live: row.live,
      replicas: byBlock.get(row.id) ?? [],
    }));
  }
}

/** A file's health from its block count and the fewest live replicas any of its blocks has. */
export function healthOf(blocks: number, fewest: number, replication: number): FileHealth {
  if (blocks === 0) return 'healthy';
  if (fewest === 0) return 'unavailable';
  return fewest < replication ? 'under-replicated' : 'healthy';
}
