/**
 * The Projects side bar: the projects of the active cluster with the caller's role in each,
 * and the new-project form when open. A listbox with one tab stop where arrows move and
 * Enter or a click shows the project.
 */
import { FolderKanban } from 'lucide-react';
import { useRef, useState, type KeyboardEvent } from 'react';
import type { Project } from '../../../protocol/projects.ts';
import { useAppState } from '../../store/app-store.ts';
import { selectActiveClusterName } from '../../store/clusters-slice.ts';
import { selectMe, selectProjectForm, selectProjects, selectProjectsPhase } from '../../store/projects-slice.ts';
import { useSession } from '../session-context.ts';
import { NewProjectForm } from './NewProjectForm.tsx';
import { RoleBadge } from './RoleBadge.tsx';

export function ProjectList() {
  const session = useSession();
  const projects = useAppState(selectProjects);
  const phase = useAppState(selectProjectsPhase);
  const selected = useAppState((s) => s.selectedProject);
  const form = useAppState(selectProjectForm);
  const me = useAppState(selectMe);
  const cluster = useAppState(selectActiveClusterName);
  const [focusName, setFocusName] = useState<string | null>(null);
  const items = useRef(new Map<string, HTMLLIElement>());
  const tabStop = focusName !== null && projects.some((p) => p.name === focusName) ? focusName : (selected ?? projects[0]?.name ?? null);

  const moveTo = (index: number) => {
    const project = projects[(index + projects.length) % projects.length];
    if (project === undefined) return;
    setFocusName(project.name);
    items.current.get(project.name)?.focus();
  };

  const open = (project: Project) => {
    if (project.name !== selected) void session.projects.select(project.name);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const index = projects.findIndex((p) => p.name === tabStop);
    const project = projects[index];
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(index + 1),
      ArrowUp: () => moveTo(index - 1),
      Home: () => moveTo(0),
      End: () => moveTo(projects.length - 1),
      Enter: () => project && open(project),
      ' ': () => project && open(project),
    };
    const handler = keys[event.key];
    if (handler === undefined) return;
    event.preventDefault();
    handler();
  };

  let body;
  if (projects.length > 0) {
    body = (
      <ul role="listbox" aria-labelledby="projects-heading" className="project-list" onKeyDown={onKeyDown}>
        {projects.map((project) => (
          <li
            key={project.name}
            ref={(el) => {
              if (el) items.current.set(project.name, el);
              else items.current.delete(project.name);
            }}
            role="option"
            aria-selected={project.name === selected}
            tabIndex={project.name === tabStop ? 0 : -1}
            className="project-item"
            data-testid="project-item"
            data-name={project.name}
            data-role={project.myRole ?? 'none'}
            title={project.description || project.name}
            onFocus={() => setFocusName(project.name)}
            onClick={() => open(project)}
          >
            <FolderKanban size={14} aria-hidden="true" />
            <span className="tree-label">{project.name}</span>
            <RoleBadge role={project.myRole} admin={me?.admin === true} short />
          </li>
        ))}
      </ul>
    );
  } else if (phase === 'ready') {
    body = <p className="side-bar-note">No projects yet. Create a project to group members and datasets.</p>;
  } else if (phase === 'error') {
    body = <p className="side-bar-note">The projects could not be read; see the main area.</p>;
  } else {
    body = <p className="side-bar-note">Reading the projects…</p>;
  }

  return (
    <>
      {form !== null && <NewProjectForm form={form} />}
      <section className="side-bar-section" aria-labelledby="projects-heading">
        <h3 id="projects-heading" className="side-bar-subheading">
          {cluster === null ? 'Projects' : `Projects on ${cluster}`}
        </h3>
        {body}
      </section>
    </>
  );
}
