import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ViewId } from '../../protocol/desktop-api.ts';
import { host } from '../testing/hosts.ts';
import { buildCommands, type CommandTargets } from './commands.ts';
import { describeHostChanges } from './host-changes.ts';
import { ariaShortcut, formatShortcut, matchesShortcut, type KeyPress } from './shortcuts.ts';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

describe('shortcuts', () => {
  it('matches Ctrl on Linux and Windows, Cmd on macOS', () => {
    const toggle = { key: 'b', mod: true };
    assert.equal(matchesShortcut(press('b', { ctrlKey: true }), toggle, false), true);
    assert.equal(matchesShortcut(press('b', { metaKey: true }), toggle, true), true);
    assert.equal(matchesShortcut(press('b', { metaKey: true }), toggle, false), false);
    assert.equal(matchesShortcut(press('b'), toggle, false), false);
  });

  it('requires exactly the modifiers written', () => {
    const palette = { key: 'p', mod: true, shift: true };
    assert.equal(matchesShortcut(press('P', { ctrlKey: true, shiftKey: true }), palette, false), true);
    assert.equal(matchesShortcut(press('p', { ctrlKey: true }), palette, false), false);
    assert.equal(matchesShortcut(press('P', { ctrlKey: true, shiftKey: true, altKey: true }), palette, false), false);
    assert.equal(matchesShortcut(press('F1'), { key: 'F1' }, false), true);
  });

  it('writes shortcuts as each platform does', () => {
    assert.equal(formatShortcut({ key: 'p', mod: true, shift: true }, false), 'Ctrl+Shift+P');
    assert.equal(formatShortcut({ key: 'p', mod: true, shift: true }, true), '⇧⌘P');
    assert.equal(formatShortcut({ key: 'F1' }, false), 'F1');
    assert.equal(ariaShortcut({ key: '1', mod: true }, false), 'Control+1');
    assert.equal(ariaShortcut({ key: '1', mod: true }, true), 'Meta+1');
  });
});

describe('commands', () => {
  const calls: string[] = [];
  const targets: CommandTargets = {
    hosts: [host('h1', { hostname: 'gpu-a' })],
    clusters: [
      { name: 'local', active: false },
      { name: 'lab', active: true },
    ],
    projects: [
      { name: 'vision', selected: true },
      { name: 'nlp', selected: false },
    ],
    terminalsAvailable: true,
    theme: 'dark',
    showView: (view: ViewId) => calls.push(`view ${view}`),
    toggleSidebar: () => calls.push('sidebar'),
    togglePanel: () => calls.push('panel'),
    openPalette: () => calls.push('palette'),
    setTheme: (theme) => calls.push(`theme ${theme}`),
    focusHost: (id) => calls.push(`host ${id}`),
    reloadCluster: () => calls.push('reload'),
    addCluster: () => calls.push('add cluster'),
    joinCluster: () => calls.push('join cluster'),
    newProject: () => calls.push('new project'),
    openProject: (name) => calls.push(`project ${name}`),
    useCluster: (name) => calls.push(`use ${name}`),
    upgradeAgents: () => calls.push('upgrade'),
    openTerminal: (id) => calls.push(`terminal ${id}`),
  };
  const commands = buildCommands(targets);
  const byId = (id: string) => commands.find((c) => c.id === id)!;

  it('has a Ctrl+1…9 command for each section, in activity bar order', () => {
    const views = commands.filter((c) => c.id.startsWith('view.'));
    assert.equal(views.length, 9);
    assert.deepEqual(
      views.map((c) => c.shortcuts[0]?.key),
      ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
    );
    byId('view.streams').run();
    assert.equal(calls.at(-1), 'view streams');
  });

  it('binds the workbench shortcuts', () => {
    assert.deepEqual(byId('layout.toggleSidebar').shortcuts, [{ key: 'b', mod: true }]);
    assert.deepEqual(byId('layout.togglePanel').shortcuts, [{ key: 'j', mod: true }]);
    assert.deepEqual(
      byId('palette.show').shortcuts.map((s) => s.key),
      ['p', 'F1'],
    );
  });

  it('offers focusing each host, reloading, and the three themes with the current one checked', () => {
    byId('host.focus.h1').run();
    byId('cluster.reload').run();
    byId('theme.light').run();
    assert.deepEqual(calls.slice(-3), ['host h1', 'reload', 'theme light']);
    assert.equal(byId('host.focus.h1').title, 'Focus Host gpu-a');
    assert.deepEqual(
      commands.filter((c) => c.category === 'Theme').map((c) => [c.id, c.checked]),
      [
        ['theme.system', false],
        ['theme.light', false],
        ['theme.dark', true],
      ],
    );
  });

  it('adds SSH clusters, switches clusters with the active one checked, and opens terminals', () => {
    byId('cluster.add').run();
    byId('cluster.use.local').run();
    byId('host.terminal.h1').run();
    byId('cluster.upgrade').run();
    assert.deepEqual(calls.slice(-4), ['add cluster', 'use local', 'terminal h1', 'upgrade']);
    assert.equal(byId('cluster.add').title, 'Cluster: Add SSH Cluster…');
    assert.deepEqual(
      commands.filter((c) => c.id.startsWith('cluster.use.')).map((c) => [c.title, c.checked]),
      [
        ['Cluster: Switch to local', false],
        ['Cluster: Switch to lab', true],
      ],
    );
  });

  it('joins a cluster with an invite, creates projects and opens each, the shown one checked', () => {
    byId('cluster.join').run();
    byId('project.new').run();
    byId('project.open.nlp').run();
    assert.deepEqual(calls.slice(-3), ['join cluster', 'new project', 'project nlp']);
    assert.equal(byId('cluster.join').title, 'Cluster: Join with Invite…');
    assert.equal(byId('project.new').title, 'Project: New Project…');
    assert.deepEqual(
      commands.filter((c) => c.id.startsWith('project.open.')).map((c) => [c.title, c.checked]),
      [
        ['Project: Open vision', true],
        ['Project: Open nlp', false],
      ],
    );
  });

  it('offers no terminals on the local cluster', () => {
    const local = buildCommands({ ...targets, terminalsAvailable: false });
    assert.equal(local.some((c) => c.id.startsWith('host.terminal.')), false);
    assert.equal(local.some((c) => c.id === 'host.focus.h1'), true);
  });

  it('leaves Ctrl+B to a focused terminal and keeps the palette and panel keys', () => {
    assert.equal(byId('layout.toggleSidebar').yieldsToTerminal, true);
    assert.notEqual(byId('palette.show').yieldsToTerminal, true);
    assert.notEqual(byId('layout.togglePanel').yieldsToTerminal, true);
  });

  it('gives every command a unique id and no shortcut to two commands', () => {
    assert.equal(new Set(commands.map((c) => c.id)).size, commands.length);
    const keys = commands.flatMap((c) => c.shortcuts.map((s) => formatShortcut(s, false)));
    assert.equal(new Set(keys).size, keys.length);
  });
});

describe('host changes', () => {
  it('reports joins, departures and health changes', () => {
    const changes = describeHostChanges(
      [host('a'), host('b'), host('c', { state: 'unreachable' })],
      [host('a', { state: 'unreachable' }), host('c'), host('d')],
    );
    assert.deepEqual(changes, [
      { level: 'warning', message: 'Host a is unreachable.' },
      { level: 'success', message: 'Host c is healthy again.' },
      { level: 'info', message: 'Host d joined the cluster.' },
      { level: 'warning', message: 'Host b left the cluster.' },
    ]);
  });

  it('says when a host starts draining, and names states it does not know', () => {
    const changes = describeHostChanges(
      [host('a'), host('b')],
      [host('a', { state: 'draining' as never }), host('b', { state: 'quarantined' as never })],
    );
    assert.deepEqual(changes, [
      { level: 'info', message: 'Host a is draining.' },
      { level: 'info', message: 'Host b is quarantined.' },
    ]);
  });

  it('says nothing when nothing a user cares about changed', () => {
    assert.deepEqual(describeHostChanges([host('a')], [host('a', { lastHeartbeatMs: 99 })]), []);
  });
});
