/**
 * The desktop API's `fs.fsck`: the filesystem's health as the head reports it, passed
 * through; the head decides who may see what (the admin, or a Data Owner under their project).
 */
import type { DesktopHandlers } from '../../protocol/desktop-api.ts';
import { fsRoutes } from '../../protocol/fs.ts';
import type { FsckReport } from '../../protocol/fsck.ts';
import type { Clusters } from './clusters.ts';

export function fsckHandlers(clusters: Clusters): Pick<DesktopHandlers, 'fs.fsck'> {
  return {
    'fs.fsck': async ({ cluster, path }) => {
      const client = (await clusters.ready(cluster)).client();
      const query = path === undefined ? '' : `?${new URLSearchParams({ path }).toString()}`;
      return client.call<FsckReport>('GET', `${fsRoutes.fsck}${query}`);
    },
  };
}
