/** Small JSON files an agent keeps (its run file, the scrub's place), written atomically. */
import { rename, writeFile } from 'node:fs/promises';

/** Writes `value` to `file` as JSON, mode 0600, through a temp file and a rename: a reader sees the old file or the new one. */
export async function writeJsonFile(file: string, value: unknown): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
}
