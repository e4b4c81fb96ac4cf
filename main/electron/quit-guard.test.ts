import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createQuitGuard } from './quit-guard.ts';

/** Resolves when the guard quits for real. */
function quitSignal(): { quit: () => void; quitted: Promise<void> } {
  let quit: () => void = () => undefined;
  const quitted = new Promise<void>((resolve) => (quit = resolve));
  return { quit, quitted };
}

function quitEvent() {
  const event = { prevented: false, preventDefault: () => void (event.prevented = true) };
  return event;
}

test('quitting waits for the core to stop, once, then quits for real', async () => {
  let stops = 0;
  let finishStop: () => void = () => undefined;
  const { quit, quitted } = quitSignal();
  const guard = createQuitGuard(
    () => {
      stops++;
      return new Promise<void>((resolve) => (finishStop = resolve));
    },
    quit,
    () => undefined,
  );

  const first = quitEvent();
  guard(first);
  const second = quitEvent();
  guard(second);
  assert.equal(first.prevented, true);
  assert.equal(second.prevented, true, 'a second quit while stopping waits too');
  assert.equal(stops, 1);

  finishStop();
  await quitted;
  const last = quitEvent();
  guard(last);
  assert.equal(last.prevented, false, 'once stopped, the quit goes through');
  assert.equal(stops, 1);
});

test('a failing stop is logged and the app still quits', async () => {
  const lines: string[] = [];
  const { quit, quitted } = quitSignal();
  const guard = createQuitGuard(() => Promise.reject(new Error('agent would not stop')), quit, (line) => lines.push(line));
  guard(quitEvent());
  await quitted;
  assert.deepEqual(lines, ['error while stopping: agent would not stop']);
});
