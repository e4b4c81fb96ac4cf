/** The window's frame: activity bar, side bar, main area, bottom panel and status bar. */
import { useShallow } from 'zustand/react/shallow';
import { appStore, useAppState } from '../../store/app-store.ts';
import { PANEL_HEIGHT, SIDEBAR_WIDTH, selectPanel, selectSidebar } from '../../store/layout-slice.ts';
import { ActivityBar } from './ActivityBar.tsx';
import { MainArea } from './MainArea.tsx';
import { Panel } from './Panel.tsx';
import { Sash } from './Sash.tsx';
import { SideBar } from './SideBar.tsx';
import { StatusBar } from './StatusBar.tsx';

export function Workbench() {
  const sidebar = useAppState(useShallow(selectSidebar));
  const panel = useAppState(useShallow(selectPanel));
  return (
    <div className="workbench">
      <div className="workbench-body">
        <ActivityBar />
        {sidebar.visible && (
          <>
            <SideBar width={sidebar.width} />
            <Sash
              orientation="vertical"
              label="Resize side bar"
              controls="side-bar"
              value={sidebar.width}
              min={SIDEBAR_WIDTH.min}
              max={SIDEBAR_WIDTH.max}
              step={SIDEBAR_WIDTH.step}
              onChange={(px) => appStore.getState().setSidebarWidth(px)}
            />
          </>
        )}
        <div className="main-column">
          <MainArea />
          {panel.visible && (
            <>
              <Sash
                orientation="horizontal"
                label="Resize panel"
                controls="panel"
                value={panel.height}
                min={PANEL_HEIGHT.min}
                max={PANEL_HEIGHT.max}
                step={PANEL_HEIGHT.step}
                growsBackwards
                onChange={(px) => appStore.getState().setPanelHeight(px)}
              />
              <Panel height={panel.height} />
            </>
          )}
        </div>
      </div>
      <StatusBar />
    </div>
  );
}
