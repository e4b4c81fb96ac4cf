/**
 * The terminal tabs of the bottom panel and which panel tab is showing. The terminals'
 * bytes are not state: they stream through the session's terminal registry.
 */
import type { AppState, SliceCreator } from './app-state.ts';

export type TerminalTabState = 'opening' | 'open' | 'exited';

export interface TerminalTab {
  /** Stays the same from opening to close, for React keys: the view survives getting its id. */
  tabKey: string;
  /** The core's id once open; the tab key while opening. */
  terminalId: string;
  hostId: string;
  cluster: string | null;
  title: string;
  state: TerminalTabState;
  exitCode: number | null;
  /** Output only, no shell behind it (a job's output). */
  readOnly?: boolean;
}

/** The notifications log, or a terminal by id. */
export type PanelTab = 'notifications' | { terminalId: string };

export interface TerminalsSlice {
  terminals: TerminalTab[];
  panelTab: PanelTab;
  /** A tab appears at once, named after the host, while the shell is being opened. */
  terminalOpening(placeholderId: string, hostId: string, cluster: string | null, title: string): void;
  terminalOpened(placeholderId: string, terminalId: string, title: string, readOnly?: boolean): void;
  terminalOpenFailed(placeholderId: string): void;
  terminalExited(terminalId: string, code: number | null): void;
  terminalClosed(terminalId: string): void;
  showPanelTab(tab: PanelTab): void;
  /** The status bar's bell: shows the log, or hides the panel when the log is showing. */
  toggleNotifications(): void;
}

const isTab = (tab: PanelTab, terminalId: string) => typeof tab === 'object' && tab.terminalId === terminalId;

export const createTerminalsSlice: SliceCreator<TerminalsSlice> = (set) => ({
  terminals: [],
  panelTab: 'notifications',
  terminalOpening: (placeholderId, hostId, cluster, title) =>
    set((s) => ({
      terminals: [...s.terminals, { tabKey: placeholderId, terminalId: placeholderId, hostId, cluster, title, state: 'opening', exitCode: null }],
      panelTab: { terminalId: placeholderId },
      layout: { ...s.layout, panelVisible: true },
    })),
  terminalOpened: (placeholderId, terminalId, title, readOnly) =>
    set((s) => ({
      terminals: s.terminals.map((t) => (t.terminalId === placeholderId ? { ...t, terminalId, title, state: 'open', ...(readOnly ? { readOnly } : {}) } : t)),
      panelTab: isTab(s.panelTab, placeholderId) ? { terminalId } : s.panelTab,
    })),
  terminalOpenFailed: (placeholderId) => set((s) => withoutTab(s, placeholderId)),
  terminalExited: (terminalId, code) =>
    set((s) => ({ terminals: s.terminals.map((t) => (t.terminalId === terminalId ? { ...t, state: 'exited', exitCode: code } : t)) })),
  terminalClosed: (terminalId) => set((s) => withoutTab(s, terminalId)),
  showPanelTab: (tab) =>
    set((s) => ({
      panelTab: tab,
      layout: { ...s.layout, panelVisible: true },
      unreadNotices: tab === 'notifications' ? 0 : s.unreadNotices,
    })),
  toggleNotifications: () =>
    set((s) =>
      s.layout.panelVisible && s.panelTab === 'notifications'
        ? { layout: { ...s.layout, panelVisible: false } }
        : { panelTab: 'notifications', layout: { ...s.layout, panelVisible: true }, unreadNotices: 0 },
    ),
});

/** Closing the shown tab shows its neighbour, or the log when it was the last terminal. */
function withoutTab(s: AppState, terminalId: string): Partial<AppState> {
  const index = s.terminals.findIndex((t) => t.terminalId === terminalId);
  if (index < 0) return {};
  const terminals = s.terminals.filter((t) => t.terminalId !== terminalId);
  if (!isTab(s.panelTab, terminalId)) return { terminals };
  const neighbour = terminals[Math.min(index, terminals.length - 1)];
  return { terminals, panelTab: neighbour === undefined ? 'notifications' : { terminalId: neighbour.terminalId } };
}

export const selectTerminals = (s: AppState): TerminalTab[] => s.terminals;
export const selectPanelTab = (s: AppState): PanelTab => s.panelTab;
/** The terminal the panel shows, or null when it shows the log. */
export const selectShownTerminalId = (s: AppState): string | null => (typeof s.panelTab === 'object' ? s.panelTab.terminalId : null);
/** Whether a notice is seen as it arrives: the panel is open on the log. */
export const isLogShowing = (s: AppState): boolean => s.layout.panelVisible && s.panelTab === 'notifications';
