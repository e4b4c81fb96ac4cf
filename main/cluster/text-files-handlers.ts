/**
 * The desktop API's editor methods: text files of the cluster (`file.*`) and the drafts of
 * their unsaved changes in the workspace (`draft.*`).
 */
import type { DesktopHandlers } from '../../protocol/desktop-api.ts';
import { parseFsPath } from '../../protocol/fs.ts';
import type { Scratch } from '../previews/scratch.ts';
import type { Workspace } from '../workspace/workspace.ts';
import type { Clusters } from './clusters.ts';
import { readTextFile, writeTextFile } from './text-files.ts';
import { StagedTexts, textOf } from './text-files-staging.ts';
import { connectionLink } from './transfers.ts';

type TextFileHandlers = Pick<
  DesktopHandlers,
  'file.stageText' | 'file.readText' | 'file.writeText' | 'draft.save' | 'draft.get' | 'draft.list' | 'draft.discard'
>;

export function textFileHandlers(clusters: Clusters, workspace: Workspace, scratch: Scratch): TextFileHandlers {
  const staged = new StagedTexts();
  return {
    'file.stageText': async ({ stageId, offset, text }) => ({ stageId, length: staged.append(stageId, offset, text) }),
    'file.readText': async ({ cluster, path }) => readTextFile((await clusters.ready(cluster)).client().endpoint, path),
    'file.writeText': async ({ cluster, path, text, stageId, baseMtimeMs }) => {
      const content = textOf(staged, { ...(text === undefined ? {} : { text }), ...(stageId === undefined ? {} : { stageId }) });
      const link = connectionLink(await clusters.ready(cluster));
      return writeTextFile(link, path, content, { scratch, ...(baseMtimeMs === undefined ? {} : { baseMtimeMs }) });
    },
    'draft.save': async ({ cluster, path, text, stageId, baseMtimeMs }) => {
      parseFsPath(path);
      const content = textOf(staged, { ...(text === undefined ? {} : { text }), ...(stageId === undefined ? {} : { stageId }) });
      return workspace.drafts.save(clusters.resolveName(cluster), path, content, baseMtimeMs);
    },
    'draft.get': async ({ cluster, path }) => ({ draft: workspace.drafts.get(clusters.resolveName(cluster), path) ?? null }),
    'draft.list': async ({ cluster }) => ({ drafts: workspace.drafts.list(clusters.resolveName(cluster)) }),
    'draft.discard': async ({ cluster, path }) => ({ discarded: workspace.drafts.discard(clusters.resolveName(cluster), path) }),
  };
}
