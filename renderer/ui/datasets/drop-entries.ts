/**
 * The browser's side of a drop: `DataTransfer` items as `DroppedEntry`s (folders walked
 * through `FileSystemDirectoryEntry`), and sending what was dropped or picked into a folder
 * of the cluster filesystem.
 */
import { collectDropped, planUpload, type DroppedEntry, type DroppedFiles } from '../../app/datasets-drop.ts';
import type { Session } from '../../app/session.ts';
import { appStore } from '../../store/app-store.ts';

/** The type an explorer row is dragged with inside the window (a dataset onto a project shares it). */
export const DATASET_DRAG_TYPE = 'application/x-hopsdesk-path';

function fromEntry(entry: FileSystemEntry): DroppedEntry<File> {
  if (entry.isDirectory) {
    const dir = entry as FileSystemDirectoryEntry;
    return {
      name: entry.name,
      kind: 'dir',
      children: async () => {
        // readEntries hands out a batch per call (100 in Chromium) until one comes back empty.
        const reader = dir.createReader();
        const all: FileSystemEntry[] = [];
        for (;;) {
          const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
          if (batch.length === 0) break;
          all.push(...batch);
        }
        return all.map(fromEntry);
      },
    };
  }
  const file = entry as FileSystemFileEntry;
  return { name: entry.name, kind: 'file', file: () => new Promise<File>((resolve, reject) => file.file(resolve, reject)) };
}

/** Whether a drag carries files from outside the window. */
export function carriesFiles(transfer: DataTransfer): boolean {
  return transfer.types.includes('Files');
}

/**
 * What a drop brought. Entries must be taken during the drop event itself (the browser
 * empties the transfer afterwards), so this is synchronous; walking them happens later.
 */
export function droppedEntriesOf(transfer: DataTransfer): Array<DroppedEntry<File>> {
  const out: Array<DroppedEntry<File>> = [];
  const items = [...transfer.items].filter((item) => item.kind === 'file');
  items.forEach((item, i) => {
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry !== null) out.push(fromEntry(entry));
    else {
      const file = item.getAsFile() ?? transfer.files[i];
      if (file) out.push({ name: file.name, kind: 'file', file: async () => file });
    }
  });
  return out;
}

/** Walks what was dropped and uploads it into `folder`, saying what could not go. */
export async function uploadDropped(session: Session, folder: string, entries: Array<DroppedEntry<File>>): Promise<void> {
  const dropped = await collectDropped(entries);
  if (dropped.truncated) appStore.getState().notify('warning', `Only the first ${dropped.files.length} files of the drop are uploaded.`, 'Drop the rest separately.');
  await uploadFiles(session, folder, dropped);
}

export async function uploadFiles(session: Session, folder: string, dropped: DroppedFiles<File>): Promise<void> {
  const cluster = appStore.getState().datasetsCluster;
  if (cluster === null) return;
  const plan = planUpload(folder, dropped);
  if (plan.files.length === 0 && plan.folders.length === 0) {
    for (const problem of plan.problems) appStore.getState().notify('warning', `Not uploaded: ${problem}`);
    return;
  }
  await session.uploads.start(cluster, plan);
}
