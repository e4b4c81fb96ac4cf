import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Job } from '../../protocol/jobs-api.ts';
import { createAppStore } from '../store/app-state.ts';
import { answerJobs, fakeHops, fakeJob, flush } from '../testing/fake-hops.ts';
import { status } from '../testing/hosts.ts';
import { manualTimers } from '../testing/manual-timers.ts';
import { createJobEndNotices, type Notifier } from './jobs-notify.ts';
import { createUsagePoller, USAGE_POLL_MS } from './jobs-usage.ts';
import { createJobActions } from './jobs.ts';
import { openJobForm } from './job-form.ts';

/** The Jobs section of cluster lab, answered by a fake core holding `jobs`. */
function section(initial: Job[] = []) {
  const hops = fakeHops();
  const store = createAppStore();
  const jobs = new Map(initial.map((job) => [job.jobId, job]));
  const { follows } = answerJobs(hops, jobs);
  store.getState().clusterLoaded(status(), []);
  const changes: string[] = [];
  const actions = createJobActions({ hops: hops.api, store, onJobChanged: (job, before) => changes.push(`${before?.state ?? '-'}→${job.state}`) });
  return { hops, store, jobs, follows, actions, changes };
}

const ended = (job: Job, state: 'succeeded' | 'failed' | 'stopped', atMs = 10_000): Job => ({ ...job, state, endedAtMs: atMs, timeline: [...job.timeline, { atMs, state }] });
const running = (job: Job, atMs = 5_000): Job => ({ ...job, state: 'running', startedAtMs: atMs, timeline: [...job.timeline, { atMs, state: 'running' }] });

describe('job actions', () => {
  it('reads the jobs when the section first shows, then keeps them current from events alone', async () => {
    const { hops, store, actions, changes } = section([fakeJob('j-1'), fakeJob('j-2')]);
    assert.equal(hops.calls.length, 0, 'nothing is read before the section shows');
    store.getState().showView('jobs');
    await flush();
    assert.deepEqual(Object.keys(store.getState().jobs).sort(), ['j-1', 'j-2']);
    const lists = hops.calls.filter((c) => c.method === 'job.list').length;
    hops.emit('job.changed', { cluster: 'lab', job: running(fakeJob('j-1')) });
    hops.emit('job.changed', { cluster: 'lab', job: fakeJob('j-3') });
    hops.emit('job.changed', { cluster: 'rack', job: fakeJob('j-4') });
    assert.equal(store.getState().jobs['j-1']!.state, 'running');
    assert.ok(store.getState().jobs['j-3']);
    assert.equal(store.getState().jobs['j-4'], undefined);
    assert.equal(hops.calls.filter((c) => c.method === 'job.list').length, lists, 'no polling');
    assert.deepEqual(changes, ['pending→running', '-→pending']);
    actions.dispose();
  });

  it('reads the list again after the cluster comes back (events were missed)', async () => {
    const { hops, store, actions } = section([fakeJob('j-1')]);
    store.getState().showView('jobs');
    await flush();
    store.getState().clusterConnectionChanged({ state: 'reconnecting', detail: '', sinceMs: 2 });
    store.getState().clusterConnectionChanged({ state: 'connected', detail: '', sinceMs: 3 });
    await flush();
    assert.equal(hops.calls.filter((c) => c.method === 'job.list').length, 2);
    actions.dispose();
  });

  it('follows the log of the job on screen, again for a new attempt, and stops when the page closes', async () => {
    const { hops, store, follows, actions } = section([running(fakeJob('j-1'))]);
    store.getState().showView('jobs');
    await flush();
    await actions.openJob('j-1');
    await flush();
    assert.deepEqual(follows, ['f-1']);
    hops.emit('job.log', { followId: 'f-1', jobId: 'j-1', stream: 'stdout', lines: ['line 1', 'line 2'] });
    assert.deepEqual(store.getState().jobLog!.lines.stdout, ['line 1', 'line 2']);
    const done = ended(store.getState().jobs['j-1']!, 'failed');
    hops.emit('job.logEnd', { followId: 'f-1', jobId: 'j-1', job: done });
    assert.equal(store.getState().jobLog!.phase, 'ended');
    assert.equal(store.getState().jobs['j-1']!.state, 'failed', 'the end of the log carries the job as it ended');

    await actions.retry('j-1');
    assert.equal(store.getState().jobLog, null, 'a pending attempt has no log yet');
    hops.emit('job.changed', { cluster: 'lab', job: running(store.getState().jobs['j-1']!, 20_000) });
    await flush();
    assert.deepEqual(follows, ['f-1', 'f-2'], 'the new attempt is followed from its start');

    store.getState().showJobsPane({ kind: 'list' });
    await flush();
    assert.equal(store.getState().jobLog, null);
    assert.deepEqual(hops.calls.filter((c) => c.method === 'job.unfollow').map((c) => c.params), [{ followId: 'f-1' }, { followId: 'f-2' }]);
    actions.dispose();
  });

  it('follows the log again from the top once the cluster is back after a drop cut it off', async () => {
    const { hops, store, follows, actions } = section([running(fakeJob('j-1'))]);
    store.getState().showView('jobs');
    await flush();
    await actions.openJob('j-1');
    await flush();
    hops.emit('job.log', { followId: 'f-1', jobId: 'j-1', stream: 'stdout', lines: ['line 1'] });
    store.getState().clusterConnectionChanged({ state: 'reconnecting', detail: '', sinceMs: 2 });
    hops.emit('job.logEnd', { followId: 'f-1', jobId: 'j-1', error: 'The connection to cluster "lab" dropped.' });
    assert.equal(store.getState().jobLog!.phase, 'error');
    store.getState().clusterConnectionChanged({ state: 'connected', detail: '', sinceMs: 3 });
    await flush();
    assert.deepEqual(follows, ['f-1', 'f-2']);
    assert.deepEqual(store.getState().jobLog!.lines.stdout, [], 'the replay starts from an empty log, so no line shows twice');
    actions.dispose();
  });

  it('submits from the form and opens the job; a refusal comes back for the form to show', async () => {
    const { hops, store, actions } = section();
    store.getState().showView('jobs');
    await flush();
    openJobForm({ name: 'train', command: 'python' }, { store });
    assert.equal(store.getState().jobsPane.kind, 'form');
    const spec = { name: 'train', project: 'demo', command: 'python' };
    hops.answer('job.submit', () => {
      throw Object.assign(new Error('No host has 64 GPUs; the largest has 8.'), { code: 'JOB_NEVER_FITS', hint: 'Ask for fewer GPUs per host.' });
    });
    const refused = await actions.submit(spec, [], null);
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.problem.code, 'JOB_NEVER_FITS');
    assert.equal(store.getState().jobsPane.kind, 'form', 'the form stays open with what was typed');

    hops.answer('job.submit', (params) => fakeJob('j-7', { spec: (params as { spec: typeof spec }).spec }));
    const took = await actions.submit(spec, ['j-1'], null);
    assert.equal(took.ok, true);
    assert.deepEqual(hops.calls.at(-1)!.params, { cluster: 'lab', spec, after: ['j-1'] });
    assert.deepEqual(store.getState().jobsPane, { kind: 'job', jobId: 'j-7' });
    assert.equal(store.getState().jobForm, null);
    actions.dispose();
  });

  it('creates a schedule instead of a job when the form has a cron', async () => {
    const { hops, store, actions } = section();
    store.getState().showView('jobs');
    await flush();
    const spec = { name: 'nightly', project: 'demo', command: 'python' };
    hops.answer('schedule.create', (p) => ({ scheduleId: 's-1', project: 'demo', cron: (p as { cron: string }).cron, spec, enabled: true, createdBy: 'ada', nextRunMs: 1 }));
    await actions.submit(spec, [], '0 3 * * *');
    assert.deepEqual(store.getState().schedules.map((s) => s.cron), ['0 3 * * *']);
    assert.deepEqual(store.getState().jobsPane, { kind: 'schedules' });
    assert.equal(hops.calls.some((c) => c.method === 'job.submit'), false);
    hops.answer('schedule.remove', () => ({ scheduleId: 's-1' }));
    await actions.removeSchedule('s-1');
    assert.deepEqual(store.getState().schedules, []);
    actions.dispose();
  });

  it('keeps a refused stop with its hint; clone opens the form with the spec and its after', async () => {
    const { hops, store, actions } = section([fakeJob('j-2', { after: ['j-1'] })]);
    store.getState().showView('jobs');
    await flush();
    hops.answer('job.stop', () => {
      throw Object.assign(new Error('You need jobs.stop in demo.'), { code: 'FORBIDDEN', hint: 'Ask a Data Owner.' });
    });
    await actions.stop('j-2');
    assert.deepEqual(store.getState().jobsProblem, { action: 'Could not stop j-2', message: 'You need jobs.stop in demo.', code: 'FORBIDDEN', hint: 'Ask a Data Owner.' });
    actions.clone(store.getState().jobs['j-2']!);
    assert.equal(store.getState().jobForm!.prefill.name, 'job-2');
    assert.deepEqual(store.getState().jobForm!.after, ['j-1']);
    actions.dispose();
  });
});

describe('job end notices', () => {
  function notifier(focused: boolean, permission: ReturnType<Notifier['permission']> = 'granted') {
    const shown: string[] = [];
    const clicks: Array<() => void> = [];
    let asked = 0;
    const n: Notifier = {
      permission: () => permission,
      requestPermission: async () => {
        asked += 1;
        return 'granted';
      },
      show: (title, _body, _tag, onClick) => {
        shown.push(title);
        clicks.push(onClick);
      },
      windowFocused: () => focused,
    };
    return { n, shown, clicks, asked: () => asked };
  }

  it('tells of a job that ended while the window was in the background; a click opens it', () => {
    const { n, shown, clicks } = notifier(false);
    const opened: string[] = [];
    const notices = createJobEndNotices(n, (id) => opened.push(id));
    const job = running(fakeJob('j-5', { spec: { name: 'train' } }));
    notices.changed(ended(job, 'failed'), job);
    notices.changed(ended(job, 'failed'), ended(job, 'failed'));
    notices.changed(job, fakeJob('j-5'));
    assert.deepEqual(shown, ['train (j-5) failed'], 'once, and only for an end');
    clicks[0]!();
    assert.deepEqual(opened, ['j-5']);
  });

  it('stays quiet while the window has the focus or without permission, and asks only once unasked', async () => {
    const job = running(fakeJob('j-5'));
    const focused = notifier(true);
    createJobEndNotices(focused.n, () => undefined).changed(ended(job, 'succeeded'), job);
    assert.deepEqual(focused.shown, []);
    const denied = notifier(false, 'denied');
    const notices = createJobEndNotices(denied.n, () => undefined);
    notices.changed(ended(job, 'succeeded'), job);
    notices.askPermission();
    assert.deepEqual(denied.shown, []);
    assert.equal(denied.asked(), 0);
    const unasked = notifier(false, 'default');
    createJobEndNotices(unasked.n, () => undefined).askPermission();
    assert.equal(unasked.asked(), 1);
  });
});

describe('job usage poller', () => {
  it('reads usage every few seconds only while the job on screen runs and the window is visible', async () => {
    const { hops, store, actions } = section([running(fakeJob('j-1'))]);
    const timers = manualTimers();
    const visibility = { visible: true, listeners: new Set<() => void>() };
    hops.answer('job.usage', () => ({ samples: [{ atMs: 1, hostId: 'h1', cpuPercent: 50, memoryBytes: 1 }] }));
    const poller = createUsagePoller({
      hops: hops.api,
      store,
      timers,
      visible: () => visibility.visible,
      onVisibilityChange: (listener) => {
        visibility.listeners.add(listener);
        return () => visibility.listeners.delete(listener);
      },
    });
    const reads = () => hops.calls.filter((c) => c.method === 'job.usage').length;
    store.getState().showView('jobs');
    await flush();
    assert.equal(reads(), 0, 'the list does not read usage');
    await actions.openJob('j-1');
    await flush();
    assert.equal(reads(), 1);
    assert.equal(store.getState().jobUsage?.samples.length, 1);
    timers.advance(USAGE_POLL_MS);
    assert.equal(reads(), 2);
    visibility.visible = false;
    for (const listener of visibility.listeners) listener();
    timers.advance(USAGE_POLL_MS * 5);
    assert.equal(reads(), 2, 'a hidden window reads nothing');
    visibility.visible = true;
    for (const listener of visibility.listeners) listener();
    assert.equal(reads(), 3);
    hops.emit('job.changed', { cluster: 'lab', job: ended(store.getState().jobs['j-1']!, 'succeeded') });
    timers.advance(USAGE_POLL_MS * 5);
    assert.equal(reads(), 3, 'a job that is over is not polled');
    assert.equal(timers.pending, 0);
    poller.dispose();
    actions.dispose();
  });
});
