/**
 * One Monaco editor for all tabs: each file is a model of its own (kept while its tab is
 * open, with its undo history and view state), switched by `path`. Ctrl+S (⌘S) saves.
 */
import Editor from '@monaco-editor/react';
import { useEffect, useRef } from 'react';
import type { EditorTab } from '../../store/editor-tabs.ts';
import { useResolvedTheme } from '../common/theme.ts';
import { monaco, monacoLanguage } from './monaco-setup.ts';

/** A model URI per file of a cluster; the file's extension stays, so the TypeScript worker knows JS from TS. */
export function modelPath(tab: Pick<EditorTab, 'cluster' | 'path'>): string {
  return `hopsdesk://${encodeURIComponent(tab.cluster)}${tab.path.split('/').map(encodeURIComponent).join('/')}`;
}

export interface MonacoPaneProps {
  tab: EditorTab;
  onChange(text: string): void;
  onSave(): void;
}

export function MonacoPane({ tab, onChange, onSave }: MonacoPaneProps) {
  const theme = useResolvedTheme();
  const save = useRef(onSave);
  save.current = onSave;
  const mono = useRef('monospace');

  useEffect(() => {
    mono.current = getComputedStyle(document.documentElement).getPropertyValue('--font-mono').trim() || 'monospace';
  }, []);

  return (
    <div className="monaco-pane" data-testid="monaco-pane" data-path={tab.path}>
      <Editor
        path={modelPath(tab)}
        language={monacoLanguage[tab.language]}
        value={tab.text}
        theme={theme === 'dark' ? 'vs-dark' : 'vs'}
        // Models stay while their tab is open; the tabs close them (see EditorArea).
        keepCurrentModel
        saveViewState
        loading={<p className="editor-note">Loading the editor…</p>}
        options={{
          fontFamily: mono.current,
          fontSize: 13,
          minimap: { enabled: false },
          automaticLayout: true,
          scrollBeyondLastLine: false,
          renderWhitespace: 'selection',
          tabSize: 4,
        }}
        onMount={(editor) => {
          editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => save.current());
          editor.focus();
        }}
        onChange={(value) => onChange(value ?? '')}
      />
    </div>
  );
}

/** Drops the model of a closed tab, so a file opened again starts from its text then. */
export function disposeModel(tab: Pick<EditorTab, 'cluster' | 'path'>): void {
  monaco.editor.getModel(monaco.Uri.parse(modelPath(tab)))?.dispose();
}
