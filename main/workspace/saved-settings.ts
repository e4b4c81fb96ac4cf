/** The user's preferences, one JSON value per key, read through the contract's `Settings` schema. */
import { Type } from '@sinclair/typebox';
import type { Database, Statement, Transaction } from 'better-sqlite3';
import { defaultSettings, Settings } from '../../protocol/desktop-api.ts';
import { assertValid, overlayValid } from './schema-values.ts';

const SettingsPatch = Type.Partial(Settings, { additionalProperties: false });

export class SavedSettings {
  private readonly selectAll: Statement<[], { key: string; value: string }>;
  private readonly upsertAll: Transaction<(patch: Partial<Settings>) => void>;

  constructor(db: Database) {
    this.selectAll = db.prepare('SELECT key, value FROM settings');
    const upsert = db.prepare<[string, string]>(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.upsertAll = db.transaction((patch: Partial<Settings>) => {
      for (const [key, value] of Object.entries(patch)) {
        if (value !== undefined) upsert.run(key, JSON.stringify(value));
      }
    });
  }

  /** Every setting, with the default wherever none (or none still valid) is stored. */
  get(): Settings {
    const stored = Object.fromEntries(this.selectAll.all().map((row) => [row.key, JSON.parse(row.value) as unknown]));
    return overlayValid(Settings, defaultSettings, stored);
  }

  /** Changes the given settings together; refuses unknown keys and invalid values. Returns all settings. */
  update(patch: Partial<Settings>): Settings {
    assertValid(SettingsPatch, patch, 'settings');
    this.upsertAll.immediate(patch);
    return this.get();
  }
}
