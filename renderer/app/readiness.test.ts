import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAppStore } from '../store/app-state.ts';
import { status } from '../testing/hosts.ts';
import { describeConnection, problemOf } from './problems.ts';
import { mirrorReadiness } from './readiness.ts';

describe('readiness', () => {
  it('mirrors loading, ready and error onto the element', () => {
    const store = createAppStore();
    const root = { dataset: {} as DOMStringMap };
    const stop = mirrorReadiness(store, root);
    assert.equal(root.dataset.appState, 'loading');
    store.getState().clusterLoaded(status(), []);
    assert.equal(root.dataset.appState, 'ready');
    store.getState().loadStarted();
    store.getState().loadFailed({ message: 'm', code: 'INTERNAL', hint: 'h' });
    assert.equal(root.dataset.appState, 'error');
    stop();
    store.getState().loadStarted();
    assert.equal(root.dataset.appState, 'error');
  });
});

describe('problems', () => {
  it('keeps code, hint and field of API errors', () => {
    const err = Object.assign(new Error('bad width'), { code: 'VALIDATION', hint: 'fix it', field: '/sidebarWidth' });
    assert.deepEqual(problemOf(err), { message: 'bad width', code: 'VALIDATION', hint: 'fix it', field: '/sidebarWidth' });
  });

  it('gives plain errors and non-errors a code and a hint', () => {
    assert.deepEqual(problemOf(new Error('boom')).code, 'INTERNAL');
    assert.equal(problemOf('text').message, 'text');
    assert.match(problemOf(undefined).hint, /retry/);
  });

  it('words connection changes with a level', () => {
    assert.deepEqual(describeConnection('lab', { state: 'error', detail: 'agent exited', sinceMs: 0 }), {
      level: 'error',
      message: 'Cluster lab: connection failed',
      detail: 'agent exited',
    });
  });
});
