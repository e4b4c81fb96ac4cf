/**
 * The desktop API's dataset methods: listing and changes pass through to the head, which
 * checks the caller's role; content streams between a local file and the head
 * (`transfers.ts`), with progress published as `transfer.progress` events.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DesktopHandlers } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { fsRoutes, type FileStat, type ListPage, type RemoveReply } from '../../protocol/fs.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { Clusters } from './clusters.ts';
import { downloadFile, uploadFile } from './transfers.ts';

type DatasetHandlers = Pick<
  DesktopHandlers,
  'dataset.list' | 'dataset.stat' | 'dataset.mkdir' | 'dataset.remove' | 'dataset.move' | 'dataset.put' | 'dataset.get'
>;

export function datasetHandlers(clusters: Clusters, bus: EventBus): DatasetHandlers {
  const head = async (cluster: string | undefined) => (await clusters.ready(cluster)).client();
  const query = (route: string, values: Record<string, string | number | undefined>): string => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(values)) if (value !== undefined) params.set(key, String(value));
    return `${route}?${params}`;
  };

  return {
    'dataset.list': async ({ cluster, path: where, cursor, limit }) =>
      (await head(cluster)).call<ListPage>('GET', query(fsRoutes.list, { path: where, cursor, limit })),
    'dataset.stat': async ({ cluster, path: where }) => (await head(cluster)).call<FileStat>('GET', query(fsRoutes.stat, { path: where })),
    'dataset.mkdir': async ({ cluster, path: where, parents }) =>
      (await head(cluster)).call<FileStat>('POST', fsRoutes.mkdir, {}, { path: where, ...(parents === undefined ? {} : { parents }) }),
    'dataset.remove': async ({ cluster, path: where, recursive }) =>
      (await head(cluster)).call<RemoveReply>('POST', fsRoutes.remove, {}, { path: where, ...(recursive === undefined ? {} : { recursive }) }),
    'dataset.move': async ({ cluster, from, to }) => (await head(cluster)).call<FileStat>('POST', fsRoutes.move, {}, { from, to }),

    'dataset.put': async ({ cluster, localFile, path: where, overwrite, blockSize, replication }) => {
      const file = absolute(localFile);
      const endpoint = (await head(cluster)).endpoint;
      return uploadFile(
        endpoint,
        where,
        file,
        { ...(overwrite === undefined ? {} : { overwrite }), ...(blockSize === undefined ? {} : { blockSize }), ...(replication === undefined ? {} : { replication }) },
        (bytesDone, bytesTotal) => bus.emit('transfer.progress', { direction: 'upload', path: where, localFile: file, bytesDone, bytesTotal: bytesTotal ?? null }),
      );
    },
    'dataset.get': async ({ cluster, path: where, localFile, overwrite }) => {
      const file = absolute(localFile);
      if (!overwrite && existsSync(file)) {
        throw new HopsError('VALIDATION', `${file} exists already.`, { field: '/localFile', hint: 'Choose another name, or replace it with --overwrite.' });
      }
      const endpoint = (await head(cluster)).endpoint;
      const bytes = await downloadFile(endpoint, where, file, (bytesDone, bytesTotal) =>
        bus.emit('transfer.progress', { direction: 'download', path: where, localFile: file, bytesDone, bytesTotal: bytesTotal ?? null }),
      );
      return { path: where, localFile: file, bytes };
    },
  };
}

function absolute(file: string): string {
  if (file.includes('\0')) throw new HopsError('VALIDATION', 'A local file name cannot hold a NUL character.', { field: '/localFile' });
  return path.resolve(file);
}
