/**
 * What a drop or a file picker hands over, turned into an upload plan: the folders to make
 * (parents first) and the files to send, each with its path in the cluster filesystem.
 * Dropped folders are walked recursively. Written against a small entry interface so tests
 * feed it made-up trees; the browser's `FileSystemEntry` is adapted in the UI.
 */
import { fsPathProblem } from '../../protocol/fs.ts';

/** A dropped file or folder, as `DataTransferItem.webkitGetAsEntry()` gives them. */
export interface DroppedEntry<F> {
  name: string;
  kind: 'file' | 'dir';
  /** The file's content handle (files only). */
  file?(): Promise<F>;
  /** The folder's entries (folders only), all of them. */
  children?(): Promise<Array<DroppedEntry<F>>>;
}

/** Files and folders found, by their path relative to where they were dropped. */
export interface DroppedFiles<F> {
  folders: string[];
  files: Array<{ relativePath: string; file: F }>;
}

export interface UploadPlan<F> {
  /** Folders to make before any file, parents first (cluster paths). */
  folders: string[];
  files: Array<{ path: string; label: string; file: F; size: number }>;
  /** Names that cannot be uploaded, with why; the rest goes ahead. */
  problems: string[];
}

/** Most files one drop may bring; beyond it the walk stops and says so. */
export const MAX_DROPPED_FILES = 100_000;

/** Walks dropped entries depth first. Stops at `MAX_DROPPED_FILES`, noting it in `truncated`. */
export async function collectDropped<F>(entries: Array<DroppedEntry<F>>, maxFiles = MAX_DROPPED_FILES): Promise<DroppedFiles<F> & { truncated: boolean }> {
  const out: DroppedFiles<F> = { folders: [], files: [] };
  let truncated = false;
  const walk = async (list: Array<DroppedEntry<F>>, prefix: string): Promise<void> => {
    for (const entry of list) {
      if (out.files.length >= maxFiles) {
        truncated = true;
        return;
      }
      const relativePath = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.kind === 'dir' && entry.children !== undefined) {
        out.folders.push(relativePath);
        await walk(await entry.children(), relativePath);
      } else if (entry.kind === 'file' && entry.file !== undefined) {
        out.files.push({ relativePath, file: await entry.file() });
      }
    }
  };
  await walk(entries, '');
  return { ...out, truncated };
}

/**
 * Files from `<input type=file>`: plain names, or with a folder picker their
 * `webkitRelativePath` (`photos/2024/a.jpg`), whose folders are made first.
 */
export function pickedFiles<F extends { name: string; webkitRelativePath?: string }>(files: readonly F[]): DroppedFiles<F> {
  const folders = new Set<string>();
  const out: DroppedFiles<F>['files'] = [];
  for (const file of files) {
    const relativePath = file.webkitRelativePath !== undefined && file.webkitRelativePath !== '' ? file.webkitRelativePath : file.name;
    const names = relativePath.split('/');
    for (let i = 1; i < names.length; i++) folders.add(names.slice(0, i).join('/'));
    out.push({ relativePath, file });
  }
  return { folders: [...folders], files: out };
}

/**
 * The plan for uploading `dropped` into the folder `target`: every path checked by the
 * filesystem's own validator first, so a bad name is reported here by name instead of
 * failing halfway through.
 */
export function planUpload<F extends { size: number }>(target: string, dropped: DroppedFiles<F>): UploadPlan<F> {
  const problems: string[] = [];
  const badFolders = new Set<string>();
  const folders: string[] = [];
  for (const relative of [...new Set(dropped.folders)].sort((a, b) => a.split('/').length - b.split('/').length)) {
    const path = `${target}/${relative}`;
    const problem = fsPathProblem(path);
    if (problem !== undefined || [...badFolders].some((bad) => relative.startsWith(`${bad}/`))) {
      if (problem !== undefined) problems.push(`${relative}: ${problem.message}`);
      badFolders.add(relative);
      continue;
    }
    folders.push(path);
  }
  const files: UploadPlan<F>['files'] = [];
  // Right under a project only datasets (folders) may go.
  const atProject = target.split('/').length === 3;
  for (const { relativePath, file } of dropped.files) {
    if ([...badFolders].some((bad) => relativePath.startsWith(`${bad}/`))) continue;
    const path = `${target}/${relativePath}`;
    if (atProject && !relativePath.includes('/')) {
      problems.push(`${relativePath}: files live inside a dataset; open a dataset first, or drop a folder here to make it a dataset.`);
      continue;
    }
    const problem = fsPathProblem(path);
    if (problem !== undefined) {
      problems.push(`${relativePath}: ${problem.message}`);
      continue;
    }
    files.push({ path, label: relativePath, file, size: file.size });
  }
  return { folders, files, problems };
}
