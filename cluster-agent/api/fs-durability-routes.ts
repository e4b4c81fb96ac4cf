/**
 * The head's filesystem-health routes for the desktop and CLI (a user's token): fsck and
 * the filesystem's status (safe mode), and the safe-mode guard: while the head is in
 * safe mode every filesystem call that changes something (any method but GET under
 * `/v1/fs/`) answers 503 `SAFE_MODE` saying what the head waits for. The guard runs
 * after authentication and before any body is read.
 */
import type { FastifyInstance } from 'fastify';
import { FsckQuery, type FsStatus, type FsckReport } from '../../protocol/fsck.ts';
import { fsRoutes } from '../../protocol/fs.ts';
import type { Fsck } from '../head/fsck.ts';
import type { ReplicationHealth } from '../head/replication-health.ts';
import type { SafeMode } from '../head/safe-mode.ts';
import { callerOf, type TokenKind } from './auth.ts';

/** The head's durability services behind these routes. */
export interface FsDurabilityServices {
  fsck: Pick<Fsck, 'check'>;
  safeMode: Pick<SafeMode, 'state' | 'assertWritable'>;
  /** Adds `health` to the files of stats and listings. */
  health: Pick<ReplicationHealth, 'ofStat' | 'ofPage'>;
}

type Protect = (url: string, kind: TokenKind) => string;

/** The routes, for agents without the head role to refuse. */
export const durabilityRouteList: Array<['GET', string]> = [
  ['GET', fsRoutes.fsck],
  ['GET', fsRoutes.status],
];

/** Declares fsck and status, and guards the filesystem's writes while in safe mode. */
export function headDurabilityRoutes(app: FastifyInstance, services: FsDurabilityServices, protect: Protect): void {
  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url ?? '';
    if (request.method === 'GET' || request.method === 'HEAD' || !url.startsWith('/v1/fs/')) return;
    services.safeMode.assertWritable(`${request.method} ${url}`);
  });
  app.get<{ Querystring: FsckQuery }>(
    protect(fsRoutes.fsck, 'client'),
    { schema: { querystring: FsckQuery } },
    async (request): Promise<FsckReport> => services.fsck.check(callerOf(request), request.query.path),
  );
  app.get(protect(fsRoutes.status, 'client'), async (): Promise<FsStatus> => ({ safeMode: services.safeMode.state() }));
}
