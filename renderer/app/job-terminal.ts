/**
 * A job's stdout and stderr, live, in a read-only terminal tab of the bottom panel: the
 * lines come from `job.follow` (events `job.log`, then `job.logEnd` when the job ends),
 * stderr in red, and the end says how the job ended. Closing the tab stops following.
 */
import type { EventPayload, HopsApi } from '../../protocol/desktop-api.ts';
import type { AppStore } from '../store/app-state.ts';
import { appStore } from '../store/app-store.ts';
import { selectActiveClusterName } from '../store/clusters-slice.ts';
import { getHops } from '../transport/index.ts';
import { problemOf } from './problems.ts';
import type { Terminals } from './terminals.ts';

const RED = '\u001b[31m';
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';

let nextTab = 1;

export interface JobTerminalOptions {
  hops?: HopsApi;
  store?: AppStore;
  /** The job's cluster; the active one when left out. */
  cluster?: string;
}

/** Lines as the terminal writes them: one per row, stderr in red. */
export function terminalText(stream: 'stdout' | 'stderr', lines: readonly string[]): string {
  const text = lines.map((line) => `${line}\r\n`).join('');
  return stream === 'stderr' ? `${RED}${text}${RESET}` : text;
}

/** The last line of a job's output tab. */
export function endLine(end: EventPayload<'job.logEnd'>): string {
  if (end.error !== undefined) return `${DIM}[the output stopped: ${end.error}]${RESET}`;
  const job = end.job;
  if (job === undefined) return `${DIM}[end of output]${RESET}`;
  const code = job.exitCode === null || job.exitCode === undefined ? '' : `, exit code ${job.exitCode}`;
  return `${DIM}[${job.jobId} ${job.state}${code}]${RESET}`;
}

/**
 * Opens a read-only tab following the output of job `jobId` from its first line; the tab
 * shows at once and says so when the job cannot be followed.
 */
export async function openJobOutputTerminal(jobId: string, terminals: Terminals, options: JobTerminalOptions = {}): Promise<void> {
  const hops = options.hops ?? getHops();
  const store = options.store ?? appStore;
  const cluster = options.cluster ?? selectActiveClusterName(store.getState());
  const terminalId = `job-output-${nextTab++}`;
  let followId: string | null = null;
  let closed = false;
  let ended = false;
  // Events may come before `follow` answers with its id: kept until it does.
  const early: Array<() => void> = [];

  const stop = () => {
    offLog();
    offEnd();
  };
  const onLog = (event: EventPayload<'job.log'>) => {
    if (event.jobId !== jobId) return;
    const deliver = () => event.followId === followId && terminals.registry.output(terminalId, terminalText(event.stream, event.lines));
    if (followId === null) early.push(deliver);
    else deliver();
  };
  const onEnd = (event: EventPayload<'job.logEnd'>) => {
    if (event.jobId !== jobId) return;
    const deliver = () => {
      if (event.followId !== followId) return;
      ended = true;
      stop();
      terminals.registry.output(terminalId, `${endLine(event)}\r\n`);
      store.getState().terminalExited(terminalId, event.job?.exitCode ?? null);
    };
    if (followId === null) early.push(deliver);
    else deliver();
  };
  const offLog = hops.on('job.log', onLog);
  const offEnd = hops.on('job.logEnd', onEnd);

  terminals.openFeed({
    terminalId,
    title: `Output of ${jobId}`,
    cluster,
    onClose: () => {
      closed = true;
      stop();
      if (followId !== null && !ended) void hops.job.unfollow({ followId }).catch(() => undefined);
    },
  });

  try {
    const reply = await hops.job.follow({ ...(cluster === null ? {} : { cluster }), jobId });
    followId = reply.followId;
    if (closed) {
      void hops.job.unfollow({ followId }).catch(() => undefined);
      return;
    }
    for (const deliver of early.splice(0)) deliver();
  } catch (err) {
    stop();
    const problem = problemOf(err);
    terminals.registry.output(terminalId, `${RED}Could not follow the output of ${jobId}: ${problem.message}${RESET}\r\n${DIM}${problem.hint}${RESET}\r\n`);
    store.getState().terminalExited(terminalId, null);
  }
}
