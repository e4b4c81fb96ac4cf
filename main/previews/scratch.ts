/**
 * Private scratch space for previews and offline copies: a directory of this run under
 * `<workspace>/tmp` (mode 0700), one fresh directory inside it per operation, removed when
 * the operation ends. DuckDB may touch nothing else. Several Hopsdesk processes may share
 * a workspace (the app and a CLI command), so each keeps to its own run directory and
 * only run directories a day old, left by a crash, are swept.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';

const staleAfterMs = 24 * 60 * 60 * 1000;

export class Scratch {
  /** This run's directory. */
  readonly root: string;

  constructor(workspaceDir: string) {
    const parent = path.join(workspaceDir, 'tmp');
    mkdirSync(parent, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(parent)) {
      const dir = path.join(parent, name);
      if (name.startsWith('run-') && Date.now() - statSync(dir).mtimeMs > staleAfterMs) rmSync(dir, { recursive: true, force: true });
    }
    this.root = mkdtempSync(path.join(parent, 'run-'));
  }

  /** Runs `work` in a new private directory, removed afterwards whatever happens. */
  async within<T>(prefix: string, work: (dir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(path.join(this.root, `${prefix}-`));
    try {
      return await work(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Removes this run's directory. */
  close(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
