/**
 * The editor of this window: one instance, opened from the explorer, the palette and the
 * Editor section alike. At start it brings back the files left with unsaved changes; when
 * the window is about to go it writes drafts still waiting and, if changes are unsaved,
 * lets the window ask first.
 */
import type { AppStore } from '../store/app-state.ts';
import { appStore } from '../store/app-store.ts';
import { selectActiveClusterName } from '../store/clusters-slice.ts';
import { getHops } from '../transport/index.ts';
import { createEditor, type Editor } from './editor.ts';

let editor: Editor | null = null;

/** This window's editor. */
export function windowEditor(): Editor {
  editor ??= createEditor({ hops: getHops(), notify: (level, message, detail) => appStore.getState().notify(level, message, detail) });
  return editor;
}

/** Opens a file of the cluster in the editor and shows the Editor section. */
export function openInEditor(cluster: string, path: string, store: AppStore = appStore): void {
  store.getState().showView('editor');
  void windowEditor().open(cluster, path);
}

/** Restores drafts of the active cluster once it is known, and guards the window's unload. */
export function startEditor(store: AppStore = appStore): () => void {
  const restored = new Set<string>();
  const restore = (cluster: string | null) => {
    if (cluster === null || restored.has(cluster)) return;
    restored.add(cluster);
    const ed = windowEditor();
    const before = ed.store.getState().tabs.length;
    void ed.restoreDrafts(cluster).then(() => {
      const count = ed.store.getState().tabs.length - before;
      if (count > 0) {
        store.getState().notify('info', `Unsaved changes to ${count === 1 ? 'a file' : `${count} files`} from last time are open in the Editor.`);
      }
    });
  };
  restore(selectActiveClusterName(store.getState()));
  const unsubscribe = store.subscribe((s) => restore(selectActiveClusterName(s)));
  const onBeforeUnload = (event: BeforeUnloadEvent) => {
    const ed = windowEditor();
    void ed.flushDrafts();
    // The browser (or the desktop window) asks whether to leave; the drafts are kept either way.
    if (ed.hasUnsaved()) event.preventDefault();
  };
  window.addEventListener('beforeunload', onBeforeUnload);
  return () => {
    unsubscribe();
    window.removeEventListener('beforeunload', onBeforeUnload);
  };
}
