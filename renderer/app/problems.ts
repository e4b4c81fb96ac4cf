/** Errors from the desktop API, turned into what the UI shows: message, code, hint. */
import type { Connection } from '../../protocol/desktop-api.ts';
import type { LoadProblem } from '../store/cluster-slice.ts';
import type { NoticeLevel } from '../store/notifications-slice.ts';

/** Anything thrown by a `hops` call; the transports attach `code`, `hint` and `field`. */
export function problemOf(err: unknown): LoadProblem {
  const fields = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);
  const problem: LoadProblem = {
    message: text(fields.message) ?? String(err),
    code: text(fields.code) ?? 'INTERNAL',
    hint: text(fields.hint) ?? 'Check that Hopsdesk is still running, then retry.',
  };
  const field = text(fields.field);
  if (field !== undefined) problem.field = field;
  return problem;
}

const connectionWords: Record<Connection['state'], { level: NoticeLevel; word: string }> = {
  starting: { level: 'info', word: 'starting' },
  connected: { level: 'success', word: 'connected' },
  reconnecting: { level: 'warning', word: 'reconnecting' },
  offline: { level: 'warning', word: 'offline' },
  error: { level: 'error', word: 'connection failed' },
  'version-mismatch': { level: 'warning', word: 'agent version differs — upgrade it' },
};

/** "Cluster lab: connected" with the core's own detail, for the notifications log. */
export function describeConnection(cluster: string, connection: Connection): { level: NoticeLevel; message: string; detail: string } {
  const { level, word } = connectionWords[connection.state];
  return { level, message: `Cluster ${cluster}: ${word}`, detail: connection.detail };
}
