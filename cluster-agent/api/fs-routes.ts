/**
 * The head's filesystem routes for the desktop and CLI (`fsRoutes` of protocol/fs.ts;
 * a user's token). Paths travel in the query string or the JSON body, never in the URL
 * path, so no client or proxy normalizes `..` away before the head sees it: a bad path
 * is a 400 `PATH_INVALID` naming the rule. Permission checks live in `head/namespace.ts`.
 *
 * File content is streamed both ways (`application/octet-stream`): an upload has no
 * body limit and is never held in memory whole, a download starts once its first block
 * is open. An agent without the head role answers these routes with 404 saying so.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HopsError } from '../../protocol/errors.ts';
import {
  ListQuery,
  MkdirRequest,
  MoveRequest,
  PathQuery,
  RemoveRequest,
  fsRoutes,
  type BlockLocations,
  type FileStat,
  type ListPage,
  type RemoveReply,
} from '../../protocol/fs.ts';
import type { BlockMap } from '../head/block-map.ts';
import type { FileTransfers } from '../head/file-transfers.ts';
import type { Namespace } from '../head/namespace.ts';
import { callerOf, type TokenKind } from './auth.ts';
import { durabilityRouteList, headDurabilityRoutes, type FsDurabilityServices } from './fs-durability-routes.ts';
import { checkPathRulesFirst } from './fs-path-rules.ts';
import { headSharingRoutes, sharingRouteList, type DatasetSharingServices } from './fs-sharing-routes.ts';
import { headContentRoutes } from './fs-content-routes.ts';
import { headUploadRoutes, uploadRouteList, type UploadServices } from './fs-upload-routes.ts';

/** The head's filesystem behind these routes. */
export interface FilesystemServices {
  namespace: Pick<Namespace, 'statIn' | 'listIn' | 'mkdir' | 'remove' | 'move'>;
  transfers: Pick<FileTransfers, 'upload' | 'download' | 'blockLocations'>;
  blockMap: Pick<BlockMap, 'reclaimSoon' | 'report' | 'markCorrupt'>;
  /** fsck, safe mode and per-file replication health (`fs-durability-routes.ts`). */
  durability?: FsDurabilityServices;
  /** Shares, the trash and search (`fs-sharing-routes.ts`). */
  sharing: DatasetSharingServices;
  /** Resumable uploads and project quotas (`fs-upload-routes.ts`). */
  uploads: UploadServices;
}

type Protect = (url: string, kind: TokenKind) => string;

/** Declares the filesystem routes, backed by the head's services. */
export function headFsRoutes(app: FastifyInstance, fs: FilesystemServices, protect: Protect): void {
  const { namespace, transfers, blockMap } = fs;
  checkPathRulesFirst(app);
  if (fs.durability !== undefined) headDurabilityRoutes(app, fs.durability, protect);
  const health = fs.durability?.health;
  headSharingRoutes(app, fs.sharing, protect);
  headUploadRoutes(app, fs.uploads, protect);
  headContentRoutes(app, { transfers, sessions: fs.uploads.sessions }, protect);
  app.get<{ Querystring: PathQuery }>(
    protect(fsRoutes.stat, 'client'),
    { schema: { querystring: PathQuery } },
    async (request): Promise<FileStat> => {
      const { stat, dirId } = namespace.statIn(callerOf(request), request.query.path);
      return health === undefined ? stat : health.ofStat(stat, dirId);
    },
  );
  app.get<{ Querystring: ListQuery }>(
    protect(fsRoutes.list, 'client'),
    { schema: { querystring: ListQuery } },
    async (request): Promise<ListPage> => {
      const { page, dirId } = namespace.listIn(callerOf(request), request.query.path, request.query.cursor, request.query.limit);
      return health === undefined ? page : health.ofPage(page, dirId);
    },
  );
  app.post<{ Body: MkdirRequest }>(
    protect(fsRoutes.mkdir, 'client'),
    { schema: { body: MkdirRequest } },
    async (request): Promise<FileStat> => namespace.mkdir(callerOf(request), request.body.path, request.body.parents ?? false),
  );
  app.post<{ Body: RemoveRequest }>(
    protect(fsRoutes.remove, 'client'),
    { schema: { body: RemoveRequest } },
    async (request): Promise<RemoveReply> => {
      const removed = namespace.remove(callerOf(request), request.body.path, request.body.recursive ?? false, request.body.permanent ?? false);
      blockMap.reclaimSoon();
      return removed;
    },
  );
  app.post<{ Body: MoveRequest }>(
    protect(fsRoutes.move, 'client'),
    { schema: { body: MoveRequest } },
    async (request): Promise<FileStat> => namespace.move(callerOf(request), request.body.from, request.body.to),
  );
  app.get<{ Querystring: PathQuery }>(
    protect(fsRoutes.blocks, 'client'),
    { schema: { querystring: PathQuery } },
    async (request): Promise<BlockLocations> => transfers.blockLocations(callerOf(request), request.query.path),
  );
}

/** Declares the filesystem routes on an agent without the head role: each says so with a 404. */
export function noHeadFsRoutes(app: FastifyInstance, hostId: string, protect: Protect): void {
  const refuse = async (_request: FastifyRequest, _reply: FastifyReply): Promise<never> => {
    throw new HopsError('NOT_FOUND', `This agent (${hostId}) has no head role; the filesystem is served by the cluster's head.`, {
      hint: 'Connect to the head agent of the cluster instead.',
    });
  };
  const routes: Array<['GET' | 'POST' | 'PUT' | 'DELETE', string]> = [
    ['GET', fsRoutes.stat],
    ['GET', fsRoutes.list],
    ['POST', fsRoutes.mkdir],
    ['POST', fsRoutes.remove],
    ['POST', fsRoutes.move],
    ['GET', fsRoutes.blocks],
    ['GET', fsRoutes.content],
    ['PUT', fsRoutes.content],
    ...sharingRouteList,
    ...uploadRouteList,
    ...durabilityRouteList,
  ];
  for (const [method, url] of routes) app.route({ method, url: protect(url, 'client'), handler: refuse });
}
