/** What the user opened lately (hosts, clusters, views), newest first, for quick reopening. */
import type { Database, Statement, Transaction } from 'better-sqlite3';
import { RecentItem, type RecentEntry } from '../../protocol/desktop-api.ts';
import { limits } from '../../protocol/limits.ts';
import { assertValid } from './schema-values.ts';

interface RecentRow {
  kind: RecentItem['kind'];
  ref: string;
  title: string;
  opened_at: number;
}

export class RecentItems {
  private readonly selectAll: Statement<[number], RecentRow>;
  private readonly addAndTrim: Transaction<(item: RecentItem) => void>;

  constructor(db: Database) {
    this.selectAll = db.prepare('SELECT kind, ref, title, opened_at FROM recent_items ORDER BY opened_at DESC, id DESC LIMIT ?');
    // Two opens within one millisecond must still sort in the order they happened, so
    // the clock used here never goes backwards or stands still.
    const upsert = db.prepare<[string, string, string, number]>(
      `INSERT INTO recent_items (kind, ref, title, opened_at)
       VALUES (?, ?, ?, max(?, coalesce((SELECT max(opened_at) FROM recent_items), 0) + 1))
       ON CONFLICT (kind, ref) DO UPDATE SET title = excluded.title, opened_at = excluded.opened_at`,
    );
    const trim = db.prepare<[number]>(
      'DELETE FROM recent_items WHERE id NOT IN (SELECT id FROM recent_items ORDER BY opened_at DESC, id DESC LIMIT ?)',
    );
    this.addAndTrim = db.transaction((item: RecentItem) => {
      upsert.run(item.kind, item.ref, item.title, Date.now());
      trim.run(limits.maxRecentItems);
    });
  }

  /** Recent items, newest first, at most `limits.maxRecentItems`. */
  list(): RecentEntry[] {
    return this.selectAll
      .all(limits.maxRecentItems)
      .map((row) => ({ kind: row.kind, ref: row.ref, title: row.title, openedAtMs: row.opened_at }));
  }

  /** Remembers an opened item; opening one again moves it to the top with its new title. */
  add(item: RecentItem): void {
    assertValid(RecentItem, item, 'recent item');
    this.addAndTrim.immediate(item);
  }
}
