/**
 * The main area shows the active section; a failed load takes it over with the way out.
 * The new-cluster wizard, while open, takes the Cluster section's place.
 */
import { lazy, Suspense, useEffect } from 'react';
import { sectionOf } from '../../app/sections.ts';
import { useAppState } from '../../store/app-store.ts';
import { selectLoadPhase, selectLoadProblem } from '../../store/cluster-slice.ts';
import { selectActiveView } from '../../store/layout-slice.ts';
import { selectWizard } from '../../store/wizard-slice.ts';
import { ClusterView } from '../cluster/ClusterView.tsx';
import { TerminalSection } from '../terminal/TerminalSection.tsx';
import { jobsSession } from '../jobs/jobs-session.ts';
import { EmptySection } from './EmptySection.tsx';
import { ErrorPanel } from './ErrorPanel.tsx';
import { LoadingView } from './LoadingView.tsx';

// Only needed when someone adds a cluster; it loads then, not before the first paint.
const NewClusterWizard = lazy(() => import('../setup/NewClusterWizard.tsx').then((m) => ({ default: m.NewClusterWizard })));
const ProjectsView = lazy(() => import('../projects/ProjectsView.tsx').then((m) => ({ default: m.ProjectsView })));
const DatasetsView = lazy(() => import('../datasets/DatasetsView.tsx').then((m) => ({ default: m.DatasetsView })));
// Loaded when the section first shows; Monaco itself only once a file does.
const EditorArea = lazy(() => import('../editor/EditorArea.tsx').then((m) => ({ default: m.EditorArea })));
const JobsView = lazy(() => import('../jobs/JobsView.tsx').then((m) => ({ default: m.JobsView })));

export function MainArea() {
  const view = useAppState(selectActiveView);
  const phase = useAppState(selectLoadPhase);
  const problem = useAppState(selectLoadProblem);
  const wizardOpen = useAppState((s) => selectWizard(s) !== null);
  // Job events (and the notice when a job ends) arrive whichever section is on screen.
  useEffect(() => void jobsSession(), []);

  let content;
  if (view === 'cluster' && wizardOpen) {
    content = (
      <Suspense fallback={null}>
        <NewClusterWizard />
      </Suspense>
    );
  } else if (phase === 'error' && problem !== null) content = <ErrorPanel problem={problem} />;
  else if (view === 'terminal') content = <TerminalSection />;
  else if (view === 'editor') {
    content = (
      <Suspense fallback={<LoadingView />}>
        <EditorArea />
      </Suspense>
    );
  }
  else if (view === 'projects') {
    content =
      phase === 'loading' ? (
        <LoadingView />
      ) : (
        <Suspense fallback={null}>
          <ProjectsView />
        </Suspense>
      );
  }
  else if (view === 'datasets') {
    content =
      phase === 'loading' ? (
        <LoadingView />
      ) : (
        <Suspense fallback={null}>
          <DatasetsView />
        </Suspense>
      );
  }
  else if (view === 'jobs') {
    content =
      phase === 'loading' ? (
        <LoadingView />
      ) : (
        <Suspense fallback={null}>
          <JobsView />
        </Suspense>
      );
  }
  else if (view !== 'cluster') content = <EmptySection view={view} />;
  else if (phase === 'loading') content = <LoadingView />;
  else content = <ClusterView />;

  return (
    <main id="main-area" className="main-area" aria-label={sectionOf(view).title} data-view={view}>
      {content}
    </main>
  );
}
