/**
 * A job's live log: stdout and stderr tabs, a search with next/previous hit, and a follow
 * toggle that keeps the view at the end while the user stays at the bottom. Rows are
 * virtualised like the dataset file list, so a log of 100,000 lines keeps about a screenful
 * of rows in the DOM.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { ArrowDownToLine, ChevronDown, ChevronUp, Search } from 'lucide-react';
import { useDeferredValue, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { JobLogStream } from '../../../protocol/jobs-api.ts';
import { useAppState } from '../../store/app-store.ts';
import { followAfter, LOG_OVERSCAN, LOG_ROW_HEIGHT, nextHit, scrollTopAfterAppend, searchLines, type FollowEvent } from '../../store/jobs-log.ts';

const streams: readonly JobLogStream[] = ['stdout', 'stderr'];

/** A line with the search text marked. */
function LineText({ line, query }: { line: string; query: string }) {
  if (query === '') return <>{line}</>;
  const lower = line.toLowerCase();
  const needle = query.toLowerCase();
  const parts: Array<string | { mark: string }> = [];
  let from = 0;
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + needle.length)) {
    parts.push(line.slice(from, at), { mark: line.slice(at, at + needle.length) });
    from = at + needle.length;
  }
  parts.push(line.slice(from));
  return <>{parts.map((part, i) => (typeof part === 'string' ? part : <mark key={i}>{part.mark}</mark>))}</>;
}

export function JobLogView({ waiting }: { waiting: string | null }) {
  const log = useAppState((s) => s.jobLog);
  const [stream, setStream] = useState<JobLogStream>('stdout');
  const [following, setFollowing] = useState(true);
  const [query, setQuery] = useState('');
  const [hit, setHit] = useState(-1);
  const scroller = useRef<HTMLDivElement>(null);
  const lines = log?.lines[stream] ?? [];
  const version = log?.version ?? 0;
  const count = lines.length;

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => LOG_ROW_HEIGHT,
    overscan: LOG_OVERSCAN,
  });

  const deferredQuery = useDeferredValue(query);
  // The arrays grow in place; `version` says they did.
  const search = useMemo(() => searchLines(lines, deferredQuery), [lines, deferredQuery, version]);

  const follow = (event: FollowEvent) => setFollowing((now) => followAfter(now, event));

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null || !following) return;
    el.scrollTop = scrollTopAfterAppend(true, el.scrollTop, el.clientHeight, count * LOG_ROW_HEIGHT);
  }, [count, version, following, stream]);

  const jumpTo = (index: number) => {
    if (index < 0) return;
    setHit(index);
    follow({ kind: 'jumped' });
    virtualizer.scrollToIndex(search.hits[index]!, { align: 'center' });
  };
  const step = (direction: 1 | -1) => jumpTo(nextHit(search.hits.length, hit, direction));

  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      step(event.shiftKey ? -1 : 1);
    }
    if (event.key === 'Escape') {
      setQuery('');
      setHit(-1);
    }
  };

  const firstNumber = (log?.dropped[stream] ?? 0) + 1;
  const hitLine = hit >= 0 ? search.hits[hit] : undefined;
  const ended = log?.phase === 'ended' ? 'The job ended; this is its whole log.' : log?.phase === 'error' ? `The log stopped: ${log.error}` : null;

  return (
    <section className="job-log" aria-label="Log" data-testid="job-log">
      <div className="job-log-toolbar">
        <div role="tablist" aria-label="Stream" className="job-log-tabs">
          {streams.map((name) => (
            <button
              key={name}
              type="button"
              role="tab"
              aria-selected={stream === name}
              className="job-log-tab"
              onClick={() => {
                setStream(name);
                setHit(-1);
              }}
              data-testid={`log-tab-${name}`}
            >
              {name} <span className="muted num">{(log?.lines[name].length ?? 0).toLocaleString()}</span>
            </button>
          ))}
        </div>
        <label className="job-log-search">
          <Search size={13} aria-hidden="true" />
          <span className="visually-hidden">Search the log</span>
          <input
            className="text-input"
            type="search"
            placeholder="Search the log"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setHit(-1);
            }}
            onKeyDown={onSearchKey}
            data-testid="log-search"
          />
        </label>
        <span className="muted num job-log-hits" data-testid="log-hits" aria-live="polite">
          {deferredQuery === '' ? '' : search.hits.length === 0 ? 'No match' : `${hit >= 0 ? hit + 1 : '–'} / ${search.hits.length.toLocaleString()}${search.truncated ? '+' : ''}`}
        </span>
        <button type="button" className="icon-button" aria-label="Previous match" title="Previous match (Shift+Enter)" onClick={() => step(-1)} disabled={search.hits.length === 0}>
          <ChevronUp size={14} aria-hidden="true" />
        </button>
        <button type="button" className="icon-button" aria-label="Next match" title="Next match (Enter)" onClick={() => step(1)} disabled={search.hits.length === 0}>
          <ChevronDown size={14} aria-hidden="true" />
        </button>
        <button
          type="button"
          className="button button-small job-log-follow"
          aria-pressed={following}
          title="Keep the newest lines in view"
          onClick={() => follow({ kind: 'toggled' })}
          data-testid="log-follow"
        >
          <ArrowDownToLine size={13} aria-hidden="true" /> Follow
        </button>
      </div>
      {(log?.dropped[stream] ?? 0) > 0 && (
        <p className="job-log-note muted">The first {log!.dropped[stream].toLocaleString()} lines are not kept here; the whole log is in the job's log folder.</p>
      )}
      <div
        ref={scroller}
        className="job-log-scroll"
        tabIndex={0}
        role="log"
        aria-label={`${stream} of the job`}
        onScroll={(e) => follow({ kind: 'scrolled', scrollTopPx: e.currentTarget.scrollTop, viewportPx: e.currentTarget.clientHeight, contentPx: count * LOG_ROW_HEIGHT })}
        data-testid="log-lines"
        data-lines={count}
        data-following={following}
      >
        {count === 0 ? (
          <p className="job-log-empty muted">{waiting ?? (log === null ? 'No log yet.' : log.phase === 'following' ? `Waiting for the first line of ${stream}…` : `Nothing was written to ${stream}.`)}</p>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative', minWidth: '100%' }}>
            {virtualizer.getVirtualItems().map((item) => (
              <div
                key={item.index}
                className="log-row"
                style={{ transform: `translateY(${item.start}px)`, height: LOG_ROW_HEIGHT }}
                data-testid="log-line"
                data-hit={item.index === hitLine ? 'current' : undefined}
              >
                <span className="log-row-number num" aria-hidden="true">
                  {firstNumber + item.index}
                </span>
                <span className="log-row-text">
                  <LineText line={lines[item.index] ?? ''} query={deferredQuery} />
                </span>
              </div>
            ))}
          </div>
        )}
      </div>
      {ended !== null && <p className="job-log-status muted" data-testid="log-status">{ended}</p>}
    </section>
  );
}
