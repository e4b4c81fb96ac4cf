/** The side bar: the active section's title and its tree. */
import { RefreshCw } from 'lucide-react';
import { sectionOf } from '../../app/sections.ts';
import { useAppState } from '../../store/app-store.ts';
import { selectActiveView } from '../../store/layout-slice.ts';
import { useSession } from '../session-context.ts';
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
          <button type="button" className="icon-button" aria-label="Reload cluster" title="Reload cluster" onClick={() => void session.reload()}>
            <RefreshCw size={14} aria-hidden="true" />
          </button>
        )}
      </header>
      <div className="side-bar-body">
        {view === 'cluster' ? <ClusterTree /> : <p className="side-bar-note">Nothing here in this version yet.</p>}
      </div>
    </aside>
  );
}
