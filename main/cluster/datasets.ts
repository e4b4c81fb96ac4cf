/**
 * The desktop API's dataset methods: listing, changes, sharing, the trash and search pass
 * through to the head, which checks the caller's role; content streams between a local
 * file and the head (`transfers.ts`), with progress published as `transfer.progress` events.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DesktopHandlers } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { Share, SharesReply } from '../../protocol/fs-shares.ts';
import type { TrashReply } from '../../protocol/fs-trash.ts';
import { fsRoutes, type FileStat, type ListPage, type RemoveReply, type SearchReply } from '../../protocol/fs.ts';
import type { Clusters } from './clusters.ts';
import { connectionLink, type Transfers } from './transfers.ts';

type DatasetHandlers = Pick<
  DesktopHandlers,
  | 'dataset.list'
  | 'dataset.stat'
  | 'dataset.mkdir'
  | 'dataset.remove'
  | 'dataset.move'
  | 'dataset.put'
  | 'dataset.get'
  | 'dataset.share'
  | 'dataset.unshare'
  | 'dataset.shares'
  | 'dataset.acceptShare'
  | 'dataset.trash'
  | 'dataset.restore'
  | 'dataset.search'
>;

export function datasetHandlers(clusters: Clusters, transfers: Transfers): DatasetHandlers {
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
    'dataset.remove': async ({ cluster, path: where, recursive, permanent }) =>
      (await head(cluster)).call<RemoveReply>('POST', fsRoutes.remove, {}, {
        path: where,
        ...(recursive === undefined ? {} : { recursive }),
        ...(permanent === undefined ? {} : { permanent }),
      }),
    'dataset.move': async ({ cluster, from, to }) => (await head(cluster)).call<FileStat>('POST', fsRoutes.move, {}, { from, to }),

    'dataset.share': async ({ cluster, path: where, withProject, readOnly }) =>
      (await head(cluster)).call<Share>('POST', fsRoutes.shares, {}, { path: where, withProject, ...(readOnly === undefined ? {} : { readOnly }) }),
    'dataset.unshare': async ({ cluster, path: where, withProject }) =>
      (await head(cluster)).call<Share>('POST', fsRoutes.shareRemove, {}, { path: where, withProject }),
    'dataset.shares': async ({ cluster, project }) => (await head(cluster)).call<SharesReply>('GET', query(fsRoutes.shares, { project })),
    'dataset.acceptShare': async ({ cluster, project, path: where }) =>
      (await head(cluster)).call<Share>('POST', fsRoutes.shareAccept, {}, { project, path: where }),
    'dataset.trash': async ({ cluster, project }) => (await head(cluster)).call<TrashReply>('GET', query(fsRoutes.trash, { project })),
    'dataset.restore': async ({ cluster, project, trashId, to }) =>
      (await head(cluster)).call<FileStat>('POST', fsRoutes.trashRestore, {}, {
        trashId,
        ...(project === undefined ? {} : { project }),
        ...(to === undefined ? {} : { to }),
      }),
    'dataset.search': async ({ cluster, path: where, query: text, limit, order }) =>
      (await head(cluster)).call<SearchReply>('GET', query(fsRoutes.search, { path: where, query: text, limit, order })),

    // Content moves through `transfers`, which resumes after a dropped link and can be cancelled by id.
    'dataset.put': async ({ cluster, localFile, path: where, overwrite, blockSize, replication, transferId }) => {
      const file = absolute(localFile);
      const link = connectionLink(await clusters.ready(cluster));
      return transfers.upload(link, {
        path: where,
        localFile: file,
        ...(overwrite === undefined ? {} : { overwrite }),
        ...(blockSize === undefined ? {} : { blockSize }),
        ...(replication === undefined ? {} : { replication }),
        ...(transferId === undefined ? {} : { transferId }),
      });
    },
    'dataset.get': async ({ cluster, path: where, localFile, overwrite, transferId }) => {
      const file = absolute(localFile);
      if (!overwrite && existsSync(file)) {
        throw new HopsError('VALIDATION', `${file} exists already.`, { field: '/localFile', hint: 'Choose another name, or replace it with --overwrite.' });
      }
      const link = connectionLink(await clusters.ready(cluster));
      const bytes = await transfers.download(link, { path: where, localFile: file, ...(transferId === undefined ? {} : { transferId }) });
      return { path: where, localFile: file, bytes };
    },
  };
}

function absolute(file: string): string {
  if (file.includes('\0')) throw new HopsError('VALIDATION', 'A local file name cannot hold a NUL character.', { field: '/localFile' });
  return path.resolve(file);
}
