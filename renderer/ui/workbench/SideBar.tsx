/** The side bar: the active section's title, its actions and its trees. */
import { Plus, RefreshCw } from 'lucide-react';
import { sectionOf } from '../../app/sections.ts';
import { useAppState } from '../../store/app-store.ts';
import { selectActiveView } from '../../store/layout-slice.ts';
import { useSession } from '../session-context.ts';
import { openNewClusterWizard } from '../setup/open-wizard.ts';
import { ProjectList } from '../projects/ProjectList.tsx';
import { DatasetTree } from '../datasets/DatasetTree.tsx';
import { OpenTerminalsList } from '../terminal/OpenTerminalsList.tsx';
import { OpenFilesList } from '../editor/OpenFilesList.tsx';
import { openJobForm } from '../../app/job-form.ts';
import { JobsSideBar } from '../jobs/JobsSideBar.tsx';
import { jobsSession } from '../jobs/jobs-session.ts';
import { ClusterList } from './ClusterList.tsx';
import { ClusterTree } from './ClusterTree.tsx';

export function SideBar({ width }: { width: number }) {
  const view = useAppState(selectActiveView);
  const section = sectionOf(view);
  const session = useSession();
  return (
    <aside id="side-bar" className="side-bar" style={{ width }} aria-label={`${section.title} side bar`}>
      <header className="side-bar-header">
        <h2>{section.title}</h2>
        {view === 'cluster' && (
          <div className="side-bar-actions">
            <button type="button" className="icon-button" aria-label="Add SSH cluster" title="Add SSH cluster…" onClick={openNewClusterWizard}>
              <Plus size={14} aria-hidden="true" />
            </button>
            <button type="button" className="icon-button" aria-label="Reload cluster" title="Reload cluster" onClick={() => void session.reload()}>
              <RefreshCw size={14} aria-hidden="true" />
            </button>
          </div>
        )}
        {view === 'projects' && (
          <div className="side-bar-actions">
            <button
              type="button"
              id="new-project-button"
              className="icon-button"
              aria-label="New project"
              title="New project…"
              data-testid="new-project"
              onClick={() => session.projects.openNewProject()}
            >
              <Plus size={14} aria-hidden="true" />
            </button>
            <button type="button" className="icon-button" aria-label="Reload projects" title="Reload projects" data-testid="projects-reload" onClick={() => void session.projects.load()}>
              <RefreshCw size={14} aria-hidden="true" />
            </button>
          </div>
        )}
        {view === 'jobs' && (
          <div className="side-bar-actions">
            <button type="button" className="icon-button" aria-label="Run a job" title="Run a job…" data-testid="jobs-side-run" onClick={() => openJobForm()}>
              <Plus size={14} aria-hidden="true" />
            </button>
            <button type="button" className="icon-button" aria-label="Reload jobs" title="Reload jobs" data-testid="jobs-reload" onClick={() => void jobsSession().actions.load()}>
              <RefreshCw size={14} aria-hidden="true" />
            </button>
          </div>
        )}
        {view === 'datasets' && (
          <div className="side-bar-actions">
            <button type="button" className="icon-button" aria-label="Reload datasets" title="Reload datasets" data-testid="datasets-reload" onClick={() => void session.datasets.refresh()}>
              <RefreshCw size={14} aria-hidden="true" />
            </button>
          </div>
        )}
      </header>
      <div className="side-bar-body">
        {view === 'cluster' ? (
          <>
            <ClusterList />
            <section className="side-bar-section" aria-labelledby="hosts-heading">
              <h3 id="hosts-heading" className="side-bar-subheading">
                Hosts
              </h3>
              <ClusterTree />
            </section>
          </>
        ) : view === 'projects' ? (
          <ProjectList />
        ) : view === 'datasets' ? (
          <DatasetTree />
        ) : view === 'jobs' ? (
          <JobsSideBar />
        ) : view === 'terminal' ? (
          <OpenTerminalsList />
        ) : view === 'editor' ? (
          <OpenFilesList />
        ) : (
          <p className="side-bar-note">Nothing here in this version yet.</p>
        )}
      </div>
    </aside>
  );
}
