/**
 * Offline copies: a dataset, folder or file of a cluster copied into the workspace (whole,
 * or the first rows of each table), listed and previewed from there when the cluster
 * cannot be reached. A copy is assembled in scratch space and moved into place in one
 * rename, so a failed or interrupted copy never leaves half a tree where a copy was.
 */
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { HopsError } from '../../protocol/errors.ts';
import { fsIsWithin, fsJoin, fsName, fsRoutes, parseFsPath, showPath, type FileStat, type ListPage } from '../../protocol/fs.ts';
import { offlineLimits, type OfflineCopy, type OfflineEntry, type OfflineProgress, type TableFormat } from '../../protocol/previews.ts';
import type { AgentClient } from '../cluster/agent-client.ts';
import type { Clusters } from '../cluster/clusters.ts';
import { downloadFile } from '../cluster/transfers.ts';
import type { Workspace } from '../workspace/workspace.ts';
import { ClusterContent, LocalContent } from '../previews/content-source.ts';
import { kindOf } from '../previews/file-kinds.ts';
import type { PreviewTools } from '../previews/preview-file.ts';
import { mib, NotATable } from '../previews/table-files.ts';
import { writeTableSample } from '../previews/table-sample.ts';
import { OfflineFolder } from './offline-folder.ts';

/** A file of the cluster to copy. */
interface PlannedFile {
  stat: FileStat;
  /** Set when only its first rows are copied: the table's format. */
  sampleFormat: TableFormat | undefined;
}

export class OfflineCopies {
  private readonly clusters: Clusters;
  private readonly workspace: Workspace;
  private readonly tools: PreviewTools;
  private readonly folder: OfflineFolder;
  private readonly onProgress: (progress: OfflineProgress) => void;

  constructor(clusters: Clusters, workspace: Workspace, tools: PreviewTools, onProgress: (progress: OfflineProgress) => void) {
    this.clusters = clusters;
    this.workspace = workspace;
    this.tools = tools;
    this.folder = new OfflineFolder(workspace.dir);
    this.onProgress = onProgress;
  }

  /**
   * Copies `fsPath` of `cluster` into the workspace, replacing an older copy of it and the
   * copies inside it. With `sampleRows`, each table file keeps only its first rows.
   */
  async make(cluster: string | undefined, fsPath: string, sampleRows: number | undefined): Promise<OfflineCopy> {
    const name = this.clusters.resolveName(cluster);
    const parts = parseFsPath(fsPath);
    if (parts.level === 'root' || parts.level === 'projects') {
      throw new HopsError('VALIDATION', 'Copy a project, a dataset, a folder or a file, not the whole filesystem.', { field: '/path' });
    }
    const enclosing = this.workspace.offlineCopies.list(name).find((copy) => copy.path !== fsPath && fsIsWithin(fsPath, copy.path));
    if (enclosing) {
      throw new HopsError('OFFLINE_COPY_OVERLAPS', `${showPath(fsPath)} is inside the offline copy of ${showPath(enclosing.path)}.`);
    }
    const head = (await this.clusters.ready(name)).client();
    const top = await head.call<FileStat>('GET', `${fsRoutes.stat}?${new URLSearchParams({ path: fsPath })}`);
    const { files, dirs } = await plan(head, top, sampleRows !== undefined);
    // A sampled table is counted at most at the bytes its sample may read.
    const planned = (file: PlannedFile) => (file.sampleFormat !== undefined ? Math.min(file.stat.size, offlineLimits.sampleHeadBytes) : file.stat.size);
    const bytesTotal = files.reduce((sum, file) => sum + planned(file), 0);
    if (bytesTotal > offlineLimits.maxCopyBytes) {
      throw new HopsError('OFFLINE_COPY_TOO_LARGE', `${showPath(fsPath)} holds ${mib(bytesTotal)}; an offline copy holds at most ${mib(offlineLimits.maxCopyBytes)}.`);
    }

    const target = this.folder.localPath(name, fsPath);
    await mkdir(this.folder.clusterDir(name), { recursive: true, mode: 0o700 });
    await this.folder.checkNoLinks(name, target);
    const progress = { cluster: name, path: fsPath, bytesDone: 0, bytesTotal, filesDone: 0, filesTotal: files.length };
    let bytesStored = 0;
    this.onProgress({ ...progress });

    await this.tools.scratch.within('offline', async (staging) => {
      const local = (filePath: string) => path.join(staging, 'copy', ...filePath.slice(fsPath.length).split('/').filter(Boolean));
      await mkdir(path.join(staging, 'copy'), { recursive: true });
      for (const dir of dirs) await mkdir(local(dir), { recursive: true });
      const endpoint = head.endpoint;
      for (const file of files) {
        const destination = top.type === 'file' ? path.join(staging, 'copy', top.name) : local(file.stat.path);
        const before = progress.bytesDone;
        if (file.sampleFormat !== undefined) {
          const source = new ClusterContent(endpoint, file.stat.path, file.stat.size);
          await writeTableSample(this.tools, source, file.sampleFormat, sampleRows!, destination).catch((err: unknown) => {
            if (err instanceof NotATable) {
              throw new HopsError('VALIDATION', `Cannot take the first rows of ${showPath(file.stat.path)}: ${err.message}.`, {
                field: '/sampleRows',
                hint: 'Copy it whole (without sampleRows), or copy the files around it.',
              });
            }
            throw err;
          });
        } else {
          await downloadFile(endpoint, file.stat.path, destination, (done) => {
            progress.bytesDone = before + done;
            this.onProgress({ ...progress });
          });
        }
        // The copy shows the cluster's modification times, not the time of copying.
        await utimes(destination, new Date(), new Date(file.stat.mtimeMs));
        bytesStored += (await stat(destination)).size;
        progress.bytesDone = before + planned(file);
        progress.filesDone += 1;
        this.onProgress({ ...progress });
      }
      const placed = top.type === 'file' ? path.join(staging, 'copy', top.name) : path.join(staging, 'copy');
      await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      await this.folder.checkNoLinks(name, target);
      await rm(target, { recursive: true, force: true });
      await rename(placed, target);
    });

    const copy: OfflineCopy = {
      cluster: name,
      path: fsPath,
      type: top.type,
      bytes: bytesStored,
      files: files.length,
      sampleRows: sampleRows ?? null,
      copiedAtMs: Date.now(),
    };
    this.workspace.offlineCopies.record(copy);
    return copy;
  }

  /** The copies of a cluster. */
  list(cluster: string | undefined): OfflineCopy[] {
    return this.workspace.offlineCopies.list(this.clusters.resolveName(cluster));
  }

  /** Deletes the copy of exactly `fsPath` from the disk and the workspace. */
  async remove(cluster: string | undefined, fsPath: string): Promise<OfflineCopy> {
    const name = this.clusters.resolveName(cluster);
    parseFsPath(fsPath);
    const copy = this.workspace.offlineCopies.get(name, fsPath);
    if (!copy) throw new HopsError('OFFLINE_COPY_NOT_FOUND', `There is no offline copy of ${showPath(fsPath)} on cluster "${name}".`, { hint: 'List them with offline.list.' });
    const local = this.folder.localPath(name, fsPath);
    await this.folder.checkNoLinks(name, local);
    await rm(local, { recursive: true, force: true });
    this.workspace.offlineCopies.remove(name, fsPath);
    return copy;
  }

  /**
   * A directory as the copies hold it: the copied entries inside a copy, and above the
   * copies the directories that lead to them.
   */
  async listDir(cluster: string | undefined, fsPath: string): Promise<OfflineEntry[]> {
    const name = this.clusters.resolveName(cluster);
    parseFsPath(fsPath);
    const copies = this.workspace.offlineCopies.list(name);
    const holder = copies.find((copy) => fsIsWithin(fsPath, copy.path));
    if (holder) {
      const local = this.folder.localPath(name, fsPath);
      await this.folder.checkNoLinks(name, local);
      const info = await stat(local).catch(() => undefined);
      if (!info) throw notCopied(name, fsPath);
      if (info.isFile()) return [{ path: fsPath, name: fsName(fsPath), type: 'file', size: info.size, mtimeMs: info.mtimeMs }];
      const entries: OfflineEntry[] = [];
      for (const entry of await readdir(local, { withFileTypes: true })) {
        if (!entry.isFile() && !entry.isDirectory()) continue;
        const entryInfo = await stat(path.join(local, entry.name));
        entries.push({
          path: fsJoin(fsPath, entry.name),
          name: entry.name,
          type: entry.isFile() ? 'file' : 'dir',
          size: entry.isFile() ? entryInfo.size : 0,
          mtimeMs: entryInfo.mtimeMs,
        });
      }
      return entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    }
    const below = new Map<string, OfflineEntry>();
    for (const copy of copies) {
      if (!fsIsWithin(copy.path, fsPath) || copy.path === fsPath) continue;
      const childName = copy.path.slice(fsPath === '/' ? 1 : fsPath.length + 1).split('/')[0]!;
      const childPath = fsJoin(fsPath, childName);
      const isCopiedFile = copy.path === childPath && copy.type === 'file';
      const known = below.get(childName);
      below.set(childName, {
        path: childPath,
        name: childName,
        type: isCopiedFile ? 'file' : 'dir',
        size: isCopiedFile ? copy.bytes : 0,
        mtimeMs: Math.max(known?.mtimeMs ?? 0, copy.copiedAtMs),
      });
    }
    if (below.size === 0) throw notCopied(name, fsPath);
    return [...below.values()].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  }

  /** The copied file at `fsPath`, for a preview without the cluster; undefined when there is none. */
  async open(cluster: string, fsPath: string): Promise<{ source: LocalContent; copiedAtMs: number } | undefined> {
    const holder = this.workspace.offlineCopies.list(cluster).find((copy) => fsIsWithin(fsPath, copy.path));
    if (!holder) return undefined;
    const local = this.folder.localPath(cluster, fsPath);
    await this.folder.checkNoLinks(cluster, local);
    const info = await stat(local).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    return { source: new LocalContent(local, info.size), copiedAtMs: holder.copiedAtMs };
  }
}

/** Every directory and file under `top`, walked a page at a time, within the copy's limits. */
async function plan(head: AgentClient, top: FileStat, sampling: boolean): Promise<{ files: PlannedFile[]; dirs: string[] }> {
  const files: PlannedFile[] = [];
  const dirs: string[] = [];
  const planFile = (stat: FileStat) => {
    const kind = kindOf(stat.name);
    files.push({ stat, sampleFormat: sampling && kind.kind === 'table' ? kind.format : undefined });
    if (files.length > offlineLimits.maxCopyFiles) {
      throw new HopsError('OFFLINE_COPY_TOO_LARGE', `${showPath(top.path)} holds more than ${offlineLimits.maxCopyFiles} files, the most an offline copy holds.`);
    }
  };
  if (top.type === 'file') {
    planFile(top);
    return { files, dirs };
  }
  const pending = [top.path];
  while (pending.length > 0) {
    const dir = pending.shift()!;
    dirs.push(dir);
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ path: dir, ...(cursor === null ? {} : { cursor }) });
      const page: ListPage = await head.call<ListPage>('GET', `${fsRoutes.list}?${query}`);
      for (const entry of page.entries) {
        if (entry.type === 'dir') pending.push(entry.path);
        else planFile(entry);
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
  }
  return { files, dirs };
}

function notCopied(cluster: string, fsPath: string): HopsError {
  return new HopsError('OFFLINE_COPY_NOT_FOUND', `There is no offline copy of ${showPath(fsPath)} on cluster "${cluster}".`);
}
