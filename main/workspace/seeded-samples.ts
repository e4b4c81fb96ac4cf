/** Which sample data was put on which cluster, so each is put there once and never again. */
import type { Database, Statement } from 'better-sqlite3';

export class SeededSamples {
  private readonly selectOne: Statement<[string, string], { seeded_at: number }>;
  private readonly insert: Statement<[string, string, number]>;

  constructor(db: Database) {
    this.selectOne = db.prepare(
      'SELECT seeded_at FROM seeded_samples WHERE cluster_id = (SELECT id FROM clusters WHERE name = ?) AND sample = ?',
    );
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO seeded_samples (cluster_id, sample, seeded_at) VALUES ((SELECT id FROM clusters WHERE name = ?), ?, ?)',
    );
  }

  /** When `sample` was put on `cluster`, or undefined if never. */
  seededAt(cluster: string, sample: string): number | undefined {
    return this.selectOne.get(cluster, sample)?.seeded_at;
  }

  /** Remembers that `sample` is on `cluster` now. */
  remember(cluster: string, sample: string): void {
    this.insert.run(cluster, sample, Date.now());
  }
}
