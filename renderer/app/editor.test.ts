import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Draft } from '../../protocol/text-files.ts';
import { textFileLimits } from '../../protocol/text-files.ts';
import { isDirty, selectActiveTab, selectUnsavedCount, tabKey, tabOf } from '../store/editor-tabs.ts';
import { fakeHops, flush, type FakeHops } from '../testing/fake-hops.ts';
import { manualTimers, type ManualTimers } from '../testing/manual-timers.ts';
import { createEditor, type Editor } from './editor.ts';

const path = '/Projects/demo/code/train.py';
const key = tabKey('local', path);

/** A core with files on "the cluster" and drafts in "the workspace", answering as the real one does. */
function fakeCore(hops: FakeHops) {
  const files = new Map<string, { text: string; mtimeMs: number }>([[path, { text: 'print(1)\n', mtimeMs: 1000 }]]);
  const drafts = new Map<string, Draft>();
  const staged = new Map<string, string>();
  let clock = 5000;
  const textOf = (p: { text?: string; stageId?: string }) => p.text ?? staged.get(p.stageId!)!;
  hops.answer('file.readText', (p) => {
    const { path: at } = p as { path: string };
    const file = files.get(at);
    if (file === undefined) throw Object.assign(new Error(`${at} does not exist.`), { code: 'PATH_NOT_FOUND', hint: 'Check the path.' });
    return { path: at, text: file.text, mtimeMs: file.mtimeMs, size: file.text.length, language: 'python' };
  });
  hops.answer('file.writeText', (p) => {
    const q = p as { path: string; text?: string; stageId?: string; baseMtimeMs?: number | null };
    const now = files.get(q.path);
    if (q.baseMtimeMs !== undefined && (now?.mtimeMs ?? null) !== q.baseMtimeMs) {
      throw Object.assign(new Error(`${q.path} changed on the cluster.`), { code: 'FILE_CHANGED', hint: 'Save anyway, or discard.' });
    }
    clock += 10;
    files.set(q.path, { text: textOf(q), mtimeMs: clock });
    return { path: q.path, text: textOf(q), mtimeMs: clock, size: textOf(q).length, language: 'python' };
  });
  hops.answer('file.stageText', (p) => {
    const q = p as { stageId: string; offset: number; text: string };
    const before = q.offset === 0 ? '' : staged.get(q.stageId)!;
    assert.equal(before.length, q.offset, 'pieces arrive in order');
    staged.set(q.stageId, before + q.text);
    return { stageId: q.stageId, length: before.length + q.text.length };
  });
  hops.answer('draft.save', (p) => {
    const q = p as { cluster: string; path: string; text?: string; stageId?: string; baseMtimeMs: number | null };
    clock += 1;
    const draft = { cluster: q.cluster, path: q.path, text: textOf(q), baseMtimeMs: q.baseMtimeMs, savedAtMs: clock, bytes: textOf(q).length };
    drafts.set(q.path, draft);
    const { text: _text, ...summary } = draft;
    return summary;
  });
  hops.answer('draft.get', (p) => ({ draft: drafts.get((p as { path: string }).path) ?? null }));
  hops.answer('draft.list', () => ({ drafts: [...drafts.values()].map(({ text: _text, ...summary }) => summary).reverse() }));
  hops.answer('draft.discard', (p) => ({ discarded: drafts.delete((p as { path: string }).path) }));
  return { files, drafts };
}

describe('the editor', () => {
  let hops: FakeHops;
  let timers: ManualTimers;
  let core: ReturnType<typeof fakeCore>;
  let notices: string[];
  let editor: Editor;
  const callsOf = (method: string) => hops.calls.filter((c) => c.method === method);

  beforeEach(() => {
    hops = fakeHops();
    timers = manualTimers();
    core = fakeCore(hops);
    notices = [];
    editor = createEditor({ hops: hops.api, timers, draftDelayMs: 500, notify: (level, message) => notices.push(`${level}: ${message}`) });
  });

  it('opens a file as a clean tab with the cluster’s text and version', async () => {
    await editor.open('local', path);
    const tab = selectActiveTab(editor.store.getState())!;
    assert.deepEqual([tab.phase, tab.text, tab.baseMtimeMs, tab.language, tab.name, isDirty(tab)], ['ready', 'print(1)\n', 1000, 'python', 'train.py', false]);
    await editor.open('local', path);
    assert.equal(editor.store.getState().tabs.length, 1, 'opening it again shows the same tab');
  });

  it('keeps a draft once typing pauses, not at every keystroke', async () => {
    await editor.open('local', path);
    editor.edit(key, 'print(12)\n');
    timers.advance(300);
    editor.edit(key, 'print(123)\n');
    timers.advance(499);
    await flush();
    assert.equal(callsOf('draft.save').length, 0, 'nothing is written while typing goes on');
    assert.equal(tabOf(editor.store.getState(), key)!.draftCurrent, false);
    timers.advance(1);
    await flush();
    assert.equal(callsOf('draft.save').length, 1);
    assert.equal(tabOf(editor.store.getState(), key)!.draftCurrent, true, 'the tab can say its changes are safe');
    assert.deepEqual(core.drafts.get(path)?.text, 'print(123)\n');
    assert.equal(core.drafts.get(path)?.baseMtimeMs, 1000);
    assert.equal(selectUnsavedCount(editor.store.getState()), 1);
  });

  it('typing the saved text back forgets the draft', async () => {
    await editor.open('local', path);
    editor.edit(key, 'changed\n');
    timers.advance(500);
    await flush();
    editor.edit(key, 'print(1)\n');
    assert.equal(isDirty(tabOf(editor.store.getState(), key)!), false);
    timers.advance(500);
    await flush();
    assert.equal(core.drafts.has(path), false);
  });

  it('restores a kept draft when the file opens again, and Discard brings the cluster’s text back', async () => {
    await editor.open('local', path);
    editor.edit(key, 'mine\n');
    timers.advance(500);
    await flush();

    // As after a restart: a new editor, the same core.
    const again = createEditor({ hops: hops.api, timers, notify: () => undefined });
    await again.restoreDrafts('local');
    const tab = tabOf(again.store.getState(), key)!;
    assert.equal(tab.text, 'mine\n');
    assert.equal(tab.savedText, 'print(1)\n');
    assert.equal(tab.restoredFromMs, core.drafts.get(path)!.savedAtMs);
    assert.equal(tab.conflict, null);
    assert.equal(isDirty(tab), true);

    await again.discardChanges(key);
    const back = tabOf(again.store.getState(), key)!;
    assert.deepEqual([back.text, back.restoredFromMs, isDirty(back)], ['print(1)\n', null, false]);
    assert.equal(core.drafts.has(path), false);
  });

  it('shows a conflict when the file changed since the draft, and saves only when told to save anyway', async () => {
    await editor.open('local', path);
    editor.edit(key, 'mine\n');
    timers.advance(500);
    await flush();
    core.files.set(path, { text: 'theirs\n', mtimeMs: 2000 });

    const again = createEditor({ hops: hops.api, timers, notify: (level, message) => notices.push(`${level}: ${message}`) });
    await again.open('local', path);
    assert.deepEqual(tabOf(again.store.getState(), key)!.conflict, { changedAtMs: 2000 });
    assert.equal(await again.save(key), false);
    assert.match(notices.at(-1)!, /^warning: train.py was not saved: .*changed on the cluster/);
    assert.equal(core.files.get(path)!.text, 'theirs\n', 'the other change was not overwritten');
    assert.equal(core.drafts.get(path)?.text, 'mine\n', 'the changes are still kept');

    assert.equal(await again.save(key, { anyway: true }), true);
    const tab = tabOf(again.store.getState(), key)!;
    assert.equal(core.files.get(path)!.text, 'mine\n');
    assert.deepEqual([isDirty(tab), tab.conflict, tab.baseMtimeMs], [false, null, core.files.get(path)!.mtimeMs]);
    assert.equal(core.drafts.has(path), false, 'a saved file has no draft');
  });

  it('a save checks the version it was made on, then the next save builds on the saved one', async () => {
    await editor.open('local', path);
    editor.edit(key, 'one\n');
    assert.equal(await editor.save(key), true);
    editor.edit(key, 'two\n');
    assert.equal(await editor.save(key), true);
    assert.deepEqual(
      callsOf('file.writeText').map((c) => (c.params as { baseMtimeMs: number }).baseMtimeMs),
      [1000, core.files.get(path)!.mtimeMs - 10],
    );
    assert.equal(timers.pending, 0, 'no draft is left waiting after a save');
  });

  it('asks before closing a tab with unsaved changes; a clean one closes at once', async () => {
    await editor.open('local', path);
    editor.edit(key, 'unsaved\n');
    timers.advance(500);
    await flush();
    assert.equal(editor.requestClose(key), false);
    assert.equal(editor.store.getState().closing, key);
    await editor.answerClose('cancel');
    assert.equal(editor.store.getState().tabs.length, 1, 'cancel keeps it open');
    assert.equal(editor.hasUnsaved(), true);

    assert.equal(editor.requestClose(key), false);
    await editor.answerClose('discard');
    assert.equal(editor.store.getState().tabs.length, 0);
    assert.equal(core.drafts.has(path), false, 'discarding forgets the draft');

    await editor.open('local', path);
    assert.equal(editor.requestClose(key), true);
    assert.equal(editor.store.getState().tabs.length, 0);
  });

  it('closing with Save writes the file first', async () => {
    await editor.open('local', path);
    editor.edit(key, 'saved on close\n');
    editor.requestClose(key);
    await editor.answerClose('save');
    assert.equal(core.files.get(path)!.text, 'saved on close\n');
    assert.equal(editor.store.getState().tabs.length, 0);
  });

  it('sends a long text in pieces the API accepts', async () => {
    await editor.open('local', path);
    const long = 'x = "🐧"\n'.repeat(12_000);
    editor.edit(key, long);
    assert.equal(await editor.save(key), true);
    assert.equal(core.files.get(path)!.text, long);
    const pieces = callsOf('file.stageText').map((c) => (c.params as { text: string }).text);
    assert.ok(pieces.length > 1 && pieces.every((p) => p.length <= textFileLimits.maxPieceChars));
  });

  it('a file that cannot be opened says why in its tab', async () => {
    await editor.open('local', '/Projects/demo/code/gone.py');
    const tab = selectActiveTab(editor.store.getState())!;
    assert.equal(tab.phase, 'failed');
    assert.match(tab.problem!.message, /does not exist/);
  });

  it('a draft that says what the file says is forgotten, not restored', async () => {
    core.drafts.set(path, { cluster: 'local', path, text: 'print(1)\n', baseMtimeMs: 1000, savedAtMs: 4000, bytes: 9 });
    await editor.open('local', path);
    await flush();
    const tab = tabOf(editor.store.getState(), key)!;
    assert.deepEqual([isDirty(tab), tab.restoredFromMs], [false, null]);
    assert.equal(core.drafts.has(path), false);
  });

  it('flushes waiting drafts at once, as before the window goes', async () => {
    await editor.open('local', path);
    editor.edit(key, 'last words\n');
    await editor.flushDrafts();
    assert.equal(core.drafts.get(path)?.text, 'last words\n');
    assert.equal(timers.pending, 0);
  });
});
