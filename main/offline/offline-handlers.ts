/** The desktop API's `offline.*` methods over the offline copies. */
import type { DesktopHandlers } from '../../protocol/desktop-api.ts';
import type { OfflineCopies } from './offline-copies.ts';

type OfflineHandlers = Pick<DesktopHandlers, 'offline.make' | 'offline.list' | 'offline.remove' | 'offline.listDir'>;

export function offlineHandlers(offline: OfflineCopies): OfflineHandlers {
  return {
    'offline.make': ({ cluster, path, sampleRows }) => offline.make(cluster, path, sampleRows),
    'offline.list': async ({ cluster }) => ({ copies: offline.list(cluster) }),
    'offline.remove': ({ cluster, path }) => offline.remove(cluster, path),
    'offline.listDir': async ({ cluster, path }) => ({ entries: await offline.listDir(cluster, path) }),
  };
}
