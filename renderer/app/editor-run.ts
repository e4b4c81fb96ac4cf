/**
 * "Run as job" from the editor: which program runs a script, and the job form's prefill
 * for it (named after the file, in its project, the script's path as the argument).
 */
import { fsName, parseFsPath } from '../../protocol/fs.ts';
import type { JobSpec } from '../../protocol/jobs.ts';

const runners: Record<string, string> = { py: 'python3', sh: 'bash', bash: 'bash', js: 'node', mjs: 'node' };

/** The program that runs a script of this name as a job, or null when the editor does not know one. */
export function runnerOf(name: string): string | null {
  const extension = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
  return runners[extension] ?? null;
}

/**
 * The job form's prefill for running the script at `path`: named after the file, in its
 * project, the script's path as the argument, no datasets.
 */
export function jobPrefillFor(path: string): Partial<JobSpec> | null {
  const command = runnerOf(fsName(path));
  if (command === null) return null;
  const { project } = parseFsPath(path);
  const stem = fsName(path).replace(/\.[^.]*$/, '');
  // Job names take letters, digits, dot, dash and underscore, starting with a letter or digit.
  const name = stem.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64) || 'script';
  return { name, ...(project === undefined ? {} : { project }), command, args: [path], datasets: [] };
}
