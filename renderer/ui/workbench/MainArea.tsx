/** The main area shows the active section; a failed load takes it over with the way out. */
import { sectionOf } from '../../app/sections.ts';
import { useAppState } from '../../store/app-store.ts';
import { selectLoadPhase, selectLoadProblem } from '../../store/cluster-slice.ts';
import { selectActiveView } from '../../store/layout-slice.ts';
import { ClusterView } from '../cluster/ClusterView.tsx';
import { EmptySection } from './EmptySection.tsx';
import { ErrorPanel } from './ErrorPanel.tsx';
import { LoadingView } from './LoadingView.tsx';

export function MainArea() {
  const view = useAppState(selectActiveView);
  const phase = useAppState(selectLoadPhase);
  const problem = useAppState(selectLoadProblem);

  let content;
  if (phase === 'error' && problem !== null) content = <ErrorPanel problem={problem} />;
  else if (view !== 'cluster') content = <EmptySection view={view} />;
  else if (phase === 'loading') content = <LoadingView />;
  else content = <ClusterView />;

  return (
    <main id="main-area" className="main-area" aria-label={sectionOf(view).title} data-view={view}>
      {content}
    </main>
  );
}
