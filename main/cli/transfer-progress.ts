/**
 * What `dataset put` and `dataset get` show while bytes move: on a terminal, one progress
 * line rewritten in place (bytes, rate, time left); anywhere, a line when the link drops
 * and one when the transfer resumes, saying from which byte. Ctrl-C cancels the running
 * transfers cleanly (the upload's session is dropped on the head, a partial download
 * removed); a second Ctrl-C exits at once.
 */
import type { EventPayload } from '../../protocol/desktop-api.ts';
import type { Core } from '../core/core.ts';
import { formatBytes } from './format.ts';

type TransferEvent = EventPayload<'transfer.progress'>;

interface Seen {
  state: TransferEvent['state'];
  bytesDone: number;
  /** Where the transfer was interrupted (bytes already sent or received then). */
  droppedAt: number;
  startedMs: number;
  /** Bytes done when the rate's clock started (0, or where a resume began). */
  startBytes: number;
}

export interface TransferWatch {
  /** Stops listening (and restores Ctrl-C). */
  stop(): void;
}

/** A progress line: arrow, path, percent, bytes, rate and time left. */
export function progressLine(event: TransferEvent, seen: Pick<Seen, 'startedMs' | 'startBytes'>, nowMs = Date.now()): string {
  const seconds = Math.max((nowMs - seen.startedMs) / 1000, 0.001);
  const rate = Math.max(0, event.bytesDone - seen.startBytes) / seconds;
  const total = event.bytesTotal;
  const percent = total ? ` ${Math.floor((100 * event.bytesDone) / Math.max(total, 1))}%` : '';
  const left = total !== null && rate > 0 ? `  ${formatDuration((total - event.bytesDone) / rate)} left` : '';
  return `${arrow(event)} ${event.path}${percent}  ${formatBytes(event.bytesDone)}${total === null ? '' : ` of ${formatBytes(total)}`}  ${formatBytes(rate)}/s${left}`;
}

/** Shows the core's transfers on stderr (`tty`: with a live progress line) and makes Ctrl-C cancel them. */
export function watchTransfers(core: Core, options: { tty: boolean; write: (text: string) => void }): TransferWatch {
  const seen = new Map<string, Seen>();
  const { write, tty } = options;
  const clearLine = () => tty && write('\r\x1b[K');
  const unsubscribe = core.subscribe((name, payload) => {
    if (name !== 'transfer.progress') return;
    const event = payload as TransferEvent;
    const nowMs = Date.now();
    const before = seen.get(event.transferId) ?? { state: 'running', bytesDone: 0, droppedAt: 0, startedMs: nowMs, startBytes: 0 };
    const now: Seen = { ...before, state: event.state, bytesDone: event.bytesDone };
    if (event.state === 'retrying' && before.state !== 'retrying') {
      now.droppedAt = before.bytesDone;
      clearLine();
      // The reason says whether the link dropped or the cluster, back, is not ready yet (a worker still away).
      const why = event.reason === undefined ? '' : `: ${event.reason.replace(/\.$/, '')}`;
      write(`${arrow(event)} ${event.path}: interrupted at byte ${before.bytesDone} (${formatBytes(before.bytesDone)})${why}; waiting to resume…\n`);
    } else if (event.state === 'running' && before.state === 'retrying') {
      const again = Math.max(0, before.droppedAt - event.bytesDone);
      write(`${arrow(event)} ${event.path}: resuming at byte ${event.bytesDone} (${formatBytes(event.bytesDone)}); ${again} bytes (${formatBytes(again)}) go again\n`);
      now.startedMs = nowMs;
      now.startBytes = event.bytesDone;
    } else if (event.state === 'running' && tty) {
      write(`\r\x1b[K${progressLine(event, now, nowMs)}`);
    }
    if (event.state === 'done' || event.state === 'failed' || event.state === 'cancelled') {
      clearLine();
      seen.delete(event.transferId);
      return;
    }
    seen.set(event.transferId, now);
  });

  let cancelling = false;
  const onInterrupt = () => {
    if (cancelling) process.exit(130);
    cancelling = true;
    clearLine();
    write('Cancelling (Ctrl-C again to quit at once)…\n');
    for (const transferId of seen.keys()) core.dispatch('transfer.cancel', { transferId }).catch(() => undefined);
  };
  process.on('SIGINT', onInterrupt);
  return {
    stop() {
      unsubscribe();
      process.off('SIGINT', onInterrupt);
    },
  };
}

function arrow(event: TransferEvent): string {
  return event.direction === 'upload' ? '↑' : '↓';
}

/** 75 → "1m15s", 3700 → "1h01m". */
function formatDuration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
