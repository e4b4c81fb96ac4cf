/**
 * Opening and closing shells on the active cluster's hosts, as tabs in the bottom panel.
 * The bytes flow through the terminal registry; the store only knows the tabs.
 */
import type { HopsApi } from '../../protocol/desktop-api.ts';
import type { AppStore } from '../store/app-state.ts';
import { problemOf } from './problems.ts';
import { createTerminalRegistry, type TerminalRegistry, type TerminalSink } from './terminal-registry.ts';

export interface Terminals {
  /** Opens a shell on a host in a new tab; a tab shows at once and says so if it fails. */
  open(hostId: string): Promise<void>;
  /** Opens the login shell of this machine in a new tab (the desktop app only). */
  openLocal(): Promise<void>;
  /**
   * A read-only tab fed by the caller through `registry.output` (a job's output): keys and
   * sizes go nowhere, and closing the tab calls `onClose` instead of closing a shell.
   */
  openFeed(feed: { terminalId: string; title: string; cluster: string | null; onClose(): void }): void;
  /** Closes the tab and, if it still runs, its shell. */
  close(terminalId: string): void;
  attach(terminalId: string, sink: TerminalSink): () => void;
  input(terminalId: string, data: string): void;
  resize(terminalId: string, cols: number, rows: number): void;
  /** For the session's event listeners. */
  readonly registry: TerminalRegistry;
}

/** A first size for the shell; the view fits it to the panel as soon as it shows. */
const FIRST_SIZE = { cols: 100, rows: 30 };

export function createTerminals({ hops, store }: { hops: HopsApi; store: AppStore }): Terminals {
  const state = store.getState;
  let nextPlaceholder = 1;
  /** Terminals whose failures were reported already: one notice per terminal, not one per keystroke. */
  const reported = new Set<string>();
  /** Read-only tabs by id, with what closing them does. */
  const feeds = new Map<string, () => void>();

  const registry = createTerminalRegistry({
    transport: {
      write: async (terminalId, data) => void (feeds.has(terminalId) || (await hops.terminal.write({ terminalId, data }))),
      resize: async (terminalId, cols, rows) => void (feeds.has(terminalId) || (await hops.terminal.resize({ terminalId, cols, rows }))),
      close: async (terminalId) => {
        const closeFeed = feeds.get(terminalId);
        feeds.delete(terminalId);
        if (closeFeed !== undefined) closeFeed();
        else await hops.terminal.close({ terminalId });
      },
    },
    onError(terminalId, action, err) {
      if (reported.has(terminalId)) return;
      reported.add(terminalId);
      const problem = problemOf(err);
      const title = state().terminals.find((t) => t.terminalId === terminalId)?.title ?? 'a terminal';
      const verb = { write: 'send keys to', resize: 'resize', close: 'close' }[action];
      state().notify('error', `Could not ${verb} ${title}: ${problem.message}`, problem.hint);
    },
  });

  return {
    registry,
    async open(hostId) {
      const host = state().hosts.find((h) => h.hostId === hostId);
      const cluster = state().status?.name ?? null;
      const placeholder = `opening-${nextPlaceholder}`;
      nextPlaceholder += 1;
      state().terminalOpening(placeholder, hostId, cluster, host?.hostId ?? hostId);
      try {
        const { terminalId, title } = await hops.terminal.open({ ...(cluster === null ? {} : { cluster }), hostId, ...FIRST_SIZE });
        registry.register(terminalId);
        if (!state().terminals.some((t) => t.terminalId === placeholder)) {
          // The tab was closed while the shell was opening.
          registry.close(terminalId);
          return;
        }
        state().terminalOpened(placeholder, terminalId, title || host?.hostId || hostId);
      } catch (err) {
        state().terminalOpenFailed(placeholder);
        const problem = problemOf(err);
        state().notify('error', `Could not open a terminal on ${host?.hostId ?? hostId}: ${problem.message}`, problem.hint);
      }
    },
    async openLocal() {
      const placeholder = `opening-${nextPlaceholder}`;
      nextPlaceholder += 1;
      state().terminalOpening(placeholder, 'local', null, 'this machine');
      try {
        const { terminalId, title } = await hops.terminal.openLocal({ ...FIRST_SIZE });
        registry.register(terminalId);
        if (!state().terminals.some((t) => t.terminalId === placeholder)) {
          registry.close(terminalId);
          return;
        }
        state().terminalOpened(placeholder, terminalId, title);
      } catch (err) {
        state().terminalOpenFailed(placeholder);
        const problem = problemOf(err);
        state().notify('error', `Could not open a local terminal: ${problem.message}`, problem.hint);
      }
    },
    openFeed({ terminalId, title, cluster, onClose }) {
      feeds.set(terminalId, onClose);
      registry.register(terminalId);
      state().terminalOpening(terminalId, terminalId, cluster, title);
      state().terminalOpened(terminalId, terminalId, title, true);
    },
    close(terminalId) {
      registry.close(terminalId);
      reported.delete(terminalId);
      state().terminalClosed(terminalId);
    },
    attach: (terminalId, sink) => registry.attach(terminalId, sink),
    input: (terminalId, data) => registry.input(terminalId, data),
    resize: (terminalId, cols, rows) => registry.resize(terminalId, cols, rows),
  };
}
