/** The workbench layout (active view, sidebar and panel), restored on the next start. */
import type { Database, Statement } from 'better-sqlite3';
import { defaultLayout, Layout } from '../../protocol/desktop-api.ts';
import { assertValid, overlayValid } from './schema-values.ts';

const LAYOUT_KEY = 'layout';

export class SavedLayout {
  private readonly select: Statement<[string], { value: string }>;
  private readonly upsert: Statement<[string, string]>;

  constructor(db: Database) {
    this.select = db.prepare('SELECT value FROM ui_state WHERE key = ?');
    this.upsert = db.prepare('INSERT INTO ui_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  }

  /** The saved layout; the default for anything never saved or no longer valid. */
  get(): Layout {
    const row = this.select.get(LAYOUT_KEY);
    return overlayValid(Layout, defaultLayout, row && (JSON.parse(row.value) as unknown));
  }

  /** Saves a complete layout after checking it against the contract; returns it. */
  save(layout: Layout): Layout {
    assertValid(Layout, layout, 'layout');
    this.upsert.run(LAYOUT_KEY, JSON.stringify(layout));
    return this.get();
  }
}
