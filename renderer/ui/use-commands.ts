/** The workbench's commands, rebuilt when the hosts, the clusters, the projects or the theme change. */
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { buildCommands, type AppCommand } from '../app/commands.ts';
import { appStore, useAppState } from '../store/app-store.ts';
import { selectHosts } from '../store/cluster-slice.ts';
import { selectClusters } from '../store/clusters-slice.ts';
import { selectAppInfo } from '../store/connection-slice.ts';
import { selectProjects } from '../store/projects-slice.ts';
import { selectTheme } from '../store/settings-slice.ts';
import { useSession } from './session-context.ts';
import { openNewClusterWizard } from './setup/open-wizard.ts';

export function useCommands(): AppCommand[] {
  const session = useSession();
  const hosts = useAppState(selectHosts);
  const clusters = useAppState(useShallow((s) => selectClusters(s).map((c) => `${c.active ? '*' : ''}${c.name}`)));
  const projects = useAppState(useShallow((s) => selectProjects(s).map((p) => `${p.name === s.selectedProject ? '*' : ''}${p.name}`)));
  const theme = useAppState(selectTheme);
  const terminalsAvailable = useAppState((s) => s.status?.kind === 'ssh');
  const desktopApp = useAppState((s) => selectAppInfo(s)?.mode === 'electron');
  return useMemo(() => {
    const store = appStore.getState();
    return buildCommands({
      hosts,
      clusters: clusters.map((key) => ({ name: key.replace(/^\*/, ''), active: key.startsWith('*') })),
      projects: projects.map((key) => ({ name: key.replace(/^\*/, ''), selected: key.startsWith('*') })),
      terminalsAvailable,
      theme,
      showView: store.showView,
      toggleSidebar: store.toggleSidebar,
      togglePanel: store.togglePanel,
      openPalette: store.openPalette,
      setTheme: (next) => void session.setTheme(next),
      focusHost: (hostId) => {
        store.showView('cluster');
        store.focusHost(hostId);
        session.rememberHost(hostId);
      },
      reloadCluster: () => void session.reload(),
      addCluster: openNewClusterWizard,
      joinCluster: () => session.join.open(),
      newProject: () => session.projects.openNewProject(),
      openProject: (name) => {
        store.showView('projects');
        void session.projects.select(name);
      },
      useCluster: (name) => void session.useCluster(name),
      upgradeAgents: () => void session.hostActions.upgrade(),
      openTerminal: (hostId) => void session.terminals.open(hostId),
      ...(desktopApp ? { openLocalTerminal: () => void session.terminals.openLocal() } : {}),
    });
  }, [hosts, clusters, projects, terminalsAvailable, desktopApp, theme, session]);
}
