/**
 * The main area shows the active section; a failed load takes it over with the way out.
 * The new-cluster wizard, while open, takes the Cluster section's place.
 */
import { lazy, Suspense } from 'react';
import { sectionOf } from '../../app/sections.ts';
import { useAppState } from '../../store/app-store.ts';
import { selectLoadPhase, selectLoadProblem } from '../../store/cluster-slice.ts';
import { selectActiveView } from '../../store/layout-slice.ts';
import { selectWizard } from '../../store/wizard-slice.ts';
import { ClusterView } from '../cluster/ClusterView.tsx';
import { TerminalSection } from '../terminal/TerminalSection.tsx';
import { EmptySection } from './EmptySection.tsx';
import { ErrorPanel } from './ErrorPanel.tsx';
import { LoadingView } from './LoadingView.tsx';

// Only needed when someone adds a cluster; it loads then, not before the first paint.
const NewClusterWizard = lazy(() => import('../setup/NewClusterWizard.tsx').then((m) => ({ default: m.NewClusterWizard })));
const ProjectsView = lazy(() => import('../projects/ProjectsView.tsx').then((m) => ({ default: m.ProjectsView })));
const DatasetsView = lazy(() => import('../datasets/DatasetsView.tsx').then((m) => ({ default: m.DatasetsView })));

export function MainArea() {
  const view = useAppState(selectActiveView);
  const phase = useAppState(selectLoadPhase);
  const problem = useAppState(selectLoadProblem);
  const wizardOpen = useAppState((s) => selectWizard(s) !== null);

  let content;
  if (view === 'cluster' && wizardOpen) {
    content = (
      <Suspense fallback={null}>
        <NewClusterWizard />
      </Suspense>
    );
  } else if (phase === 'error' && problem !== null) content = <ErrorPanel problem={problem} />;
  else if (view === 'terminal') content = <TerminalSection />;
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
  else if (view !== 'cluster') content = <EmptySection view={view} />;
  else if (phase === 'loading') content = <LoadingView />;
  else content = <ClusterView />;

  return (
    <main id="main-area" className="main-area" aria-label={sectionOf(view).title} data-view={view}>
      {content}
    </main>
  );
}
