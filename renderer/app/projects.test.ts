import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterSummary, ParamsOf } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { Project } from '../../protocol/projects.ts';
import { createAppStore } from '../store/app-state.ts';
import { fakeHops, flush } from '../testing/fake-hops.ts';
import { host, status } from '../testing/hosts.ts';
import { manualTimers } from '../testing/manual-timers.ts';
import { entry, member, project, user } from '../testing/projects.ts';
import { createSession } from './session.ts';

const summary = (name: string, active: boolean): ClusterSummary => ({
  name,
  kind: 'ssh',
  active,
  createdAtMs: 1,
  connection: { state: 'connected', detail: '', sinceMs: 1 },
});

/** A session on cluster `lab` whose head holds `vision` (ana is its Data Owner, bob a Data Scientist). */
async function setup() {
  const hops = fakeHops();
  hops.answer('cluster.status', () => status({ kind: 'ssh' }));
  hops.answer('cluster.hosts', () => ({ hosts: [host('h1')] }));
  hops.answer('cluster.metrics', () => ({ samples: [] }));
  hops.answer('layout.get', () => ({ activeView: 'cluster', sidebarWidth: 260, sidebarVisible: true, panelVisible: false, panelHeight: 200 }));
  hops.answer('layout.save', (layout) => layout);
  hops.answer('settings.get', () => ({ theme: 'system' }));
  hops.answer('app.info', () => ({ version: '0.1.0', mode: 'web', workspaceDir: '/tmp/w', platform: 'linux' }));
  hops.answer('cluster.list', () => ({ clusters: [summary('lab', true), summary('rack', false)] }));
  hops.answer('cluster.provisioned', () => ({ hosts: [] }));
  let vision = project('vision', { members: [member('ana', 'data-owner'), member('bob')] });
  hops.answer('project.me', () => user('ana'));
  hops.answer('project.list', () => ({ projects: [vision] }));
  hops.answer('project.get', () => vision);
  hops.answer('project.addMember', (params) => {
    const { user: name, role } = params as ParamsOf<'project.addMember'>;
    vision = { ...vision, members: [...vision.members.filter((m) => m.user !== name), member(name, role)] };
    return vision;
  });
  const store = createAppStore();
  const session = createSession({ hops: hops.api, store, timers: manualTimers(), now: () => 1_000_000 });
  await session.load();
  await flush();
  const calls = (method: string) => hops.calls.filter((c) => c.method === method).map((c) => c.params);
  return { hops, store, session, calls, setVision: (p: Project) => (vision = p) };
}

const forbidden = () =>
  new HopsError('FORBIDDEN', 'bob is a Data Scientist in "vision"; managing members needs members.manage (Data Owner).');

describe('projects in the session', () => {
  it('reads the caller and the projects when the section shows, once, naming the cluster', async () => {
    const { store, calls } = await setup();
    assert.equal(calls('project.list').length, 0, 'not before the section is opened');
    store.getState().showView('projects');
    store.getState().toggleSidebar();
    await flush();
    assert.deepEqual(calls('project.list'), [{ cluster: 'lab' }]);
    assert.deepEqual(calls('project.me'), [{ cluster: 'lab' }]);
    const s = store.getState();
    assert.deepEqual([s.projectsPhase, s.selectedProject, s.me?.name], ['ready', 'vision', 'ana']);
  });

  it('reads the new cluster’s projects after a switch', async () => {
    const { store, session, hops, calls } = await setup();
    store.getState().showView('projects');
    await flush();
    hops.answer('cluster.use', () => summary('rack', true));
    hops.answer('cluster.status', () => status({ name: 'rack', kind: 'ssh' }));
    hops.answer('cluster.list', () => ({ clusters: [summary('lab', false), summary('rack', true)] }));
    hops.answer('project.list', () => ({ projects: [project('audio')] }));
    await session.useCluster('rack');
    await flush();
    assert.deepEqual(calls('project.list'), [{ cluster: 'lab' }, { cluster: 'rack' }]);
    assert.deepEqual(store.getState().projects.map((p) => p.name), ['audio']);
    assert.equal(store.getState().selectedProject, 'audio');
  });

  it('shows why the projects could not be read, and reads them again on Retry', async () => {
    const { store, session, hops } = await setup();
    hops.answer('project.list', () => {
      throw new HopsError('AGENT_UNREACHABLE', 'The head did not answer.');
    });
    store.getState().showView('projects');
    await flush();
    assert.deepEqual([store.getState().projectsPhase, store.getState().projectsProblem?.code], ['error', 'AGENT_UNREACHABLE']);
    assert.match(store.getState().projectsProblem?.hint ?? '', /agent is running/);
    hops.answer('project.list', () => ({ projects: [] }));
    await session.projects.load();
    assert.deepEqual([store.getState().projectsPhase, store.getState().projectsProblem], ['ready', null]);
  });

  it('creates a project only with a valid name, selects it and closes the form', async () => {
    const { store, session, hops, calls } = await setup();
    store.getState().showView('projects');
    await flush();
    session.projects.openNewProject();
    store.getState().projectFormEdited({ name: 'Audio Lab' });
    await session.projects.create();
    assert.equal(calls('project.create').length, 0);
    assert.equal(store.getState().projectForm?.showErrors, true);
    hops.answer('project.create', (params) => project((params as { name: string }).name, { description: 'sound' }));
    store.getState().projectFormEdited({ name: ' audio ', description: ' sound ' });
    await session.projects.create();
    assert.deepEqual(calls('project.create'), [{ cluster: 'lab', name: 'audio', description: 'sound' }]);
    assert.deepEqual([store.getState().projectForm, store.getState().selectedProject], [null, 'audio']);
    assert.deepEqual(store.getState().projects.map((p) => p.name), ['audio', 'vision']);
  });

  it('keeps the form open with the head’s refusal and its hint', async () => {
    const { store, session, hops } = await setup();
    store.getState().showView('projects');
    await flush();
    session.projects.openNewProject();
    store.getState().projectFormEdited({ name: 'taken' });
    hops.answer('project.create', () => {
      throw new HopsError('PROJECT_EXISTS', 'A project named "taken" exists.');
    });
    await session.projects.create();
    const form = store.getState().projectForm;
    assert.deepEqual([form?.busy, form?.problem?.code, form?.problem?.hint], [false, 'PROJECT_EXISTS', 'Choose another project name.']);
  });

  it('adds a member and changes a role with project.addMember, and shows the table the head returned', async () => {
    const { store, session, calls } = await setup();
    store.getState().showView('projects');
    await flush();
    assert.equal(await session.projects.addMember('cy', 'data-scientist'), true);
    await session.projects.changeRole('bob', 'data-owner');
    assert.deepEqual(calls('project.addMember'), [
      { cluster: 'lab', project: 'vision', user: 'cy', role: 'data-scientist' },
      { cluster: 'lab', project: 'vision', user: 'bob', role: 'data-owner' },
    ]);
    const members = store.getState().projects[0]?.members.map((m) => [m.user, m.role]);
    assert.deepEqual(members, [
      ['ana', 'data-owner'],
      ['cy', 'data-scientist'],
      ['bob', 'data-owner'],
    ]);
  });

  it('shows a 403 naming the permission, and a 409 for the last Data Owner, inline with the hint', async () => {
    const { store, session, hops } = await setup();
    store.getState().showView('projects');
    await flush();
    hops.answer('project.addMember', () => {
      throw forbidden();
    });
    assert.equal(await session.projects.addMember('cy', 'data-scientist'), false);
    let problem = store.getState().projectProblem;
    assert.equal(problem?.action, 'Could not add cy to vision');
    assert.match(problem?.message ?? '', /members\.manage \(Data Owner\)/);
    assert.match(problem?.hint ?? '', /Ask a Data Owner/);
    hops.answer('project.removeMember', () => {
      throw new HopsError('LAST_DATA_OWNER', 'ana is the last Data Owner of "vision".');
    });
    await session.projects.removeMember('bob');
    problem = store.getState().projectProblem;
    assert.deepEqual([problem?.code, problem?.hint], ['LAST_DATA_OWNER', 'Make another member a Data Owner first.']);
    store.getState().projectSelected('vision');
    assert.notEqual(store.getState().projectProblem, null, 'selecting the same project keeps it');
  });

  it('re-reads the list after you leave a project, and says so when you are out', async () => {
    const { store, session, hops } = await setup();
    store.getState().showView('projects');
    await flush();
    hops.answer('project.removeMember', () => {
      throw new HopsError('FORBIDDEN', 'ana is not a member of "vision"; reading the project needs project.read.');
    });
    hops.answer('project.list', () => ({ projects: [] }));
    await session.projects.removeMember('ana');
    assert.equal(store.getState().projectProblem, null);
    assert.deepEqual(store.getState().projects, []);
    assert.match(store.getState().notices.at(-1)?.message ?? '', /You left project vision/);
  });

  it('makes an invite with the command to run, and never puts the code in the log', async () => {
    const { store, session, hops, calls } = await setup();
    store.getState().showView('projects');
    await flush();
    const code = 'Zx9_Zx9_Zx9_Zx9_Zx9_';
    hops.answer('project.invite', () => ({ code, project: 'vision', role: 'data-scientist', expiresAtMs: 9_000_000, headAddress: 'gpu-head', clientPort: 7870 }));
    const outcome = await session.projects.invite('data-scientist', 168);
    assert.deepEqual(calls('project.invite'), [{ cluster: 'lab', project: 'vision', role: 'data-scientist', ttlHours: 168 }]);
    assert.ok(outcome.ok);
    assert.equal(outcome.invite.command, `hopsdesk cluster join NAME --head THEIR_USER@gpu-head --client-port 7870 --invite ${code} --user THEIR_NAME`);
    assert.equal(store.getState().notices.some((n) => `${n.message} ${n.detail ?? ''}`.includes(code)), false);
  });

  it('returns the refusal of an invite on the local cluster for the dialog to show', async () => {
    const { store, session, hops } = await setup();
    store.getState().showView('projects');
    await flush();
    hops.answer('project.invite', () => {
      throw new HopsError('VALIDATION', 'Cluster "lab" runs on this machine only; invites are for SSH clusters.', {
        hint: 'Form an SSH cluster (hopsdesk cluster create) to work with others.',
      });
    });
    const outcome = await session.projects.invite('data-owner', 24);
    assert.equal(outcome.ok, false);
    assert.match(outcome.ok ? '' : outcome.problem.message, /invites are for SSH clusters/);
    assert.match(outcome.ok ? '' : outcome.problem.hint, /Form an SSH cluster/);
  });

  it('pages the audit log forward with afterSeq, newest last, and appends after a change', async () => {
    const { store, session, hops, calls } = await setup();
    store.getState().showView('projects');
    await flush();
    const log = Array.from({ length: 150 }, (_, i) => entry(i + 1));
    hops.answer('project.audit', (params) => {
      const { afterSeq = 0, limit = 1000 } = params as { afterSeq?: number; limit?: number };
      return { entries: log.filter((e) => e.seq > afterSeq).slice(0, limit) };
    });
    await session.projects.loadAudit();
    assert.deepEqual([store.getState().audit?.entries.length, store.getState().audit?.hasMore], [100, true]);
    await session.projects.loadMoreAudit();
    assert.deepEqual([store.getState().audit?.entries.length, store.getState().audit?.hasMore], [150, false]);
    assert.equal(store.getState().audit?.entries.at(-1)?.seq, 150);
    log.push(entry(151, 'member.add'));
    await session.projects.addMember('cy', 'data-scientist');
    await flush();
    assert.equal(store.getState().audit?.entries.at(-1)?.seq, 151);
    assert.deepEqual(calls('project.audit'), [
      { cluster: 'lab', project: 'vision', limit: 100 },
      { cluster: 'lab', project: 'vision', afterSeq: 100, limit: 100 },
      { cluster: 'lab', project: 'vision', afterSeq: 150, limit: 100 },
    ]);
  });

  it('stops reading projects when disposed', async () => {
    const { store, session, calls } = await setup();
    session.dispose();
    store.getState().showView('projects');
    await flush();
    assert.equal(calls('project.list').length, 0);
  });
});
