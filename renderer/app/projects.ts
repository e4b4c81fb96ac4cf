/**
 * The Projects section's calls to the head (through the desktop core): read the projects
 * and who the caller is, create a project, manage members, make invites and page through
 * the audit log. Answers go to the store; a refusal is kept with its hint and shown next to
 * what was tried, never swallowed.
 */
import type { HopsApi } from '../../protocol/desktop-api.ts';
import { roleTitles, type Invite, type Project, type Role } from '../../protocol/projects.ts';
import type { AppState, AppStore } from '../store/app-state.ts';
import { AUDIT_PAGE_SIZE, nextAuditQuery } from '../store/audit-slice.ts';
import type { LoadProblem } from '../store/cluster-slice.ts';
import { selectActiveClusterName } from '../store/clusters-slice.ts';
import { formatExactTime } from '../format/time.ts';
import { inviteCommand } from './join-form.ts';
import { problemOf } from './problems.ts';
import { projectNameProblem } from './project-rules.ts';

/** An invite as the dialog shows it, once: the code and the command the invitee runs. */
export interface MadeInvite extends Invite {
  headAddress: string;
  clientPort: number;
  command: string;
}

export type InviteOutcome = { ok: true; invite: MadeInvite } | { ok: false; problem: LoadProblem };

export interface ProjectActions {
  /** Reads the caller and the projects of the active cluster (the Refresh button; also on showing the section). */
  load(): Promise<void>;
  /** Shows a project, and re-reads it so its members are current. */
  select(name: string): Promise<void>;
  /** Creates the project in the form when its name is valid, and selects it. */
  create(): Promise<void>;
  /** Adds a member to the project on screen; true when the head took it. */
  addMember(user: string, role: Role): Promise<boolean>;
  changeRole(user: string, role: Role): Promise<void>;
  removeMember(user: string): Promise<void>;
  /** A one-time code for the project on screen; the code is returned, never stored or logged. */
  invite(role: Role, ttlHours: number): Promise<InviteOutcome>;
  /** The first page of the audit log of the project on screen. */
  loadAudit(): Promise<void>;
  /** The entries after the last one held. */
  loadMoreAudit(): Promise<void>;
  /** Shows the Projects section with the new-project form open. */
  openNewProject(): void;
  /** Stops reading projects when the section is shown. */
  dispose(): void;
}

export interface ProjectActionsOptions {
  hops: HopsApi;
  store: AppStore;
}

/** The Projects section is on screen for a cluster whose projects were not read yet. */
const needsProjects = (s: AppState): boolean => {
  const cluster = selectActiveClusterName(s);
  return s.layout.activeView === 'projects' && s.loadPhase === 'ready' && cluster !== null && s.projectsCluster !== cluster;
};

export function createProjectActions({ hops, store }: ProjectActionsOptions): ProjectActions {
  const state = store.getState;
  /** The cluster every call names, so a switch meanwhile cannot send it elsewhere. */
  const cluster = () => state().projectsCluster ?? selectActiveClusterName(state()) ?? undefined;
  const on = (name: string | undefined) => (name === undefined ? {} : { cluster: name });
  let loads = 0;

  const load = async () => {
    const name = selectActiveClusterName(state());
    if (name === null) return;
    const run = ++loads;
    state().projectsLoadStarted(name);
    try {
      const [me, { projects }] = await Promise.all([hops.project.me({ cluster: name }), hops.project.list({ cluster: name })]);
      if (run === loads) state().projectsLoaded(name, projects, me);
    } catch (err) {
      if (run === loads) state().projectsLoadFailed(name, problemOf(err));
    }
  };

  /** Applies a changed project from an answer, unless the window moved to another cluster meanwhile. */
  const apply = (from: string | undefined, project: Project) => {
    if (from === cluster()) state().projectChanged(project);
  };

  /** Runs an action on the project on screen; a failure is shown with `action` as its title. */
  const act = async (action: string, call: (project: string, name: string | undefined) => Promise<Project>): Promise<boolean> => {
    const project = state().selectedProject;
    if (project === null) return false;
    const name = cluster();
    state().projectProblemShown(null);
    try {
      apply(name, await call(project, name));
      if (state().audit?.project === project && state().audit?.phase === 'ready') void loadMoreAudit();
      return true;
    } catch (err) {
      state().projectProblemShown({ action, ...problemOf(err) });
      return false;
    }
  };

  const loadAudit = async () => {
    const project = state().selectedProject;
    if (project === null) return;
    state().auditStarted(project, false);
    try {
      const { entries } = await hops.project.audit({ ...on(cluster()), project, limit: AUDIT_PAGE_SIZE });
      state().auditPageLoaded(project, entries, AUDIT_PAGE_SIZE);
    } catch (err) {
      state().auditFailed(project, problemOf(err));
    }
  };

  async function loadMoreAudit(): Promise<void> {
    const audit = state().audit;
    const project = state().selectedProject;
    if (audit === null || audit.project !== project) return loadAudit();
    if (audit.loadingMore) return;
    state().auditStarted(project, true);
    try {
      const { entries } = await hops.project.audit({ ...on(cluster()), project, ...nextAuditQuery(audit.entries) });
      state().auditPageLoaded(project, entries, AUDIT_PAGE_SIZE);
    } catch (err) {
      state().auditFailed(project, problemOf(err));
    }
  }

  // Read the projects when the section shows, and again for each cluster switched to.
  let scheduled = false;
  const unsubscribe = store.subscribe((next) => {
    if (scheduled || !needsProjects(next)) return;
    scheduled = true;
    // Not inside the store's own notification: other listeners still get this change first.
    queueMicrotask(() => {
      scheduled = false;
      if (needsProjects(state())) void load();
    });
  });

  return {
    load,
    async select(project) {
      state().projectSelected(project);
      const name = cluster();
      try {
        apply(name, await hops.project.get({ ...on(name), project }));
      } catch (err) {
        if (state().selectedProject === project) state().projectProblemShown({ action: `Could not read project ${project}`, ...problemOf(err) });
      }
    },
    async create() {
      const form = state().projectForm;
      if (form === null || form.busy) return;
      const projectName = form.name.trim();
      if (projectNameProblem(projectName, state().projects.map((p) => p.name)) !== undefined) {
        state().projectFormChanged({ showErrors: true });
        return;
      }
      const name = cluster();
      const description = form.description.trim();
      state().projectFormChanged({ busy: true, problem: null });
      try {
        const project = await hops.project.create({ ...on(name), name: projectName, ...(description === '' ? {} : { description }) });
        apply(name, project);
        state().projectSelected(project.name);
        state().projectFormClosed();
        state().notify('success', `Created project ${project.name}; you are its ${roleTitles['data-owner']}.`);
      } catch (err) {
        state().projectFormChanged({ busy: false, problem: problemOf(err) });
      }
    },
    async addMember(user, role) {
      const project = state().selectedProject;
      const ok = await act(`Could not add ${user} to ${project}`, (p, name) => hops.project.addMember({ ...on(name), project: p, user, role }));
      if (ok) state().notify('success', `Added ${user} to project ${project} as ${roleTitles[role]}.`);
      return ok;
    },
    async changeRole(user, role) {
      const project = state().selectedProject;
      const ok = await act(`Could not make ${user} a ${roleTitles[role]} in ${project}`, (p, name) =>
        hops.project.addMember({ ...on(name), project: p, user, role }),
      );
      if (ok) state().notify('success', `${user} is now a ${roleTitles[role]} in project ${project}.`);
    },
    async removeMember(user) {
      const project = state().selectedProject;
      if (project === null) return;
      const leaving = user === state().me?.name;
      const ok = await act(`Could not remove ${user} from ${project}`, (p, name) => hops.project.removeMember({ ...on(name), project: p, user }));
      if (!leaving) {
        if (ok) state().notify('success', `Removed ${user} from project ${project}.`);
        return;
      }
      // Someone who left may no longer read the project: the list says whether it worked.
      await load();
      if (!state().projects.some((p) => p.name === project)) {
        state().projectProblemShown(null);
        state().notify('success', `You left project ${project}.`);
      }
    },
    async invite(role, ttlHours) {
      const project = state().selectedProject;
      if (project === null) return { ok: false, problem: { code: 'VALIDATION', message: 'No project is selected.', hint: 'Pick a project first.' } };
      try {
        const made = await hops.project.invite({ ...on(cluster()), project, role, ttlHours });
        state().notify('info', `Made a one-time invite to project ${project} as ${roleTitles[role]}, valid until ${formatExactTime(made.expiresAtMs)}.`);
        return { ok: true, invite: { ...made, command: inviteCommand(made) } };
      } catch (err) {
        return { ok: false, problem: problemOf(err) };
      }
    },
    loadAudit,
    loadMoreAudit,
    openNewProject() {
      state().showView('projects');
      state().projectFormOpened();
    },
    dispose: unsubscribe,
  };
}
