import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeJob } from '../testing/fake-hops.ts';
import { createAppStore } from './app-state.ts';
import { drawnOrder, groupedJobs, isNewerJob, jobsWaitingFor, noJobFilters } from './jobs-list.ts';

const ids = (jobs: { jobId: string }[]) => jobs.map((j) => j.jobId);

describe('jobs slice', () => {
  it('merges a page and events, keeping the newer copy whichever arrives last', () => {
    const store = createAppStore();
    store.getState().jobsLoadStarted('lab');
    const running = fakeJob('j-1', { state: 'running', timeline: [{ atMs: 1000, state: 'pending' }, { atMs: 2000, state: 'running' }] });
    // The event that it ended arrives before the (older) list answer.
    const ended = { ...running, state: 'succeeded' as const, timeline: [...running.timeline, { atMs: 3000, state: 'succeeded' as const }] };
    store.getState().jobChanged('lab', ended);
    store.getState().jobsPageLoaded('lab', [running, fakeJob('j-2')], null);
    assert.equal(store.getState().jobs['j-1']!.state, 'succeeded');
    assert.equal(store.getState().jobs['j-2']!.state, 'pending');
    assert.equal(store.getState().jobsPhase, 'ready');
  });

  it('takes a retry (a higher attempt) even when its timeline restarts', () => {
    const first = fakeJob('j-3', { state: 'failed', timeline: [{ atMs: 5000, state: 'failed' }] });
    const retried = fakeJob('j-3', { state: 'pending', attempt: 2, timeline: [{ atMs: 4000, state: 'pending' }] });
    assert.equal(isNewerJob(retried, first), true);
    assert.equal(isNewerJob(first, retried), false);
  });

  it('ignores events and late pages of another cluster', () => {
    const store = createAppStore();
    store.getState().jobsLoadStarted('lab');
    store.getState().jobChanged('rack', fakeJob('j-9'));
    store.getState().jobsLoadStarted('rack');
    store.getState().jobsPageLoaded('lab', [fakeJob('j-1')], null);
    assert.deepEqual(store.getState().jobs, {});
  });

  it('groups jobs into queue, running and history in the order each is read', () => {
    const jobs = {
      'j-1': fakeJob('j-1'),
      'j-2': fakeJob('j-2', { spec: { priority: 10 } }),
      'j-3': fakeJob('j-3'),
      'j-4': fakeJob('j-4', { state: 'running', startedAtMs: 100 }),
      'j-5': fakeJob('j-5', { state: 'starting', startedAtMs: 200 }),
      'j-6': fakeJob('j-6', { state: 'failed', endedAtMs: 300 }),
      'j-7': fakeJob('j-7', { state: 'succeeded', endedAtMs: 900 }),
      'j-8': fakeJob('j-8', { state: 'stopped', endedAtMs: 500 }),
    };
    const grouped = groupedJobs(jobs, noJobFilters);
    assert.deepEqual(ids(grouped.queue), ['j-2', 'j-1', 'j-3'], 'higher priority first, then the order submitted');
    assert.deepEqual(ids(grouped.running), ['j-5', 'j-4'], 'most recently started first');
    assert.deepEqual(ids(grouped.history), ['j-7', 'j-8', 'j-6'], 'most recently ended first');
    assert.deepEqual(ids(drawnOrder(grouped)), ['j-2', 'j-1', 'j-3', 'j-5', 'j-4', 'j-7', 'j-8', 'j-6']);
  });

  it('filters by project, group and text in the name, id or command', () => {
    const jobs = {
      'j-1': fakeJob('j-1', { spec: { name: 'train-resnet', project: 'vision' } }),
      'j-2': fakeJob('j-2', { spec: { name: 'tokenize', project: 'nlp', command: 'spark-submit' }, state: 'running' }),
      'j-12': fakeJob('j-12', { spec: { name: 'eval', project: 'vision' }, state: 'failed' }),
    };
    const only = (filters: Partial<typeof noJobFilters>) => ids(drawnOrder(groupedJobs(jobs, { ...noJobFilters, ...filters }))).sort();
    assert.deepEqual(only({ project: 'vision' }), ['j-1', 'j-12']);
    assert.deepEqual(only({ group: 'history' }), ['j-12']);
    assert.deepEqual(only({ text: 'RESNET' }), ['j-1']);
    assert.deepEqual(only({ text: 'spark' }), ['j-2']);
    assert.deepEqual(only({ text: 'j-1' }), ['j-1', 'j-12']);
    assert.deepEqual(only({ project: 'nlp', group: 'queue' }), []);
  });

  it('moves the keyboard cursor through the jobs as drawn, stopping at the ends', () => {
    const store = createAppStore();
    store.getState().jobsLoadStarted('lab');
    store.getState().jobsPageLoaded('lab', [fakeJob('j-1'), fakeJob('j-2', { state: 'running', startedAtMs: 5 }), fakeJob('j-3', { state: 'failed', endedAtMs: 9 })], null);
    const move = (delta: number) => {
      store.getState().moveJobCursor(delta);
      return store.getState().jobCursor;
    };
    assert.equal(move(1), 'j-1');
    assert.equal(move(1), 'j-2');
    assert.equal(move(5), 'j-3');
    assert.equal(move(-Infinity), 'j-1');
    assert.equal(move(-1), 'j-1');
    assert.equal(move(Infinity), 'j-3');
  });

  it('opens the form with a fresh start each time, and closes back to the list', () => {
    const store = createAppStore();
    store.getState().openJobForm({ name: 'a' });
    const first = store.getState().jobForm!.seq;
    store.getState().openJobForm({ name: 'a' }, ['j-1']);
    assert.notEqual(store.getState().jobForm!.seq, first);
    assert.deepEqual(store.getState().jobForm!.after, ['j-1']);
    assert.deepEqual(store.getState().jobsPane, { kind: 'form' });
    store.getState().closeJobForm();
    assert.deepEqual(store.getState().jobsPane, { kind: 'list' });
  });

  it('finds the loaded jobs waiting for a job', () => {
    const jobs = { 'j-1': fakeJob('j-1'), 'j-3': fakeJob('j-3', { after: ['j-1'] }), 'j-2': fakeJob('j-2', { after: ['j-1', 'j-9'] }) };
    assert.deepEqual(ids(jobsWaitingFor(jobs, 'j-1')), ['j-2', 'j-3']);
    assert.deepEqual(jobsWaitingFor(jobs, 'j-3'), []);
  });
});
