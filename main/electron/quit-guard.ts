/**
 * Quitting waits for the core to stop (it stops the local cluster agent it started), then
 * quits for real. Electron's `before-quit` cannot wait for a promise, so the first one is
 * cancelled, the core stopped, and `quit` called again once it is done.
 */
export interface QuitEvent {
  preventDefault(): void;
}

/** The `before-quit` listener; `stop` runs once however often quitting is asked for. */
export function createQuitGuard(stop: () => Promise<void>, quit: () => void, log: (line: string) => void): (event: QuitEvent) => void {
  let state: 'running' | 'stopping' | 'stopped' = 'running';
  return (event) => {
    if (state === 'stopped') return;
    event.preventDefault();
    if (state === 'stopping') return;
    state = 'stopping';
    stop()
      .catch((err: unknown) => log(`error while stopping: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        state = 'stopped';
        quit();
      });
  };
}
