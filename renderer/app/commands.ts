/**
 * Every action the workbench offers, for the command palette and the keyboard alike, so a
 * shortcut shown in the palette is always the one that works.
 */
import type { Theme, ViewId } from '../../protocol/desktop-api.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import { openJobForm } from './job-form.ts';
import { sections } from './sections.ts';
import type { Shortcut } from './shortcuts.ts';

export type CommandCategory = 'View' | 'Cluster' | 'Project' | 'Host' | 'Theme';

export interface AppCommand {
  id: string;
  category: CommandCategory;
  title: string;
  /** The first one is shown; all of them work. */
  shortcuts: Shortcut[];
  /** Extra words the palette matches on. */
  keywords: string[];
  /** Marks the choice in force, e.g. the current theme. */
  checked?: boolean;
  /** A terminal with focus gets this key instead (Ctrl+B is tmux's prefix). */
  yieldsToTerminal?: boolean;
  run(): void;
}

/** What commands act on; the workbench passes its store actions and session. */
export interface CommandTargets {
  hosts: ReadonlyArray<Pick<ClusterHost, 'hostId' | 'hostname' | 'address'>>;
  clusters: ReadonlyArray<{ name: string; active: boolean }>;
  /** Projects of the active cluster, as far as they were read. */
  projects: ReadonlyArray<{ name: string; selected: boolean }>;
  /** Shells open on hosts of SSH clusters only; the local cluster is this machine. */
  terminalsAvailable: boolean;
  theme: Theme;
  showView(view: ViewId): void;
  toggleSidebar(): void;
  togglePanel(): void;
  openPalette(): void;
  setTheme(theme: Theme): void;
  focusHost(hostId: string): void;
  reloadCluster(): void;
  addCluster(): void;
  joinCluster(): void;
  useCluster(name: string): void;
  newProject(): void;
  openProject(name: string): void;
  upgradeAgents(): void;
  openTerminal(hostId: string): void;
  /** Given in the desktop app only: a web page gets no shell on this machine. */
  openLocalTerminal?: () => void;
}

/** Shortcuts the workbench also shows outside the palette, in tooltips and hints. */
export const paletteShortcut: Shortcut = { key: 'p', mod: true, shift: true };
export const panelShortcut: Shortcut = { key: 'j', mod: true };

/** Ctrl+1…9 (⌘ on macOS) opens the sections in activity bar order. */
export function sectionShortcut(index: number): Shortcut {
  return { key: String(index + 1), mod: true };
}

const themes: ReadonlyArray<{ theme: Theme; title: string }> = [
  { theme: 'system', title: 'Follow the system' },
  { theme: 'light', title: 'Light' },
  { theme: 'dark', title: 'Dark' },
];

/** Every command, in palette order: sections, layout, clusters, projects, two per host, themes. */
export function buildCommands(t: CommandTargets): AppCommand[] {
  const commands: AppCommand[] = [];
  sections.forEach((section, index) => {
    commands.push({
      id: `view.${section.id}`,
      category: 'View',
      title: `Go to ${section.title}`,
      shortcuts: [sectionShortcut(index)],
      keywords: ['section', 'open', 'show'],
      run: () => t.showView(section.id),
    });
  });
  commands.push(
    {
      id: 'layout.toggleSidebar',
      category: 'View',
      title: 'Toggle Side Bar',
      shortcuts: [{ key: 'b', mod: true }],
      keywords: ['hide', 'show', 'tree'],
      yieldsToTerminal: true,
      run: t.toggleSidebar,
    },
    {
      id: 'layout.togglePanel',
      category: 'View',
      title: 'Toggle Panel',
      shortcuts: [panelShortcut],
      keywords: ['notifications', 'log', 'bottom'],
      run: t.togglePanel,
    },
    {
      id: 'palette.show',
      category: 'View',
      title: 'Show All Commands',
      shortcuts: [paletteShortcut, { key: 'F1' }],
      keywords: ['command palette'],
      run: t.openPalette,
    },
    {
      id: 'cluster.reload',
      category: 'Cluster',
      title: 'Reload Cluster',
      shortcuts: [],
      keywords: ['refresh', 'hosts', 'status'],
      run: t.reloadCluster,
    },
    {
      id: 'cluster.add',
      category: 'Cluster',
      title: 'Cluster: Add SSH Cluster…',
      shortcuts: [],
      keywords: ['new', 'create', 'provision', 'install', 'ssh', 'hosts', 'wizard'],
      run: t.addCluster,
    },
    {
      id: 'cluster.join',
      category: 'Cluster',
      title: 'Cluster: Join with Invite…',
      shortcuts: [],
      keywords: ['invite', 'code', 'member', 'redeem', 'connect'],
      run: t.joinCluster,
    },
    {
      id: 'cluster.upgrade',
      category: 'Cluster',
      title: 'Cluster: Upgrade Agents',
      shortcuts: [],
      keywords: ['version', 'update', 'agent'],
      run: t.upgradeAgents,
    },
  );
  for (const cluster of t.clusters) {
    commands.push({
      id: `cluster.use.${cluster.name}`,
      category: 'Cluster',
      title: `Cluster: Switch to ${cluster.name}`,
      shortcuts: [],
      keywords: ['use', 'active', 'change'],
      checked: cluster.active,
      run: () => t.useCluster(cluster.name),
    });
  }
  commands.push({
    id: 'job.run',
    category: 'Cluster',
    title: 'Jobs: Run a Job…',
    shortcuts: [],
    keywords: ['submit', 'queue', 'gpu', 'train', 'new', 'schedule', 'cron'],
    run: () => openJobForm(),
  });
  commands.push({
    id: 'project.new',
    category: 'Project',
    title: 'Project: New Project…',
    shortcuts: [],
    keywords: ['create', 'add', 'group', 'members'],
    run: t.newProject,
  });
  for (const project of t.projects) {
    commands.push({
      id: `project.open.${project.name}`,
      category: 'Project',
      title: `Project: Open ${project.name}`,
      shortcuts: [],
      keywords: ['show', 'members', 'audit'],
      checked: project.selected,
      run: () => t.openProject(project.name),
    });
  }
  for (const host of t.hosts) {
    commands.push({
      id: `host.focus.${host.hostId}`,
      category: 'Host',
      title: `Focus Host ${host.hostname}`,
      shortcuts: [],
      keywords: [host.hostId, host.address, 'card'],
      run: () => t.focusHost(host.hostId),
    });
    if (!t.terminalsAvailable) continue;
    commands.push({
      id: `host.terminal.${host.hostId}`,
      category: 'Host',
      title: `Open Terminal on ${host.hostname}`,
      shortcuts: [],
      keywords: [host.hostId, host.address, 'shell', 'ssh', 'console'],
      run: () => t.openTerminal(host.hostId),
    });
  }
  if (t.openLocalTerminal !== undefined) {
    commands.push({
      id: 'terminal.local',
      category: 'Host',
      title: 'Open Terminal on This Machine',
      shortcuts: [],
      keywords: ['shell', 'local', 'console', 'bash'],
      run: t.openLocalTerminal,
    });
  }
  for (const { theme, title } of themes) {
    commands.push({
      id: `theme.${theme}`,
      category: 'Theme',
      title: `Theme: ${title}`,
      shortcuts: [],
      keywords: ['colour', 'color', 'appearance', theme],
      checked: t.theme === theme,
      run: () => t.setTheme(theme),
    });
  }
  return commands;
}
