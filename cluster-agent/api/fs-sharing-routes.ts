/**
 * The head's routes for sharing datasets, the trash and search by name (`fsRoutes.shares…`,
 * `fsRoutes.trash…`, `fsRoutes.search`; a user's token). Paths travel in the query string
 * or JSON body, as on every filesystem route; the rules and permission checks live in
 * `head/shares.ts`, `head/trash.ts` and `head/namespace-search.ts`.
 */
import type { FastifyInstance } from 'fastify';
import { AcceptShareRequest, ShareRequest, SharesQuery, UnshareRequest, type Share, type SharesReply } from '../../protocol/fs-shares.ts';
import { RestoreRequest, TrashQuery, type TrashReply } from '../../protocol/fs-trash.ts';
import { SearchQuery, fsRoutes, type FileStat, type SearchReply } from '../../protocol/fs.ts';
import type { NamespaceSearch } from '../head/namespace-search.ts';
import type { Shares } from '../head/shares.ts';
import type { Trash } from '../head/trash.ts';
import { callerOf, type TokenKind } from './auth.ts';

/** The head's sharing, trash and search behind these routes. */
export interface DatasetSharingServices {
  shares: Pick<Shares, 'share' | 'accept' | 'unshare' | 'list'>;
  trash: Pick<Trash, 'list' | 'restore'>;
  search: Pick<NamespaceSearch, 'search'>;
}

type Protect = (url: string, kind: TokenKind) => string;

/** Declares the sharing, trash and search routes. */
export function headSharingRoutes(app: FastifyInstance, services: DatasetSharingServices, protect: Protect): void {
  const { shares, trash, search } = services;
  app.get<{ Querystring: SearchQuery }>(
    protect(fsRoutes.search, 'client'),
    { schema: { querystring: SearchQuery } },
    async (request): Promise<SearchReply> =>
      search.search(callerOf(request), request.query.path, request.query.query, { limit: request.query.limit, order: request.query.order }),
  );
  app.get<{ Querystring: SharesQuery }>(
    protect(fsRoutes.shares, 'client'),
    { schema: { querystring: SharesQuery } },
    async (request): Promise<SharesReply> => shares.list(callerOf(request), request.query.project),
  );
  app.post<{ Body: ShareRequest }>(
    protect(fsRoutes.shares, 'client'),
    { schema: { body: ShareRequest } },
    async (request): Promise<Share> => shares.share(callerOf(request), request.body.path, request.body.withProject, request.body.readOnly ?? false),
  );
  app.post<{ Body: AcceptShareRequest }>(
    protect(fsRoutes.shareAccept, 'client'),
    { schema: { body: AcceptShareRequest } },
    async (request): Promise<Share> => shares.accept(callerOf(request), request.body.project, request.body.path),
  );
  app.post<{ Body: UnshareRequest }>(
    protect(fsRoutes.shareRemove, 'client'),
    { schema: { body: UnshareRequest } },
    async (request): Promise<Share> => shares.unshare(callerOf(request), request.body.path, request.body.withProject),
  );
  app.get<{ Querystring: TrashQuery }>(
    protect(fsRoutes.trash, 'client'),
    { schema: { querystring: TrashQuery } },
    async (request): Promise<TrashReply> => trash.list(callerOf(request), request.query.project),
  );
  app.post<{ Body: RestoreRequest }>(
    protect(fsRoutes.trashRestore, 'client'),
    { schema: { body: RestoreRequest } },
    async (request): Promise<FileStat> => trash.restore(callerOf(request), request.body.trashId, { project: request.body.project, to: request.body.to }),
  );
}

/** The same routes on an agent without the head role, for `noHeadFsRoutes` to refuse. */
export const sharingRouteList: Array<['GET' | 'POST', string]> = [
  ['GET', fsRoutes.search],
  ['GET', fsRoutes.shares],
  ['POST', fsRoutes.shares],
  ['POST', fsRoutes.shareAccept],
  ['POST', fsRoutes.shareRemove],
  ['GET', fsRoutes.trash],
  ['POST', fsRoutes.trashRestore],
];
