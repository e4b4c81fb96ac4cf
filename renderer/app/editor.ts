/**
 * The editor's behaviour apart from Monaco and React: opening files of the cluster as tabs,
 * keeping every unsaved change as a draft in the workspace a moment after typing stops,
 * restoring drafts when a file is opened again or the app starts, saving (Ctrl+S) with a
 * conflict check against the version the changes were made on, and asking before a tab
 * with unsaved changes closes.
 */
import type { HopsApi } from '../../protocol/desktop-api.ts';
import { fsName } from '../../protocol/fs.ts';
import type { Draft } from '../../protocol/text-files.ts';
import { createEditorStore, isDirty, languageOfName, removeTab, tabKey, tabOf, updateTab, type EditorStore, type EditorTab } from '../store/editor-tabs.ts';
import type { NoticeLevel } from '../store/notifications-slice.ts';
import { globalTimers, type Timers } from '../transport/web-client.ts';
import { textSource } from './editor-text.ts';
import { problemOf } from './problems.ts';

export interface EditorOptions {
  hops: HopsApi;
  notify(level: NoticeLevel, message: string, detail?: string): void;
  store?: EditorStore;
  timers?: Timers;
  /** Quiet time after the last keystroke before the draft is written. */
  draftDelayMs?: number;
}

export type CloseAnswer = 'save' | 'discard' | 'cancel';

export interface Editor {
  readonly store: EditorStore;
  /** Opens a file of a cluster in a tab (or shows its tab), with its draft if one is kept. */
  open(cluster: string, path: string): Promise<void>;
  show(key: string): void;
  /** The text of a tab changed; its draft follows a moment later. */
  edit(key: string, text: string): void;
  /** Writes the tab's text to the cluster; `anyway` replaces a file changed meanwhile. True when saved. */
  save(key: string, options?: { anyway?: boolean }): Promise<boolean>;
  /** Closes a tab at once when nothing is unsaved (true); otherwise asks, through `closing`. */
  requestClose(key: string): boolean;
  /** The user's answer to the question `requestClose` asked. */
  answerClose(answer: CloseAnswer): Promise<void>;
  /** Throws the unsaved changes away: the tab shows the cluster's text again and the draft is forgotten. */
  discardChanges(key: string): Promise<void>;
  /** Hides the "restored unsaved changes" bar, keeping the changes. */
  keepRestored(key: string): void;
  /** Opens every file of `cluster` that has a draft: what was left unsaved last time. */
  restoreDrafts(cluster: string): Promise<void>;
  /** Writes the drafts still waiting for their quiet time, e.g. before the window goes. */
  flushDrafts(): Promise<void>;
  hasUnsaved(): boolean;
}

export function createEditor(options: EditorOptions): Editor {
  const { hops, notify } = options;
  const store = options.store ?? createEditorStore();
  const timers = options.timers ?? globalTimers;
  const draftDelayMs = options.draftDelayMs ?? 700;
  /** Per tab: the draft timer, and draft writes one after another (a late write must not undo a discard). */
  const pendingDrafts = new Map<string, unknown>();
  const draftQueue = new Map<string, Promise<void>>();
  /** Tabs whose file has a draft in the workspace now. */
  const kept = new Set<string>();

  const queue = (key: string, work: () => Promise<void>): Promise<void> => {
    const next = (draftQueue.get(key) ?? Promise.resolve()).then(work, work);
    draftQueue.set(key, next);
    return next;
  };

  const writeDraft = (key: string) =>
    queue(key, async () => {
      const tab = tabOf(store.getState(), key);
      if (tab === undefined) return;
      try {
        if (isDirty(tab)) {
          await hops.draft.save({ cluster: tab.cluster, path: tab.path, baseMtimeMs: tab.baseMtimeMs, ...(await textSource(hops, tab.text)) });
          kept.add(key);
          updateTab(store, key, (now) => ({ draftCurrent: now.text === tab.text }));
        } else if (kept.has(key)) {
          await hops.draft.discard({ cluster: tab.cluster, path: tab.path });
          kept.delete(key);
        }
      } catch (err) {
        const problem = problemOf(err);
        notify('warning', `Unsaved changes to ${tab.name} could not be kept as a draft: ${problem.message}`, problem.hint);
      }
    });

  const cancelDraftTimer = (key: string) => {
    const timer = pendingDrafts.get(key);
    if (timer !== undefined) timers.clearTimeout(timer);
    pendingDrafts.delete(key);
  };

  const scheduleDraft = (key: string) => {
    cancelDraftTimer(key);
    pendingDrafts.set(
      key,
      timers.setTimeout(() => {
        pendingDrafts.delete(key);
        void writeDraft(key);
      }, draftDelayMs),
    );
  };

  const forgetDraft = (key: string, cluster: string, path: string) =>
    queue(key, async () => {
      if (!kept.has(key)) return;
      await hops.draft.discard({ cluster, path }).catch(() => undefined);
      kept.delete(key);
    });

  /** Reads the file and its draft into the tab. */
  const load = async (key: string, cluster: string, path: string) => {
    const [file, draft] = await Promise.allSettled([hops.file.readText({ cluster, path }), hops.draft.get({ cluster, path }).then((r) => r.draft)]);
    const draftKept = draft.status === 'fulfilled' ? draft.value : null;
    if (draftKept !== null) kept.add(key);
    if (file.status === 'rejected') {
      const problem = problemOf(file.reason);
      if (problem.code === 'PATH_NOT_FOUND' && draftKept !== null) return restoreMissing(key, draftKept);
      updateTab(store, key, { phase: 'failed', problem: { message: problem.message, hint: problem.hint } });
      return;
    }
    const { text, mtimeMs, language } = file.value;
    if (draftKept === null || (draftKept.text === text && draftKept.baseMtimeMs === mtimeMs)) {
      // A draft that says what the file says already has nothing to restore.
      if (draftKept !== null) void forgetDraft(key, cluster, path);
      updateTab(store, key, { phase: 'ready', language, savedText: text, text, baseMtimeMs: mtimeMs });
      return;
    }
    updateTab(store, key, {
      phase: 'ready',
      language,
      savedText: text,
      text: draftKept.text,
      // Saving checks against the version the changes were made on, so a changed file is not overwritten unasked.
      baseMtimeMs: draftKept.baseMtimeMs,
      restoredFromMs: draftKept.savedAtMs,
      conflict: draftKept.baseMtimeMs === mtimeMs ? null : { changedAtMs: mtimeMs },
      draftCurrent: true,
    });
  };

  /** A draft of a file no longer (or not yet) on the cluster. */
  const restoreMissing = (key: string, draft: Draft) => {
    updateTab(store, key, {
      phase: 'ready',
      savedText: '',
      text: draft.text,
      baseMtimeMs: draft.baseMtimeMs,
      restoredFromMs: draft.savedAtMs,
      conflict: draft.baseMtimeMs === null ? null : { changedAtMs: null },
      draftCurrent: true,
    });
  };

  const close = (key: string) => {
    cancelDraftTimer(key);
    removeTab(store, key);
  };

  const editor: Editor = {
    store,
    async open(cluster, path) {
      const key = tabKey(cluster, path);
      if (tabOf(store.getState(), key) !== undefined) {
        store.setState({ activeKey: key });
        return;
      }
      const name = fsName(path);
      const tab: EditorTab = {
        key, cluster, path, name, language: languageOfName(name), phase: 'loading', problem: null,
        savedText: '', text: '', baseMtimeMs: null, restoredFromMs: null, conflict: null, saving: false, draftCurrent: false,
      };
      store.setState((s) => ({ tabs: [...s.tabs, tab], activeKey: key }));
      await load(key, cluster, path);
    },
    show(key) {
      if (tabOf(store.getState(), key) !== undefined) store.setState({ activeKey: key });
    },
    edit(key, text) {
      const tab = tabOf(store.getState(), key);
      if (tab === undefined || tab.phase !== 'ready' || tab.text === text) return;
      updateTab(store, key, { text, draftCurrent: false });
      scheduleDraft(key);
    },
    async save(key, { anyway = false } = {}) {
      const tab = tabOf(store.getState(), key);
      if (tab === undefined || tab.phase !== 'ready' || tab.saving) return false;
      cancelDraftTimer(key);
      updateTab(store, key, { saving: true });
      const text = tab.text;
      try {
        const saved = await hops.file.writeText({
          cluster: tab.cluster,
          path: tab.path,
          ...(anyway ? {} : { baseMtimeMs: tab.baseMtimeMs }),
          ...(await textSource(hops, text)),
        });
        updateTab(store, key, { saving: false, savedText: text, baseMtimeMs: saved.mtimeMs, conflict: null, restoredFromMs: null });
        // Typing during the save made new changes: they get a draft of their own.
        const now = tabOf(store.getState(), key);
        if (now !== undefined && isDirty(now)) void writeDraft(key);
        else await forgetDraft(tab.key, tab.cluster, tab.path);
        return true;
      } catch (err) {
        const problem = problemOf(err);
        if (problem.code === 'FILE_CHANGED') {
          updateTab(store, key, { saving: false, conflict: { changedAtMs: null } });
          notify('warning', `${tab.name} was not saved: ${problem.message}`, problem.hint);
        } else {
          updateTab(store, key, { saving: false });
          notify('error', `Could not save ${tab.name}: ${problem.message}`, problem.hint);
        }
        // The changes are safe either way: they stay in the tab and in the draft.
        if (isDirty(tabOf(store.getState(), key) ?? tab)) void writeDraft(key);
        return false;
      }
    },
    requestClose(key) {
      const tab = tabOf(store.getState(), key);
      if (tab === undefined) return true;
      if (!isDirty(tab)) {
        close(key);
        return true;
      }
      store.setState({ closing: key, activeKey: key });
      return false;
    },
    async answerClose(answer) {
      const key = store.getState().closing;
      if (key === null) return;
      store.setState({ closing: null });
      const tab = tabOf(store.getState(), key);
      if (tab === undefined || answer === 'cancel') return;
      if (answer === 'save') {
        if (await editor.save(key)) close(key);
        return;
      }
      close(key);
      await forgetDraft(tab.key, tab.cluster, tab.path);
    },
    async discardChanges(key) {
      const tab = tabOf(store.getState(), key);
      if (tab === undefined) return;
      cancelDraftTimer(key);
      await forgetDraft(tab.key, tab.cluster, tab.path);
      updateTab(store, key, { phase: 'loading', restoredFromMs: null, conflict: null });
      await load(key, tab.cluster, tab.path);
    },
    keepRestored(key) {
      updateTab(store, key, { restoredFromMs: null });
    },
    async restoreDrafts(cluster) {
      let drafts;
      try {
        ({ drafts } = await hops.draft.list({ cluster }));
      } catch (err) {
        const problem = problemOf(err);
        notify('warning', `Could not read the unsaved changes kept from last time: ${problem.message}`, problem.hint);
        return;
      }
      const active = store.getState().activeKey;
      // Oldest first, so the most recent draft ends up in front.
      await Promise.all([...drafts].reverse().map((d) => editor.open(cluster, d.path)));
      if (active !== null) store.setState({ activeKey: active });
    },
    async flushDrafts() {
      const waiting = [...pendingDrafts.keys()];
      for (const key of waiting) cancelDraftTimer(key);
      await Promise.all(waiting.map(writeDraft));
    },
    hasUnsaved: () => store.getState().tabs.some(isDirty),
  };
  return editor;
}
