import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/react-virtual';
import { createAppStore } from './app-state.ts';
import {
  followAfter,
  isAtBottom,
  LOG_OVERSCAN,
  LOG_ROW_HEIGHT,
  MAX_LOG_LINES,
  linesAppended,
  logStarted,
  nextHit,
  scrollTopAfterAppend,
  searchLines,
} from './jobs-log.ts';

/** The rows the log view would draw: the same virtualizer and settings, without a DOM. */
function drawnRows(count: number, viewportPx: number, scrollTopPx: number) {
  const virtualizer = new Virtualizer<HTMLElement, HTMLElement>({
    count,
    getScrollElement: () => null,
    estimateSize: () => LOG_ROW_HEIGHT,
    overscan: LOG_OVERSCAN,
    scrollToFn: elementScroll,
    observeElementRect,
    observeElementOffset,
    initialRect: { width: 900, height: viewportPx },
    initialOffset: scrollTopPx,
  });
  const items = virtualizer.getVirtualItems();
  return { items, total: virtualizer.getTotalSize() };
}

describe('job log window', () => {
  it('draws a bounded window of a 100,000-line log wherever it is scrolled', () => {
    const viewport = 600;
    const onScreen = Math.ceil(viewport / LOG_ROW_HEIGHT);
    for (const top of [0, 900_000, 100_000 * LOG_ROW_HEIGHT - viewport]) {
      const { items, total } = drawnRows(100_000, viewport, top);
      assert.equal(total, 100_000 * LOG_ROW_HEIGHT);
      assert.ok(items.length <= onScreen + 2 * LOG_OVERSCAN + 1, `${items.length} rows drawn at ${top}px`);
      const first = Math.floor(top / LOG_ROW_HEIGHT);
      assert.ok(items[0]!.index <= first && items.at(-1)!.index >= Math.min(99_999, first + onScreen - 1), 'the rows in view are among those drawn');
    }
  });

  it('follows while at the bottom, stops on scrolling up or jumping to a hit, resumes at the bottom', () => {
    const content = 1000 * LOG_ROW_HEIGHT;
    let following = true;
    following = followAfter(following, { kind: 'scrolled', scrollTopPx: content - 600, viewportPx: 600, contentPx: content });
    assert.equal(following, true);
    following = followAfter(following, { kind: 'scrolled', scrollTopPx: content - 900, viewportPx: 600, contentPx: content });
    assert.equal(following, false, 'scrolled up by more than a row');
    assert.equal(scrollTopAfterAppend(following, 1234, 600, content + 5000), 1234, 'new lines do not move a view the user scrolled');
    following = followAfter(following, { kind: 'scrolled', scrollTopPx: content - 600 - LOG_ROW_HEIGHT / 2, viewportPx: 600, contentPx: content });
    assert.equal(following, true, 'back at the bottom (within a row)');
    assert.equal(scrollTopAfterAppend(following, 0, 600, content + 180), content + 180 - 600);
    assert.equal(followAfter(true, { kind: 'jumped' }), false);
    assert.equal(followAfter(false, { kind: 'toggled' }), true);
    assert.equal(scrollTopAfterAppend(true, 0, 600, 100), 0, 'a log shorter than the view stays at the top');
    assert.equal(isAtBottom(0, 600, 100), true);
  });

  it('searches case-insensitively and steps through hits, wrapping round', () => {
    const lines = ['epoch 1 loss 0.9', 'Warning: slow', 'epoch 2 loss 0.5', 'done'];
    assert.deepEqual(searchLines(lines, 'EPOCH').hits, [0, 2]);
    assert.deepEqual(searchLines(lines, '').hits, []);
    assert.deepEqual(searchLines(lines, 'o', 2), { hits: [0, 1], truncated: true });
    assert.equal(nextHit(2, -1, 1), 0);
    assert.equal(nextHit(2, -1, -1), 1);
    assert.equal(nextHit(2, 1, 1), 0);
    assert.equal(nextHit(0, -1, 1), -1);
  });

  it('keeps at most MAX_LOG_LINES per stream, counting the dropped ones', () => {
    let log = logStarted('j-1');
    log = linesAppended(log, 'stdout', Array.from({ length: MAX_LOG_LINES }, (_, i) => `line ${i}`));
    log = linesAppended(log, 'stdout', ['newest']);
    assert.equal(log.lines.stdout.length, MAX_LOG_LINES);
    assert.equal(log.dropped.stdout, 1);
    assert.equal(log.lines.stdout[0], 'line 1');
    assert.equal(log.lines.stdout.at(-1), 'newest');
    assert.equal(log.version, 2);
  });

  it('takes lines for the followed job before the follow id is known, then only that follow’s', () => {
    const store = createAppStore();
    store.getState().logFollowStarted('j-1');
    store.getState().logLines({ followId: 'f-1', jobId: 'j-1', stream: 'stdout', lines: ['a'] });
    store.getState().logLines({ followId: 'f-0', jobId: 'j-1', stream: 'stdout', lines: ['stale'] });
    store.getState().logLines({ followId: 'f-2', jobId: 'j-2', stream: 'stdout', lines: ['other'] });
    store.getState().logLines({ followId: 'f-1', jobId: 'j-1', stream: 'stderr', lines: ['b', 'c'] });
    assert.deepEqual(store.getState().jobLog!.lines, { stdout: ['a'], stderr: ['b', 'c'] });
    store.getState().logEnd({ followId: 'f-1', jobId: 'j-1' });
    assert.equal(store.getState().jobLog!.phase, 'ended');
  });
});
