/**
 * The editor's open files as tabs: each with the text as saved on the cluster and the text
 * as typed, so a tab is dirty exactly when the two differ. A store of its own, apart from
 * the app store: buffers of up to a few MiB change at every keystroke, and no selector of
 * the workbench should run for each one.
 */
import { createStore } from 'zustand/vanilla';
import type { TextLanguage } from '../../protocol/previews.ts';

export type EditorTabPhase = 'loading' | 'ready' | 'failed';

export interface EditorTab {
  /** `cluster` and `path`: one tab per file of a cluster. */
  key: string;
  cluster: string;
  path: string;
  name: string;
  language: TextLanguage;
  phase: EditorTabPhase;
  /** Why the file could not be opened, in words, with what to do. */
  problem: { message: string; hint: string } | null;
  /** The text as the cluster has it at `baseMtimeMs`. */
  savedText: string;
  /** The text as typed. */
  text: string;
  /** The file's version the text was read at (null: not on the cluster yet). */
  baseMtimeMs: number | null;
  /** When a draft kept from before was restored into the tab: the bar offering to discard it. */
  restoredFromMs: number | null;
  /** The file changed on the cluster since the text was based on it; saving needs "Save anyway". */
  conflict: { changedAtMs: number | null } | null;
  saving: boolean;
  /** The workspace's draft holds exactly the text typed: nothing would be lost if the app went now. */
  draftCurrent: boolean;
}

export interface EditorState {
  tabs: EditorTab[];
  activeKey: string | null;
  /** The tab whose close waits for the user's answer about its unsaved changes. */
  closing: string | null;
}

export const tabKey = (cluster: string, path: string): string => `${cluster}\u0000${path}`;

export const isDirty = (tab: EditorTab): boolean => tab.phase === 'ready' && tab.text !== tab.savedText;

export const languageOfName = (name: string): TextLanguage => {
  const extension = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
  const known: Record<string, TextLanguage> = {
    py: 'python', js: 'javascript', mjs: 'javascript', cjs: 'javascript', jsx: 'javascript', ts: 'typescript', tsx: 'typescript', mts: 'typescript',
    yaml: 'yaml', yml: 'yaml', json: 'json', sh: 'shell', bash: 'shell', zsh: 'shell', md: 'markdown', markdown: 'markdown', txt: 'plain', log: 'plain',
  };
  return known[extension] ?? 'plain';
};

/** Whether the explorer offers to open a file of this name in the editor: text of a known kind. */
export const opensInEditor = (name: string): boolean => languageOfName(name) !== 'plain' || /\.(txt|log|cfg|ini|toml|conf)$/i.test(name);

export function createEditorStore() {
  return createStore<EditorState>()(() => ({ tabs: [], activeKey: null, closing: null }));
}

export type EditorStore = ReturnType<typeof createEditorStore>;

/** The tab with `key`, if open. */
export const tabOf = (s: EditorState, key: string): EditorTab | undefined => s.tabs.find((t) => t.key === key);

/** Changes one tab; nothing when it was closed meanwhile. */
export function updateTab(store: EditorStore, key: string, change: Partial<EditorTab> | ((tab: EditorTab) => Partial<EditorTab>)): void {
  store.setState((s) => ({
    tabs: s.tabs.map((t) => (t.key === key ? { ...t, ...(typeof change === 'function' ? change(t) : change) } : t)),
  }));
}

/** Removes a tab; the one shown next is its right neighbour, else its left. */
export function removeTab(store: EditorStore, key: string): void {
  store.setState((s) => {
    const index = s.tabs.findIndex((t) => t.key === key);
    if (index < 0) return {};
    const tabs = s.tabs.filter((t) => t.key !== key);
    const activeKey = s.activeKey !== key ? s.activeKey : (tabs[Math.min(index, tabs.length - 1)]?.key ?? null);
    return { tabs, activeKey, closing: s.closing === key ? null : s.closing };
  });
}

export const selectActiveTab = (s: EditorState): EditorTab | null => s.tabs.find((t) => t.key === s.activeKey) ?? null;
export const selectUnsavedCount = (s: EditorState): number => s.tabs.filter(isDirty).length;
