/**
 * The projects of the active cluster as the head reported them, who the caller is there,
 * the project on screen, the new-project form, and the last project action that failed
 * (shown inline with its hint until dismissed or replaced).
 */
import type { Project, User } from '../../protocol/projects.ts';
import { projectAbilities, type ProjectAbilities } from '../app/project-rules.ts';
import type { AppState, SliceCreator } from './app-state.ts';
import type { LoadProblem } from './cluster-slice.ts';

export type ProjectsPhase = 'idle' | 'loading' | 'ready' | 'error';

export interface ProjectForm {
  name: string;
  description: string;
  /** Problems show after the first Create, then follow the typing. */
  showErrors: boolean;
  busy: boolean;
  problem: LoadProblem | null;
}

/** A failed action on the project on screen: what was tried, and the head's answer. */
export interface ProjectProblem extends LoadProblem {
  /** "Could not add ana to vision". */
  action: string;
}

export interface ProjectsSlice {
  /** The cluster the projects were read from; null until a read starts. */
  projectsCluster: string | null;
  projectsPhase: ProjectsPhase;
  /** Why the list could not be read. */
  projectsProblem: LoadProblem | null;
  /** Sorted by name. */
  projects: Project[];
  /** The caller on that cluster. */
  me: User | null;
  selectedProject: string | null;
  projectForm: ProjectForm | null;
  projectProblem: ProjectProblem | null;
  projectsLoadStarted(cluster: string): void;
  /** Keeps the selection when the project is still there, else selects the first one. */
  projectsLoaded(cluster: string, projects: Project[], me: User): void;
  projectsLoadFailed(cluster: string, problem: LoadProblem): void;
  /** Forgets everything read from a cluster (on switching to another). */
  projectsReset(): void;
  projectSelected(name: string): void;
  /** A project as an answer returned it (create, get, add or remove member): replaced or added. */
  projectChanged(project: Project): void;
  projectFormOpened(): void;
  projectFormClosed(): void;
  projectFormEdited(patch: Partial<Pick<ProjectForm, 'name' | 'description'>>): void;
  projectFormChanged(patch: Partial<Pick<ProjectForm, 'showErrors' | 'busy' | 'problem'>>): void;
  projectProblemShown(problem: ProjectProblem | null): void;
}

const byName = (a: Project, b: Project) => a.name.localeCompare(b.name);

/** The slice's state before anything was read, also what a cluster switch returns to. */
export const initialProjects = {
  projectsCluster: null,
  projectsPhase: 'idle',
  projectsProblem: null,
  projects: [],
  me: null,
  selectedProject: null,
  projectForm: null,
  projectProblem: null,
} satisfies Partial<ProjectsSlice>;

const emptyForm = (): ProjectForm => ({ name: '', description: '', showErrors: false, busy: false, problem: null });

export const createProjectsSlice: SliceCreator<ProjectsSlice> = (set) => {
  const updateForm = (patch: Partial<ProjectForm>) => set((s) => (s.projectForm === null ? {} : { projectForm: { ...s.projectForm, ...patch } }));
  return {
    ...initialProjects,
    projectsLoadStarted: (cluster) =>
      set((s) =>
        // Another cluster's projects go; a selection made before the first read (a join names
        // the project the invite led to) waits for the list.
        s.projectsCluster === cluster || s.projectsCluster === null
          ? { projectsCluster: cluster, projectsPhase: 'loading' }
          : { ...initialProjects, projectForm: s.projectForm, projectsCluster: cluster, projectsPhase: 'loading' },
      ),
    projectsLoaded: (cluster, projects, me) =>
      set((s) => {
        if (s.projectsCluster !== cluster) return {};
        const sorted = [...projects].sort(byName);
        const selectedProject = sorted.some((p) => p.name === s.selectedProject) ? s.selectedProject : (sorted[0]?.name ?? null);
        return { projectsPhase: 'ready', projectsProblem: null, projects: sorted, me, selectedProject };
      }),
    projectsLoadFailed: (cluster, problem) => set((s) => (s.projectsCluster !== cluster ? {} : { projectsPhase: 'error', projectsProblem: problem })),
    projectsReset: () => set(initialProjects),
    projectSelected: (name) => set((s) => (s.selectedProject === name ? {} : { selectedProject: name, projectProblem: null })),
    projectChanged: (project) =>
      set((s) => ({ projects: [...s.projects.filter((p) => p.name !== project.name), project].sort(byName) })),
    projectFormOpened: () => set((s) => (s.projectForm === null ? { projectForm: emptyForm() } : {})),
    projectFormClosed: () => set({ projectForm: null }),
    projectFormEdited: (patch) => updateForm({ ...patch, problem: null }),
    projectFormChanged: (patch) => updateForm(patch),
    projectProblemShown: (projectProblem) => set({ projectProblem }),
  };
};

export const selectProjects = (s: AppState): Project[] => s.projects;
export const selectProjectsPhase = (s: AppState): ProjectsPhase => s.projectsPhase;
export const selectProjectsProblem = (s: AppState): LoadProblem | null => s.projectsProblem;
export const selectMe = (s: AppState): User | null => s.me;
export const selectProjectForm = (s: AppState): ProjectForm | null => s.projectForm;
export const selectProjectProblem = (s: AppState): ProjectProblem | null => s.projectProblem;
export const selectSelectedProject = (s: AppState): Project | null => s.projects.find((p) => p.name === s.selectedProject) ?? null;

const none: ProjectAbilities = { addMembers: false, changeRoles: false, removeMembers: false, invite: false, readAudit: false };

/** What the caller may do in the project on screen. Derived object: read it with `useShallow`. */
export const selectAbilities = (s: AppState): ProjectAbilities => {
  const project = selectSelectedProject(s);
  return project === null ? none : projectAbilities(project, s.me);
};
