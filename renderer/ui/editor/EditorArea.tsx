/**
 * The Editor section: open files as tabs (a dot marks unsaved changes; middle-click or the
 * cross closes, asking first when something is unsaved), the file's path with Save and
 * Run as job, the bars for restored drafts and conflicts, and Monaco. Monaco (megabytes) is
 * loaded once a file shows; the tabs, bars and questions never wait for it.
 */
import { Play, Save, X } from 'lucide-react';
import { lazy, Suspense, useEffect, type KeyboardEvent, type MouseEvent } from 'react';
import { useStore } from 'zustand';
import { jobPrefillFor } from '../../app/editor-run.ts';
import { windowEditor } from '../../app/editor-window.ts';
import { openJobForm } from '../../app/job-form.ts';
import { appStore } from '../../store/app-store.ts';
import { isDirty, selectActiveTab, type EditorState, type EditorTab } from '../../store/editor-tabs.ts';
import { RelativeTime } from '../common/RelativeTime.tsx';
import { CloseDialog } from './CloseDialog.tsx';

const MonacoPane = lazy(() => import('./MonacoPane.tsx').then((m) => ({ default: m.MonacoPane })));

function useEditorState<T>(selector: (s: EditorState) => T): T {
  return useStore(windowEditor().store, selector);
}

export function EditorArea() {
  const editor = windowEditor();
  const tabs = useEditorState((s) => s.tabs);
  const active = useEditorState(selectActiveTab);
  const closing = useEditorState((s) => s.closing);

  useEffect(
    () =>
      editor.store.subscribe((now, before) => {
        for (const tab of before.tabs) {
          const after = now.tabs.find((t) => t.key === tab.key);
          // A closed tab, or one reading its file again (Discard): the next text starts a fresh model.
          if (after === undefined || (after.phase === 'loading' && tab.phase !== 'loading')) {
            void import('./MonacoPane.tsx').then((m) => m.disposeModel(tab));
          }
        }
      }),
    [editor],
  );

  const onKeyDown = (event: KeyboardEvent) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's' && active !== null) {
      event.preventDefault();
      void editor.save(active.key);
    }
  };

  if (tabs.length === 0) return <EditorEmpty />;
  const closingTab = tabs.find((t) => t.key === closing);
  return (
    <section className="editor-area" aria-label="Editor" data-testid="editor-area" onKeyDown={onKeyDown}>
      <div role="tablist" aria-label="Open files" className="editor-tabs">
        {tabs.map((tab) => (
          <EditorTabButton key={tab.key} tab={tab} selected={tab.key === active?.key} />
        ))}
      </div>
      {active !== null && <ActiveFile key={active.key} tab={active} />}
      {closingTab !== undefined && (
        <CloseDialog name={closingTab.name} saving={closingTab.saving} onAnswer={(answer) => void editor.answerClose(answer)} />
      )}
    </section>
  );
}

function EditorTabButton({ tab, selected }: { tab: EditorTab; selected: boolean }) {
  const editor = windowEditor();
  const dirty = isDirty(tab);
  const onAuxClick = (event: MouseEvent) => {
    if (event.button !== 1) return;
    event.preventDefault();
    editor.requestClose(tab.key);
  };
  return (
    <div className="editor-tab" data-selected={selected} data-testid="editor-tab" data-path={tab.path} data-dirty={dirty} onAuxClick={onAuxClick}>
      <button type="button" role="tab" aria-selected={selected} className="editor-tab-name" title={tab.path} onClick={() => editor.show(tab.key)}>
        {tab.name}
        {dirty && (
          <span className="editor-dirty-dot" data-testid="editor-dirty" aria-label="unsaved changes" title="Unsaved changes">
            ●
          </span>
        )}
      </button>
      <button type="button" className="editor-tab-close" aria-label={`Close ${tab.name}`} title="Close (asks if unsaved)" onClick={() => editor.requestClose(tab.key)}>
        <X size={12} aria-hidden="true" />
      </button>
    </div>
  );
}

function ActiveFile({ tab }: { tab: EditorTab }) {
  const editor = windowEditor();
  const prefill = jobPrefillFor(tab.path);
  const dirty = isDirty(tab);
  return (
    <div className="editor-file" role="tabpanel" aria-label={tab.name}>
      <div className="editor-toolbar">
        <span className="editor-path" title={`${tab.cluster}: ${tab.path}`}>
          {tab.path}
        </span>
        <span className="editor-status" data-testid="editor-status" data-draft={dirty && tab.draftCurrent ? 'kept' : undefined}>
          {tab.saving ? 'Saving…' : dirty ? (tab.draftCurrent ? 'Unsaved · kept as a draft' : 'Unsaved') : tab.phase === 'ready' ? 'Saved' : ''}
        </span>
        <button type="button" className="button" data-testid="editor-save" disabled={tab.phase !== 'ready' || tab.saving} title="Save (Ctrl+S)" onClick={() => void editor.save(tab.key)}>
          <Save size={14} aria-hidden="true" /> Save
        </button>
        {prefill !== null && (
          <button
            type="button"
            className="button"
            data-testid="editor-run-as-job"
            title={dirty ? 'Save first: the job runs the file as the cluster has it' : `Run with ${prefill.command} as a job`}
            disabled={dirty || tab.phase !== 'ready'}
            onClick={() => openJobForm(prefill)}
          >
            <Play size={14} aria-hidden="true" /> Run as job
          </button>
        )}
      </div>
      {tab.restoredFromMs !== null && tab.conflict === null && (
        <div className="editor-bar" role="status" data-testid="editor-restored">
          <span>
            Restored unsaved changes from <RelativeTime atMs={tab.restoredFromMs} />.
          </span>
          <button type="button" className="button" onClick={() => editor.keepRestored(tab.key)}>
            Keep
          </button>
          <button type="button" className="button" data-testid="editor-discard" onClick={() => void editor.discardChanges(tab.key)}>
            Discard
          </button>
        </div>
      )}
      {tab.conflict !== null && (
        <div className="editor-bar editor-bar-warning" role="alert" data-testid="editor-conflict">
          <span>
            {tab.path} changed on the cluster
            {tab.conflict.changedAtMs !== null && (
              <>
                {' '}
                (<RelativeTime atMs={tab.conflict.changedAtMs} />)
              </>
            )}{' '}
            since these changes were made{tab.restoredFromMs !== null ? ' — they were restored from a draft' : ''}. Saving would replace that version.
          </span>
          <button type="button" className="button" onClick={() => void editor.save(tab.key, { anyway: true })}>
            Save anyway
          </button>
          <button type="button" className="button" onClick={() => void editor.discardChanges(tab.key)}>
            Discard mine
          </button>
        </div>
      )}
      {tab.phase === 'loading' && <p className="editor-note">Opening {tab.name}…</p>}
      {tab.phase === 'failed' && tab.problem !== null && (
        <div className="editor-problem" role="alert" data-testid="editor-problem">
          <p>
            <strong>{tab.name} could not be opened.</strong> {tab.problem.message}
          </p>
          <p className="editor-note">{tab.problem.hint}</p>
        </div>
      )}
      {tab.phase === 'ready' && (
        <Suspense fallback={<p className="editor-note">Loading the editor…</p>}>
          <MonacoPane tab={tab} onChange={(text) => editor.edit(tab.key, text)} onSave={() => void editor.save(tab.key)} />
        </Suspense>
      )}
    </div>
  );
}

function EditorEmpty() {
  return (
    <div className="empty-state" data-testid="editor-empty">
      <h1>No files open</h1>
      <p>Open a script or a configuration file from the dataset explorer: right-click it and pick Open in editor, or double-click it.</p>
      <p className="empty-note">Unsaved changes are kept as drafts in this workspace and come back after a restart.</p>
      <button type="button" className="button button-primary" onClick={() => appStore.getState().showView('datasets')}>
        Go to Datasets
      </button>
    </div>
  );
}
