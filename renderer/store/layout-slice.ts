/** Where things are in the workbench: the active section, side bar and bottom panel. */
import { defaultLayout, type Layout, type ViewId } from '../../protocol/desktop-api.ts';
import type { AppState, SliceCreator } from './app-state.ts';

/** Narrower than the contract's 120–800 px: below 160 the tree truncates every name. */
export const SIDEBAR_WIDTH = { min: 160, max: 600, step: 10 } as const;
export const PANEL_HEIGHT = { min: 80, max: 600, step: 10 } as const;


export interface LayoutSlice {
  layout: Layout;
  /** False until the saved layout has been read, so a default never overwrites it. */
  layoutRestored: boolean;
  restoreLayout(saved: Layout): void;
  /** Shows a section, opening the side bar if it was collapsed (as Ctrl+1…8 do). */
  showView(view: ViewId): void;
  /** An activity bar click: the active section's icon collapses or opens the side bar. */
  toggleView(view: ViewId): void;
  toggleSidebar(): void;
  setSidebarWidth(px: number): void;
  togglePanel(): void;
  setPanelVisible(visible: boolean): void;
  setPanelHeight(px: number): void;
}

const clamp = (value: number, range: { min: number; max: number }) =>
  Math.round(Math.min(range.max, Math.max(range.min, value)));

export const createLayoutSlice: SliceCreator<LayoutSlice> = (set) => {
  const update = (patch: Partial<Layout>) => set((s) => ({ layout: { ...s.layout, ...patch } }));
  return {
    layout: defaultLayout,
    layoutRestored: false,
    restoreLayout: (saved) =>
      set({
        layoutRestored: true,
        layout: {
          ...saved,
          sidebarWidth: clamp(saved.sidebarWidth, SIDEBAR_WIDTH),
          panelHeight: clamp(saved.panelHeight, PANEL_HEIGHT),
        },
      }),
    showView: (view) => update({ activeView: view, sidebarVisible: true }),
    toggleView: (view) =>
      set((s) =>
        s.layout.activeView === view
          ? { layout: { ...s.layout, sidebarVisible: !s.layout.sidebarVisible } }
          : { layout: { ...s.layout, activeView: view, sidebarVisible: true } },
      ),
    toggleSidebar: () => set((s) => ({ layout: { ...s.layout, sidebarVisible: !s.layout.sidebarVisible } })),
    setSidebarWidth: (px) => update({ sidebarWidth: clamp(px, SIDEBAR_WIDTH) }),
    togglePanel: () => set((s) => ({ layout: { ...s.layout, panelVisible: !s.layout.panelVisible } })),
    setPanelVisible: (visible) => update({ panelVisible: visible }),
    setPanelHeight: (px) => update({ panelHeight: clamp(px, PANEL_HEIGHT) }),
  };
};

export const selectActiveView = (s: AppState): ViewId => s.layout.activeView;
/** Derived object: read it with `useShallow`. */
export const selectSidebar = (s: AppState) => ({ visible: s.layout.sidebarVisible, width: s.layout.sidebarWidth });
/** Derived object: read it with `useShallow`. */
export const selectPanel = (s: AppState) => ({ visible: s.layout.panelVisible, height: s.layout.panelHeight });
