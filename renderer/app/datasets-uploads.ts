/**
 * The upload queue: a plan's folders are made first (parents first), then its files go two
 * at a time, each a row of the transfers drawer from queued to done, failed or cancelled.
 * Progress comes from the core's `transfer.progress` events, matched by the transfer id
 * this window gave each file. A failed upload keeps its file (the browser's File object;
 * in the desktop app the File names its local path), so Retry sends the same file again.
 */
import type { HopsApi } from '../../protocol/desktop-api.ts';
import type { FileStat } from '../../protocol/fs.ts';
import type { AppStore } from '../store/app-state.ts';
import type { TransferProgress } from '../store/datasets-transfers.ts';
import type { UploadPlan } from './datasets-drop.ts';
import type { FileCarrier } from './datasets-carriers.ts';
import { problemOf } from './problems.ts';

/** Files sent at once: enough to hide per-file latency, few enough not to starve each other. */
export const UPLOAD_CONCURRENCY = 2;

export interface Uploads {
  /** Queues a plan into `cluster`; resolves once every file of it finished one way or another. */
  start(cluster: string, plan: UploadPlan<File>): Promise<void>;
  /** Cancels a queued or running transfer (the row key is its transfer id). */
  cancel(key: string): void;
  /** Whether the failed upload of row `key` can be sent again: this window started it and still holds its file. */
  canRetry(key: string): boolean;
  /** Queues the failed upload of row `key` again, the same file to the same path, in the same row. */
  retry(key: string): void;
  dispose(): void;
}

export interface UploadsOptions {
  hops: HopsApi;
  store: AppStore;
  carrier: FileCarrier;
  /** A file landed in `folder`: the explorer re-reads it. */
  changedIn(folder: string): void;
  /** A fresh transfer id; random by default. */
  newId?(): string;
}

interface Job {
  key: string;
  cluster: string;
  path: string;
  file: File;
  abort: AbortController;
}

const randomId = () => crypto.randomUUID().replaceAll('-', '');

/** Failed uploads kept for Retry, at most (the oldest go first); each holds a File, not its bytes. */
const FAILED_KEPT = 500;

export function createUploads({ hops, store, carrier, changedIn, newId = randomId }: UploadsOptions): Uploads {
  const state = store.getState;
  const waiting: Job[] = [];
  const running = new Map<string, Job>();
  const failed = new Map<string, Job>();
  let idle: Array<() => void> = [];

  // Events come in bursts (a folder of small files makes three per file): they are applied
  // together every 100 ms, so the drawer redraws ten times a second at most.
  let pendingEvents: TransferProgress[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  const flushEvents = () => {
    flushTimer = null;
    const events = pendingEvents;
    pendingEvents = [];
    state().transfersProgressed(events);
  };
  const unsubscribe = hops.on('transfer.progress', (event) => {
    pendingEvents.push(event);
    flushTimer ??= setTimeout(flushEvents, 100);
  });

  const settle = () => {
    if (waiting.length === 0 && running.size === 0) {
      for (const resolve of idle) resolve();
      idle = [];
    }
  };

  const pump = () => {
    while (running.size < UPLOAD_CONCURRENCY && waiting.length > 0) {
      const job = waiting.shift()!;
      running.set(job.key, job);
      void send(job).finally(() => {
        running.delete(job.key);
        pump();
        settle();
      });
    }
  };

  const send = async (job: Job) => {
    state().transferChanged(job.key, { state: 'running' });
    try {
      const stat: FileStat = await carrier.upload(job.file, { cluster: job.cluster, path: job.path, transferId: job.key }, job.abort.signal);
      state().transferChanged(job.key, { state: 'done', bytesTotal: stat.size });
      changedIn(job.path.slice(0, job.path.lastIndexOf('/')));
    } catch (err) {
      if (job.abort.signal.aborted) {
        state().transferChanged(job.key, { state: 'cancelled' });
        return;
      }
      failed.set(job.key, job);
      if (failed.size > FAILED_KEPT) failed.delete(failed.keys().next().value!);
      state().transferChanged(job.key, { state: 'failed', problem: problemOf(err) });
    }
  };

  /** Makes the plan's folders; a folder that exists already is fine. Returns the ones that failed. */
  const makeFolders = async (cluster: string, folders: string[]): Promise<string[]> => {
    const failed: string[] = [];
    for (const path of folders) {
      if (failed.some((bad) => path.startsWith(`${bad}/`))) continue;
      try {
        await hops.dataset.mkdir({ cluster, path, parents: true });
      } catch (err) {
        const problem = problemOf(err);
        if (problem.code === 'PATH_EXISTS') continue;
        failed.push(path);
        state().notify('error', `Could not make the folder ${path}: ${problem.message}`, problem.hint);
      }
    }
    return failed;
  };

  return {
    async start(cluster, plan) {
      for (const problem of plan.problems) state().notify('warning', `Not uploaded: ${problem}`);
      const failedFolders = await makeFolders(cluster, plan.folders);
      const touched = new Set(plan.folders.map((f) => f.slice(0, f.lastIndexOf('/'))));
      for (const folder of touched) changedIn(folder);
      for (const item of plan.files) {
        if (failedFolders.some((bad) => item.path.startsWith(`${bad}/`))) continue;
        const key = newId();
        state().transferQueued({ key, direction: 'upload', path: item.path, label: item.label, bytesTotal: item.size });
        waiting.push({ key, cluster, path: item.path, file: item.file, abort: new AbortController() });
      }
      const done = new Promise<void>((resolve) => idle.push(resolve));
      pump();
      settle();
      await done;
    },
    cancel(key) {
      const queued = waiting.findIndex((j) => j.key === key);
      if (queued >= 0) {
        waiting.splice(queued, 1);
        state().transferChanged(key, { state: 'cancelled' });
        settle();
        return;
      }
      const job = running.get(key);
      if (job !== undefined) {
        job.abort.abort();
        return;
      }
      // A transfer this window did not start (a download, another window's upload): the core stops it.
      const row = state().transfers.find((r) => r.key === key);
      if (row?.transferId) {
        hops.transfer.cancel({ transferId: row.transferId }).catch((err: unknown) => {
          const problem = problemOf(err);
          state().notify('error', `Could not cancel the transfer of ${row.path}: ${problem.message}`, problem.hint);
        });
      }
    },
    canRetry(key) {
      return failed.has(key) && state().transfers.some((r) => r.key === key && r.state === 'failed');
    },
    retry(key) {
      const job = failed.get(key);
      if (job === undefined || !this.canRetry(key)) return;
      failed.delete(key);
      // Events of the failed attempt still waiting are applied first, so none lands on the new one.
      if (flushTimer !== null) clearTimeout(flushTimer);
      flushEvents();
      state().transferRequeued(key);
      waiting.push({ ...job, abort: new AbortController() });
      pump();
    },
    dispose() {
      unsubscribe();
      if (flushTimer !== null) clearTimeout(flushTimer);
      for (const job of running.values()) job.abort.abort();
      waiting.length = 0;
    },
  };
}
