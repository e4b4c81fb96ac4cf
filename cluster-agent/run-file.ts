/**
 * The run file tells the desktop that an agent is up and where it listens. It is
 * written atomically (temp file + rename) so a reader never sees half of it.
 */
import { rename, unlink, writeFile } from 'node:fs/promises';
import type { RunFile } from '../protocol/agent-api.ts';

/** Writes `run` to `file` atomically with mode 0600. */
export async function writeRunFile(file: string, run: RunFile): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(run, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
}

/** Removes the run file; a missing one is fine. */
export async function removeRunFile(file: string): Promise<void> {
  await unlink(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}
