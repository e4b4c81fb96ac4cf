/**
 * One project: its name, description and the caller's role, then tabs for its members and
 * (for those who may read it) its audit log. Tabs follow the WAI-ARIA pattern: one tab
 * stop, Left/Right move between them.
 */
import { FolderKanban, RefreshCw, UserPlus } from 'lucide-react';
import { useRef, useState, type KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Project } from '../../../protocol/projects.ts';
import { appStore, useAppState } from '../../store/app-store.ts';
import { selectAbilities, selectMe, selectProjectProblem } from '../../store/projects-slice.ts';
import { RelativeTime } from '../common/RelativeTime.tsx';
import { useSession } from '../session-context.ts';
import { AuditTable } from './AuditTable.tsx';
import { InviteDialog } from './InviteDialog.tsx';
import { MembersTab } from './MembersTab.tsx';
import { ProjectError } from './ProjectError.tsx';
import { RoleBadge } from './RoleBadge.tsx';

type Tab = 'members' | 'audit';

export function ProjectPage({ project }: { project: Project }) {
  const session = useSession();
  const me = useAppState(selectMe);
  const can = useAppState(useShallow(selectAbilities));
  const problem = useAppState(selectProjectProblem);
  const [chosenTab, setTab] = useState<Tab>('members');
  const [inviting, setInviting] = useState(false);
  const tabs = useRef(new Map<Tab, HTMLButtonElement>());
  const available: Tab[] = can.readAudit ? ['members', 'audit'] : ['members'];
  const tab = available.includes(chosenTab) ? chosenTab : 'members';

  const show = (next: Tab) => {
    setTab(next);
    tabs.current.get(next)?.focus();
  };
  const onTabKey = (event: KeyboardEvent) => {
    const index = available.indexOf(tab);
    const keys: Record<string, () => void> = {
      ArrowRight: () => show(available[(index + 1) % available.length]!),
      ArrowLeft: () => show(available[(index - 1 + available.length) % available.length]!),
      Home: () => show(available[0]!),
      End: () => show(available.at(-1)!),
    };
    const handler = keys[event.key];
    if (handler === undefined) return;
    event.preventDefault();
    handler();
  };

  const tabButton = (id: Tab, title: string, count?: number) => (
    <button
      key={id}
      ref={(el) => {
        if (el) tabs.current.set(id, el);
        else tabs.current.delete(id);
      }}
      type="button"
      role="tab"
      id={`project-tab-${id}`}
      aria-selected={tab === id}
      aria-controls={`project-panel-${id}`}
      tabIndex={tab === id ? 0 : -1}
      className="project-tab"
      data-testid={`project-tab-${id}`}
      onClick={() => setTab(id)}
    >
      {title}
      {count !== undefined && <span className="count num">{count}</span>}
    </button>
  );

  return (
    <div className="projects-view" data-testid="project-page" data-name={project.name}>
      <header className="project-header">
        <div className="project-title">
          <FolderKanban size={18} aria-hidden="true" />
          <h1>{project.name}</h1>
          <RoleBadge role={project.myRole} admin={me?.admin === true} />
          <div className="project-actions">
            {can.invite && (
              <button type="button" className="button" onClick={() => setInviting(true)} data-testid="invite-button">
                <UserPlus size={14} aria-hidden="true" /> Invite someone…
              </button>
            )}
            <button type="button" className="icon-button" aria-label={`Reload project ${project.name}`} title="Reload" onClick={() => void session.projects.select(project.name)}>
              <RefreshCw size={14} aria-hidden="true" />
            </button>
          </div>
        </div>
        <p className="project-description" data-testid="project-description">
          {project.description === '' ? <span className="muted">No description.</span> : project.description}
        </p>
        <p className="project-meta">
          Created by {project.createdBy} <RelativeTime atMs={project.createdAtMs} />.
          {project.myRole === null && (me?.admin ? ' You are not a member; as the cluster admin you may see it and add members.' : ' You are not a member.')}
        </p>
      </header>

      {problem !== null && (
        <ProjectError title={problem.action} problem={problem} context="members" onDismiss={() => appStore.getState().projectProblemShown(null)} />
      )}

      <div role="tablist" aria-label={`${project.name} views`} className="project-tabs" onKeyDown={onTabKey}>
        {tabButton('members', 'Members', project.members.length)}
        {can.readAudit && tabButton('audit', 'Audit log')}
      </div>
      <div role="tabpanel" id={`project-panel-${tab}`} aria-labelledby={`project-tab-${tab}`} className="project-panel">
        {tab === 'members' ? <MembersTab project={project} /> : <AuditTable project={project.name} />}
      </div>

      {inviting && <InviteDialog project={project.name} onClose={() => setInviting(false)} />}
    </div>
  );
}
