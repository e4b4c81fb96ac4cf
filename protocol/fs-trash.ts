/**
 * The trash: removing a dataset, folder or file moves it into its project's trash, out of
 * the namespace (not listed, its path free again) but with its blocks kept, until it is
 * restored or purged after the head's `trashRetentionMs` (7 days by default). A removal
 * with `permanent` skips it.
 *
 * Shared by the agent API (head routes, `fsRoutes.trash…`) and the desktop API.
 */
import { Type, type Static } from '@sinclair/typebox';
import { FileType, FsPath } from './fs.ts';
import { ProjectName } from './projects.ts';

/** Most entries one listing of a project's trash returns (newest first). */
export const trashListLimit = 1000;

/** Something removed into a project's trash. */
export const TrashEntry = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  project: Type.String(),
  /** Where it was when removed; `restore` puts it back there unless told `to`. */
  path: Type.String(),
  name: Type.String(),
  type: FileType,
  /** Bytes of the files in it (a file's own size). */
  size: Type.Integer({ minimum: 0 }),
  /** Files and directories it holds, itself included. */
  files: Type.Integer({ minimum: 0 }),
  dirs: Type.Integer({ minimum: 0 }),
  removedBy: Type.String(),
  removedAtMs: Type.Number(),
  /** When the head purges it for good. */
  purgeAtMs: Type.Number(),
});
export type TrashEntry = Static<typeof TrashEntry>;

/** `GET trash`. */
export const TrashQuery = Type.Object({ project: ProjectName }, { additionalProperties: false });
export type TrashQuery = Static<typeof TrashQuery>;

export const TrashReply = Type.Object({ entries: Type.Array(TrashEntry) });
export type TrashReply = Static<typeof TrashReply>;

/** `POST trash/restore`: put an entry back at its path, or at `to` (same project) when that is taken. */
export const RestoreRequest = Type.Object(
  {
    trashId: Type.Integer({ minimum: 1 }),
    /** The entry's project; checked when given. */
    project: Type.Optional(ProjectName),
    to: Type.Optional(FsPath),
  },
  { additionalProperties: false },
);
export type RestoreRequest = Static<typeof RestoreRequest>;
