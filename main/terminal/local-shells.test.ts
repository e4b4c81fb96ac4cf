/**
 * Local terminals start a real shell in a real pseudo-terminal and stream what it prints;
 * outside the desktop app they are refused, saying why, before any process starts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventPayload } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { EventBus } from '../core/event-bus.ts';
import { LocalShells, loginShell } from './local-shells.ts';

function collect(bus: EventBus) {
  const output = new Map<string, string>();
  const exits: Array<EventPayload<'terminal.exit'>> = [];
  bus.subscribe((event, payload) => {
    if (event === 'terminal.output') {
      const { terminalId, data } = payload as EventPayload<'terminal.output'>;
      output.set(terminalId, (output.get(terminalId) ?? '') + data);
    }
    if (event === 'terminal.exit') exits.push(payload as EventPayload<'terminal.exit'>);
  });
  return { output, exits };
}

async function until(what: string, check: () => boolean, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a local terminal runs a real shell in a pty: typed commands run, output streams, exit is reported', async () => {
  const bus = new EventBus();
  const seen = collect(bus);
  const shells = new LocalShells(bus, 'electron');
  const { terminalId, title } = await shells.start({ cols: 80, rows: 24 }, { file: '/bin/sh', args: [] });
  assert.equal(title, 'sh (this machine)');
  assert.ok(shells.has(terminalId));
  shells.resize(terminalId, 100, 30);
  // The shell learns its size from the pty, as a program would.
  shells.write(terminalId, 'stty size; echo "sum=$((40+2))"\r');
  await until('the shell printed', () => /sum=42/.test(seen.output.get(terminalId) ?? ''));
  assert.match(seen.output.get(terminalId)!, /30 100/);
  shells.write(terminalId, 'exit 3\r');
  await until('the shell exited', () => seen.exits.length === 1);
  assert.deepEqual(seen.exits, [{ terminalId, code: 3 }]);
  assert.equal(shells.has(terminalId), false);
});

test('closing a local terminal ends its shell', async () => {
  const bus = new EventBus();
  const seen = collect(bus);
  const shells = new LocalShells(bus, 'electron');
  const { terminalId } = await shells.start({ cols: 80, rows: 24 }, { file: '/bin/sh', args: [] });
  shells.close(terminalId);
  await until('the shell exited', () => seen.exits.some((e) => e.terminalId === terminalId));
  assert.throws(() => shells.write(terminalId, 'x'), (err: unknown) => err instanceof HopsError && err.code === 'NOT_FOUND');
});

test('web mode and the CLI refuse a local terminal, saying why', async () => {
  for (const mode of ['web', 'cli'] as const) {
    const shells = new LocalShells(new EventBus(), mode);
    await assert.rejects(shells.start({ cols: 80, rows: 24 }), (err: unknown) => {
      assert.ok(err instanceof HopsError);
      assert.equal(err.code, 'LOCAL_SHELL_REFUSED');
      assert.match(err.message, mode === 'web' ? /a page must not get a shell/ : /command line is a terminal/);
      return true;
    });
  }
});

test('the login shell is the one the user chose, started as a login shell', () => {
  if (process.platform === 'win32') return;
  assert.deepEqual(loginShell({ SHELL: '/usr/bin/zsh' }), { file: '/usr/bin/zsh', args: ['-l'] });
  assert.equal(loginShell({}).args[0], '-l');
});
