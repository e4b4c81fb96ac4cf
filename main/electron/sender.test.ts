import assert from 'node:assert/strict';
import { test } from 'node:test';
import { senderProblem, type FrameFacts, type InvokeFacts, type WindowFacts } from './sender.ts';

const mainFrame: FrameFacts = { url: 'app://hopsdesk/index.html', frameToken: 'main-1', parent: null, detached: false };

function windowWith(frame: FrameFacts = mainFrame, destroyed = false): WindowFacts {
  return { isDestroyed: () => destroyed, webContents: { id: 7, mainFrame: frame } };
}

function call(frame: Partial<FrameFacts> | null, senderId = 7): InvokeFacts {
  return { sender: { id: senderId }, senderFrame: frame === null ? null : { ...mainFrame, ...frame } };
}

test("our window's main frame on the app origin may call", () => {
  assert.equal(senderProblem(call({}), windowWith()), undefined);
  assert.equal(senderProblem(call({ url: 'app://hopsdesk/#/jobs' }), windowWith()), undefined);
});

test('every other caller is refused, with the reason', () => {
  const cases: Array<[string, InvokeFacts, WindowFacts | undefined]> = [
    ['no window', call({}), undefined],
    ['closed window', call({}), windowWith(mainFrame, true)],
    ['another window', call({}, 8), windowWith()],
    ['frame gone', call(null), windowWith()],
    ['frame detached', call({ detached: true }), windowWith()],
    ['subframe', call({ parent: mainFrame, frameToken: 'child-2' }), windowWith()],
    ['stale main frame', call({ frameToken: 'main-0' }), windowWith()],
    ['navigated away', call({ url: 'https://evil.example/' }), windowWith({ ...mainFrame, url: 'https://evil.example/' })],
    ['file page', call({ url: 'file:///tmp/x.html' }), windowWith()],
    ['look-alike origin', call({ url: 'app://hopsdesk.evil/' }), windowWith()],
  ];
  for (const [name, event, window] of cases) {
    const problem = senderProblem(event, window);
    assert.equal(typeof problem, 'string', name);
  }
});
