/**
 * Sharing a dataset with another project, as Hopsworks does: a Data Owner of the dataset's
 * project shares it (read-only or read-write), the share waits until a Data Owner of the
 * other project accepts it, and from then on that project's members read the dataset by
 * its own path (`/Projects/<owner>/<dataset>`) and write into it when the share is
 * read-write and their role grants data.write. Unsharing ends access at the next call.
 *
 * Shared by the agent API (head routes, `fsRoutes.shares…`) and the desktop API.
 */
import { Type, type Static } from '@sinclair/typebox';
import { FsPath } from './fs.ts';
import { ProjectName } from './projects.ts';

/** Bounds that keep a project's listing and the share table small. */
export const shareLimits = {
  /** Projects one dataset may be shared with. */
  perDataset: 100,
  /** Shares (pending or accepted) a project may receive. */
  incomingPerProject: 1000,
} as const;

export const ShareState = Type.Union([Type.Literal('pending'), Type.Literal('accepted')]);
export type ShareState = Static<typeof ShareState>;

/** One dataset shared with one project. */
export const Share = Type.Object({
  /** The dataset's path now (a share follows a rename of its dataset). */
  path: Type.String(),
  /** The project the dataset belongs to. */
  project: Type.String(),
  dataset: Type.String(),
  /** The project it is shared with. */
  withProject: Type.String(),
  readOnly: Type.Boolean(),
  state: ShareState,
  sharedBy: Type.String(),
  sharedAtMs: Type.Number(),
  acceptedBy: Type.Union([Type.String(), Type.Null()]),
  acceptedAtMs: Type.Union([Type.Number(), Type.Null()]),
});
export type Share = Static<typeof Share>;

/** `POST shares`: share the dataset at `path` with `withProject` (read-write unless `readOnly`). */
export const ShareRequest = Type.Object(
  { path: FsPath, withProject: ProjectName, readOnly: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type ShareRequest = Static<typeof ShareRequest>;

/** `POST shares/remove`: end the share of `path` with `withProject` (pending or accepted). */
export const UnshareRequest = Type.Object({ path: FsPath, withProject: ProjectName }, { additionalProperties: false });
export type UnshareRequest = Static<typeof UnshareRequest>;

/** `POST shares/accept`: `project` accepts the dataset at `path` shared with it. */
export const AcceptShareRequest = Type.Object({ project: ProjectName, path: FsPath }, { additionalProperties: false });
export type AcceptShareRequest = Static<typeof AcceptShareRequest>;

/** `GET shares`: what `project` shares and is shared. */
export const SharesQuery = Type.Object({ project: ProjectName }, { additionalProperties: false });
export type SharesQuery = Static<typeof SharesQuery>;

/** `incoming`: datasets of other projects shared with this one; `outgoing`: this project's datasets shared with others. */
export const SharesReply = Type.Object({ incoming: Type.Array(Share), outgoing: Type.Array(Share) });
export type SharesReply = Static<typeof SharesReply>;
