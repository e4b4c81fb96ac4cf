import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAppStore } from './app-state.ts';
import { selectShownTerminalId } from './terminals-slice.ts';

describe('terminal tabs', () => {
  it('shows a tab at once, keeps its key when the shell opens, and opens the panel', () => {
    const store = createAppStore();
    store.getState().terminalOpening('opening-1', 'h1', 'lab', 'gpu-a');
    assert.equal(store.getState().layout.panelVisible, true);
    assert.equal(selectShownTerminalId(store.getState()), 'opening-1');
    store.getState().terminalOpened('opening-1', 'T42', 'ubuntu@gpu-a');
    const [tab] = store.getState().terminals;
    assert.deepEqual([tab?.tabKey, tab?.terminalId, tab?.state, tab?.title], ['opening-1', 'T42', 'open', 'ubuntu@gpu-a']);
    assert.equal(selectShownTerminalId(store.getState()), 'T42');
  });

  it('shows the neighbour when the shown tab closes, and the log after the last', () => {
    const store = createAppStore();
    for (const id of ['a', 'b', 'c']) {
      store.getState().terminalOpening(id, 'h', null, id);
      store.getState().terminalOpened(id, id, id);
    }
    store.getState().showPanelTab({ terminalId: 'b' });
    store.getState().terminalClosed('b');
    assert.equal(selectShownTerminalId(store.getState()), 'c');
    store.getState().terminalClosed('c');
    assert.equal(selectShownTerminalId(store.getState()), 'a');
    store.getState().terminalClosed('a');
    assert.equal(store.getState().panelTab, 'notifications');
  });

  it('records the exit code of a shell', () => {
    const store = createAppStore();
    store.getState().terminalOpening('x', 'h', null, 'h');
    store.getState().terminalOpened('x', 'T1', 'h');
    store.getState().terminalExited('T1', 130);
    assert.deepEqual([store.getState().terminals[0]?.state, store.getState().terminals[0]?.exitCode], ['exited', 130]);
  });

  it('counts notices as unread while a terminal hides the log', () => {
    const store = createAppStore();
    store.getState().toggleNotifications();
    store.getState().notify('info', 'seen');
    assert.equal(store.getState().unreadNotices, 0);
    store.getState().terminalOpening('x', 'h', null, 'h');
    store.getState().notify('error', 'behind the terminal');
    assert.equal(store.getState().unreadNotices, 1);
    store.getState().toggleNotifications();
    assert.equal(store.getState().unreadNotices, 0);
    store.getState().toggleNotifications();
    assert.equal(store.getState().layout.panelVisible, false);
  });
});
