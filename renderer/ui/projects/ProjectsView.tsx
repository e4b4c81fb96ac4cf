/**
 * The Projects section's main area: the project picked in the side bar, or what to do when
 * there is none yet, or why the projects could not be read with a Retry.
 */
import { FolderKanban, LoaderCircle, Plus, Ticket } from 'lucide-react';
import { useAppState } from '../../store/app-store.ts';
import { selectActiveClusterName } from '../../store/clusters-slice.ts';
import { selectProjects, selectProjectsPhase, selectProjectsProblem, selectSelectedProject } from '../../store/projects-slice.ts';
import { useSession } from '../session-context.ts';
import { ProjectError } from './ProjectError.tsx';
import { ProjectPage } from './ProjectPage.tsx';

export function ProjectsView() {
  const session = useSession();
  const phase = useAppState(selectProjectsPhase);
  const problem = useAppState(selectProjectsProblem);
  const count = useAppState((s) => selectProjects(s).length);
  const project = useAppState(selectSelectedProject);
  const cluster = useAppState(selectActiveClusterName);

  if (project !== null) return <ProjectPage project={project} />;

  if (phase === 'error' && problem !== null) {
    return (
      <div className="projects-view">
        <ProjectError
          title={`Could not read the projects of cluster ${cluster ?? ''}`.trim()}
          problem={problem}
          context="list"
          onRetry={() => void session.projects.load()}
        />
      </div>
    );
  }

  if (phase === 'ready' && count > 0) {
    return (
      <div className="empty-state" data-testid="projects-pick">
        <FolderKanban className="empty-icon" size={40} strokeWidth={1.25} aria-hidden="true" />
        <p>Pick a project in the side bar to see its members.</p>
      </div>
    );
  }

  if (phase !== 'ready') {
    return (
      <div className="loading-view" data-testid="projects-loading">
        <LoaderCircle className="spin" size={16} aria-hidden="true" /> Reading the projects{cluster === null ? '' : ` of cluster ${cluster}`}…
      </div>
    );
  }

  return (
    <div className="empty-state" data-testid="projects-empty">
      <FolderKanban className="empty-icon" size={40} strokeWidth={1.25} aria-hidden="true" />
      <h1>No projects yet</h1>
      <p>Create a project to group members and datasets. You become its Data Owner and can add members or invite people.</p>
      <p className="empty-note">Invited to someone else's cluster? Join it with the code you were given.</p>
      <div className="empty-actions">
        <button type="button" className="button button-primary" onClick={() => session.projects.openNewProject()} data-testid="new-project-empty">
          <Plus size={14} aria-hidden="true" /> New project…
        </button>
        <button type="button" className="button" onClick={() => session.join.open()}>
          <Ticket size={14} aria-hidden="true" /> Join with invite…
        </button>
      </div>
    </div>
  );
}
