import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entry, member, project, user } from '../testing/projects.ts';
import { createAppStore } from './app-state.ts';
import { AUDIT_PAGE_SIZE, mergeAuditPage, nextAuditQuery } from './audit-slice.ts';
import { selectAbilities, selectSelectedProject } from './projects-slice.ts';

describe('projects slice', () => {
  it('sorts the projects and selects the first when nothing was selected', () => {
    const store = createAppStore();
    store.getState().projectsLoadStarted('lab');
    store.getState().projectsLoaded('lab', [project('vision'), project('nlp')], user());
    assert.deepEqual(store.getState().projects.map((p) => p.name), ['nlp', 'vision']);
    assert.equal(selectSelectedProject(store.getState())?.name, 'nlp');
    assert.equal(store.getState().projectsPhase, 'ready');
  });

  it('keeps the selection across a reload while the project exists, else falls back to the first', () => {
    const store = createAppStore();
    store.getState().projectsLoadStarted('lab');
    store.getState().projectsLoaded('lab', [project('nlp'), project('vision')], user());
    store.getState().projectSelected('vision');
    store.getState().projectsLoadStarted('lab');
    assert.equal(store.getState().projects.length, 2, 'the list stays on screen while it is read again');
    store.getState().projectsLoaded('lab', [project('nlp'), project('vision')], user());
    assert.equal(store.getState().selectedProject, 'vision');
    store.getState().projectsLoaded('lab', [project('nlp')], user());
    assert.equal(store.getState().selectedProject, 'nlp');
  });

  it('drops another cluster’s projects and ignores its late answers', () => {
    const store = createAppStore();
    store.getState().projectsLoadStarted('lab');
    store.getState().projectsLoaded('lab', [project('vision')], user());
    store.getState().projectsLoadStarted('rack');
    assert.deepEqual(store.getState().projects, []);
    store.getState().projectsLoaded('lab', [project('late')], user());
    assert.deepEqual(store.getState().projects, []);
    store.getState().projectsLoadFailed('lab', { code: 'INTERNAL', message: 'late', hint: '' });
    assert.equal(store.getState().projectsPhase, 'loading');
  });

  it('keeps a selection made before the first read (a join names its project)', () => {
    const store = createAppStore();
    store.getState().projectSelected('vision');
    store.getState().projectsLoadStarted('lab');
    store.getState().projectsLoaded('lab', [project('nlp'), project('vision')], user());
    assert.equal(store.getState().selectedProject, 'vision');
  });

  it('forgets projects and the audit log when the window switches clusters', () => {
    const store = createAppStore();
    store.getState().projectsLoadStarted('lab');
    store.getState().projectsLoaded('lab', [project('vision')], user());
    store.getState().auditStarted('vision', false);
    store.getState().switchDone('rack');
    const s = store.getState();
    assert.deepEqual([s.projectsCluster, s.projects, s.selectedProject, s.me, s.audit, s.projectsPhase], [null, [], null, null, null, 'idle']);
  });

  it('replaces a project an answer returned, in name order', () => {
    const store = createAppStore();
    store.getState().projectsLoadStarted('lab');
    store.getState().projectsLoaded('lab', [project('vision')], user());
    store.getState().projectChanged(project('vision', { members: [member('ana', 'data-owner'), member('bob')] }));
    store.getState().projectChanged(project('audio'));
    assert.deepEqual(store.getState().projects.map((p) => [p.name, p.members.length]), [
      ['audio', 1],
      ['vision', 2],
    ]);
  });

  it('derives the abilities of the project on screen from the caller’s role', () => {
    const store = createAppStore();
    assert.equal(selectAbilities(store.getState()).addMembers, false);
    store.getState().projectsLoadStarted('lab');
    store.getState().projectsLoaded('lab', [project('nlp', { myRole: 'data-scientist' }), project('vision', { myRole: null })], user('root', true));
    assert.deepEqual(selectAbilities(store.getState()), { addMembers: true, changeRoles: false, removeMembers: false, invite: false, readAudit: false });
    store.getState().projectSelected('vision');
    assert.equal(selectAbilities(store.getState()).addMembers, true);
  });

  it('clears the form’s problem as the user types', () => {
    const store = createAppStore();
    store.getState().projectFormOpened();
    store.getState().projectFormChanged({ problem: { code: 'PROJECT_EXISTS', message: 'exists', hint: 'other' } });
    store.getState().projectFormEdited({ name: 'vision2' });
    assert.deepEqual(store.getState().projectForm, { name: 'vision2', description: '', showErrors: false, busy: false, problem: null });
  });
});

describe('audit log', () => {
  it('merges pages by sequence number, newest last, each entry once', () => {
    const merged = mergeAuditPage([entry(1), entry(2), entry(3)], [entry(3, 'member.role'), entry(5), entry(4)]);
    assert.deepEqual(merged.map((e) => e.seq), [1, 2, 3, 4, 5]);
    assert.equal(merged[2]?.action, 'member.role', 'the later copy wins');
    assert.deepEqual(mergeAuditPage([], []), []);
  });

  it('asks for what comes after the last entry held', () => {
    assert.deepEqual(nextAuditQuery([]), { limit: AUDIT_PAGE_SIZE });
    assert.deepEqual(nextAuditQuery([entry(1), entry(7)], 50), { afterSeq: 7, limit: 50 });
  });

  it('knows there may be more only after a full page', () => {
    const store = createAppStore();
    store.getState().auditStarted('vision', false);
    store.getState().auditPageLoaded('vision', [entry(1), entry(2)], 2);
    assert.equal(store.getState().audit?.hasMore, true);
    store.getState().auditStarted('vision', true);
    assert.deepEqual([store.getState().audit?.loadingMore, store.getState().audit?.entries.length], [true, 2], 'entries stay while more load');
    store.getState().auditPageLoaded('vision', [entry(3)], 2);
    assert.deepEqual([store.getState().audit?.hasMore, store.getState().audit?.entries.map((e) => e.seq)], [false, [1, 2, 3]]);
  });

  it('keeps what it has when a later page fails, and drops answers for another project', () => {
    const store = createAppStore();
    store.getState().auditStarted('vision', false);
    store.getState().auditPageLoaded('vision', [entry(1)], 10);
    store.getState().auditStarted('vision', true);
    store.getState().auditFailed('vision', { code: 'FORBIDDEN', message: 'no', hint: 'ask' });
    assert.deepEqual([store.getState().audit?.phase, store.getState().audit?.entries.length, store.getState().audit?.problem?.code], ['ready', 1, 'FORBIDDEN']);
    store.getState().auditPageLoaded('nlp', [entry(9)], 10);
    assert.equal(store.getState().audit?.entries.length, 1);
    store.getState().auditStarted('nlp', true);
    assert.deepEqual([store.getState().audit?.project, store.getState().audit?.phase], ['nlp', 'loading'], 'more of another project starts afresh');
  });
});
