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

  const registry = createTerminalRegistry({
    transport: {
      write: async (terminalId, data) => void (await hops.terminal.write({ terminalId, data })),
      resize: async (terminalId, cols, rows) => void (await hops.terminal.resize({ terminalId, cols, rows })),
      close: async (terminalId) => void (await hops.terminal.close({ terminalId })),
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
