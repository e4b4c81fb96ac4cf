/**
 * `dataset.preview`: a file of the cluster previewed as it is read through the head, or
 * from its offline copy when the cluster cannot be reached (the answer then says when
 * the copy was made).
 */
import type { DesktopHandlers } from '../../protocol/desktop-api.ts';
import { HopsError, type ErrorCode } from '../../protocol/errors.ts';
import { fsName, fsRoutes, parseFsPath, showPath, type FileStat } from '../../protocol/fs.ts';
import { previewLimits } from '../../protocol/previews.ts';
import type { Clusters } from '../cluster/clusters.ts';
import type { OfflineCopies } from '../offline/offline-copies.ts';
import { ClusterContent } from './content-source.ts';
import { previewFile, type PreviewTools } from './preview-file.ts';

/** Failures that mean "the data cannot be reached now", where an offline copy helps. */
const unreachable = new Set<ErrorCode>(['AGENT_UNREACHABLE', 'AGENT_START_FAILED', 'SSH_UNREACHABLE', 'DATA_UNAVAILABLE']);

export function previewHandlers(clusters: Clusters, offline: OfflineCopies, tools: PreviewTools): Pick<DesktopHandlers, 'dataset.preview'> {
  return {
    'dataset.preview': async ({ cluster, path, maxRows }) => {
      const name = clusters.resolveName(cluster);
      parseFsPath(path);
      const rows = maxRows ?? previewLimits.defaultRows;
      let failure: HopsError;
      try {
        const head = (await clusters.ready(name)).client();
        const stat = await head.call<FileStat>('GET', `${fsRoutes.stat}?${new URLSearchParams({ path })}`);
        if (stat.type !== 'file') throw new HopsError('NOT_A_FILE', `${showPath(path)} is a directory; previews show files.`, { field: '/path' });
        return await previewFile(tools, new ClusterContent(head.endpoint, path, stat.size), stat.name, rows);
      } catch (err) {
        if (!(err instanceof HopsError) || !unreachable.has(err.code)) throw err;
        failure = err;
      }
      const copy = await offline.open(name, path);
      if (!copy) {
        throw new HopsError(failure.code, `${failure.message} No offline copy of ${showPath(path)} is kept either.`, {
          hint: `${failure.hint} Make data available offline while connected to preview it without the cluster.`,
        });
      }
      return { ...(await previewFile(tools, copy.source, fsName(path), rows)), offline: { copiedAtMs: copy.copiedAtMs } };
    },
  };
}
