/**
 * The last host list seen for each cluster, kept so the UI can still show a cluster's
 * machines while it is offline. The head stays the source of truth; this is a copy.
 */
import type { Database, Statement, Transaction } from 'better-sqlite3';
import { Value } from '@sinclair/typebox/value';
import { HopsError } from '../../protocol/errors.ts';
import { ClusterHost } from '../../protocol/host.ts';

export class CachedHosts {
  private readonly selectClusterId: Statement<[string], { id: number }>;
  private readonly selectHosts: Statement<[string], { host: string }>;
  private readonly replaceAll: Transaction<(cluster: string, hosts: ClusterHost[]) => void>;

  constructor(db: Database) {
    this.selectClusterId = db.prepare('SELECT id FROM clusters WHERE name = ?');
    this.selectHosts = db.prepare(
      `SELECT h.host FROM cluster_hosts h JOIN clusters c ON c.id = h.cluster_id
       WHERE c.name = ? ORDER BY h.hostname, h.host_id`,
    );
    const deleteHosts = db.prepare<[number]>('DELETE FROM cluster_hosts WHERE cluster_id = ?');
    const insertHost = db.prepare<[number, string, string, string, number]>(
      'INSERT INTO cluster_hosts (cluster_id, host_id, hostname, host, updated_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.replaceAll = db.transaction((cluster: string, hosts: ClusterHost[]) => {
      const row = this.selectClusterId.get(cluster);
      if (!row) throw new HopsError('CLUSTER_NOT_FOUND', `No cluster named "${cluster}" in this workspace.`);
      deleteHosts.run(row.id);
      const now = Date.now();
      for (const host of hosts) insertHost.run(row.id, host.hostId, host.hostname, JSON.stringify(host), now);
    });
  }

  /** Replaces the cached hosts of `cluster` with `hosts`, all at once or not at all. */
  replace(cluster: string, hosts: ClusterHost[]): void {
    this.replaceAll.immediate(cluster, hosts);
  }

  /**
   * The cached hosts of `cluster` by hostname (empty for an unknown cluster). Entries an
   * older Hopsdesk wrote in a shape this one no longer reads are skipped; the next
   * connection refreshes them.
   */
  list(cluster: string): ClusterHost[] {
    return this.selectHosts
      .all(cluster)
      .map((row) => JSON.parse(row.host) as unknown)
      .filter((host): host is ClusterHost => Value.Check(ClusterHost, host));
  }
}
