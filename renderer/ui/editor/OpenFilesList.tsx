/** The Editor section's side bar: the open files, unsaved ones marked; a click shows one. */
import { FileCode2 } from 'lucide-react';
import { useStore } from 'zustand';
import { windowEditor } from '../../app/editor-window.ts';
import { isDirty } from '../../store/editor-tabs.ts';

export function OpenFilesList() {
  const editor = windowEditor();
  const tabs = useStore(editor.store, (s) => s.tabs);
  const activeKey = useStore(editor.store, (s) => s.activeKey);
  if (tabs.length === 0) return <p className="side-bar-note">No files open. Open one from the dataset explorer.</p>;
  return (
    <ul className="side-bar-list" aria-label="Open files">
      {tabs.map((tab) => (
        <li key={tab.key}>
          <button type="button" className="side-bar-list-item" aria-current={tab.key === activeKey ? 'true' : undefined} title={tab.path} onClick={() => editor.show(tab.key)}>
            <FileCode2 size={14} aria-hidden="true" />
            <span className="tree-label">{tab.name}</span>
            <span className="tree-meta">{isDirty(tab) ? 'unsaved' : tab.phase === 'failed' ? 'could not open' : ''}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
