/** The workbench's commands, rebuilt when the hosts or the theme change. */
import { useMemo } from 'react';
import { buildCommands, type AppCommand } from '../app/commands.ts';
import { appStore, useAppState } from '../store/app-store.ts';
import { selectHosts } from '../store/cluster-slice.ts';
import { selectTheme } from '../store/settings-slice.ts';
import { useSession } from './session-context.ts';

export function useCommands(): AppCommand[] {
  const session = useSession();
  const hosts = useAppState(selectHosts);
  const theme = useAppState(selectTheme);
  return useMemo(() => {
    const store = appStore.getState();
    return buildCommands({
      hosts,
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
    });
  }, [hosts, theme, session]);
}
