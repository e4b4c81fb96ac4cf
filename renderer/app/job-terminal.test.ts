import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Job } from '../../protocol/jobs-api.ts';
import { createAppStore } from '../store/app-state.ts';
import { fakeHops, flush } from '../testing/fake-hops.ts';
import { endLine, openJobOutputTerminal, terminalText } from './job-terminal.ts';
import { createTerminals } from './terminals.ts';

function setup() {
  const hops = fakeHops();
  const store = createAppStore();
  const terminals = createTerminals({ hops: hops.api, store });
  const screen: string[] = [];
  const show = () => {
    const tab = store.getState().terminals[0]!;
    terminals.attach(tab.terminalId, { write: (data) => screen.push(data) });
    return tab.terminalId;
  };
  return { hops, store, terminals, screen, show };
}

const ended = { jobId: 'j-17', state: 'succeeded', exitCode: 0 } as Job;

describe('a job’s output in a terminal tab', () => {
  it('shows the lines from the first, stderr in red, then how the job ended', async () => {
    const { hops, store, terminals, screen, show } = setup();
    hops.answer('job.follow', () => ({ followId: 'f1' }));
    // A line that arrives before `follow` answers is not lost.
    const opening = openJobOutputTerminal('j-17', terminals, { hops: hops.api, store, cluster: 'local' });
    hops.emit('job.log', { followId: 'f1', jobId: 'j-17', stream: 'stdout', lines: ['epoch 1'] });
    await opening;
    const id = show();
    const tab = store.getState().terminals[0]!;
    assert.deepEqual([tab.title, tab.readOnly, tab.state, tab.cluster], ['Output of j-17', true, 'open', 'local']);
    hops.emit('job.log', { followId: 'f1', jobId: 'j-17', stream: 'stderr', lines: ['warning: slow'] });
    hops.emit('job.log', { followId: 'other', jobId: 'j-17', stream: 'stdout', lines: ['someone else’s follow'] });
    hops.emit('job.logEnd', { followId: 'f1', jobId: 'j-17', job: ended });
    assert.equal(screen.join(''), `epoch 1\r\n${terminalText('stderr', ['warning: slow'])}${endLine({ followId: 'f1', jobId: 'j-17', job: ended })}\r\n`);
    assert.match(endLine({ followId: 'f1', jobId: 'j-17', job: ended }), /j-17 succeeded, exit code 0/);
    assert.equal(store.getState().terminals[0]!.state, 'exited');
    assert.deepEqual(hops.calls.map((c) => c.method), ['job.follow']);

    // Keys and sizes reach no shell; closing the ended tab unfollows nothing.
    terminals.input(id, 'ls\r');
    terminals.resize(id, 90, 20);
    terminals.close(id);
    await flush();
    assert.deepEqual(hops.calls.map((c) => c.method), ['job.follow']);
    assert.equal(hops.listenerCount(), 0, 'its event listeners are gone');
  });

  it('closing the tab of a running job stops following it', async () => {
    const { hops, store, terminals, show } = setup();
    hops.answer('job.follow', () => ({ followId: 'f2' }));
    hops.answer('job.unfollow', () => ({}));
    await openJobOutputTerminal('j-18', terminals, { hops: hops.api, store });
    terminals.close(show());
    await flush();
    assert.deepEqual(hops.calls.map((c) => [c.method, c.params]).at(-1), ['job.unfollow', { followId: 'f2' }]);
    assert.equal(store.getState().terminals.length, 0);
    assert.equal(hops.listenerCount(), 0);
  });

  it('says in the tab when the job cannot be followed', async () => {
    const { hops, store, terminals, screen, show } = setup();
    hops.answer('job.follow', () => {
      throw Object.assign(new Error('No job j-99.'), { code: 'JOB_NOT_FOUND', hint: 'List jobs to see their ids.' });
    });
    await openJobOutputTerminal('j-99', terminals, { hops: hops.api, store });
    show();
    assert.match(screen.join(''), /Could not follow the output of j-99: No job j-99\./);
    assert.equal(store.getState().terminals[0]!.state, 'exited');
  });
});

describe('a local terminal', () => {
  it('opens through terminal.openLocal and types into its shell', async () => {
    const { hops, store, terminals } = setup();
    hops.answer('terminal.openLocal', () => ({ terminalId: 'L1', title: 'bash (this machine)' }));
    hops.answer('terminal.write', () => ({}));
    await terminals.openLocal();
    const tab = store.getState().terminals[0]!;
    assert.deepEqual([tab.terminalId, tab.title, tab.state, tab.readOnly], ['L1', 'bash (this machine)', 'open', undefined]);
    terminals.input('L1', 'echo hi\r');
    await flush();
    assert.deepEqual(hops.calls.at(-1), { method: 'terminal.write', params: { terminalId: 'L1', data: 'echo hi\r' } });
  });

  it('a refusal (web mode) closes the tab and says why', async () => {
    const { hops, store, terminals } = setup();
    hops.answer('terminal.openLocal', () => {
      throw Object.assign(new Error('Local terminals open only in the Hopsdesk desktop app.'), { code: 'LOCAL_SHELL_REFUSED', hint: 'Open the desktop app.' });
    });
    await terminals.openLocal();
    assert.equal(store.getState().terminals.length, 0);
    assert.match(store.getState().notices.at(-1)!.message, /Could not open a local terminal: Local terminals open only in the Hopsdesk desktop app/);
  });
});
