/**
 * A section that this version does not have yet: what will live there, said plainly, with
 * no controls that pretend otherwise.
 */
import { sectionShortcut } from '../../app/commands.ts';
import { sectionOf, sections } from '../../app/sections.ts';
import type { ViewId } from '../../../protocol/desktop-api.ts';
import { appStore } from '../../store/app-store.ts';
import { Kbd } from '../common/Kbd.tsx';
import { sectionIcons } from '../common/section-icons.ts';

export function EmptySection({ view }: { view: ViewId }) {
  const section = sectionOf(view);
  const Icon = sectionIcons[view];
  const clusterIndex = sections.findIndex((s) => s.id === 'cluster');
  return (
    <div className="empty-state" data-testid="empty-state" data-view={view}>
      <Icon className="empty-icon" size={40} strokeWidth={1.25} aria-hidden="true" />
      <h1>{section.title}</h1>
      <p>{section.promise[0]}</p>
      <p>{section.promise[1]}</p>
      <p className="empty-note">Not available in this version of Hopsdesk yet.</p>
      <button type="button" className="button" onClick={() => appStore.getState().showView('cluster')}>
        Back to the cluster <Kbd shortcut={sectionShortcut(clusterIndex)} />
      </button>
    </div>
  );
}
