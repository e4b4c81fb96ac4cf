/**
 * The head's routes for resumable uploads (`fsRoutes.uploads`, `fsRoutes.upload`,
 * `fsRoutes.uploadComplete`) and project quotas (`projectRoutes.quota`). Checks live in
 * `head/upload-sessions.ts` and `head/quotas.ts`; a route validates, names the caller
 * and shapes the reply.
 *
 * An append (`PUT fsRoutes.upload`) carries file content and is declared with the other
 * content route in `fs-content-routes.ts`.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { CreateUploadRequest, UploadParams, fsRoutes, type FileStat, type UploadSession } from '../../protocol/fs.ts';
import { ProjectName, SetQuotaRequest, projectRoutes, type Project } from '../../protocol/projects.ts';
import type { Projects } from '../head/projects.ts';
import type { Quotas } from '../head/quotas.ts';
import type { UploadSessions } from '../head/upload-sessions.ts';
import { callerOf, type TokenKind } from './auth.ts';

/** The head's uploads and quotas behind these routes. */
export interface UploadServices {
  sessions: Pick<UploadSessions, 'create' | 'status' | 'append' | 'complete' | 'abort'>;
  quotas: Pick<Quotas, 'set'>;
  projects: Pick<Projects, 'get'>;
}

type Protect = (url: string, kind: TokenKind) => string;

const QuotaParams = Type.Object({ project: ProjectName });

/** Every route here, for agents without the head role to refuse. */
export const uploadRouteList: Array<['GET' | 'POST' | 'PUT' | 'DELETE', string]> = [
  ['POST', fsRoutes.uploads],
  ['GET', fsRoutes.upload],
  ['PUT', fsRoutes.upload],
  ['DELETE', fsRoutes.upload],
  ['POST', fsRoutes.uploadComplete],
  ['PUT', projectRoutes.quota],
];

/** Declares the upload and quota routes, backed by the head's services. */
export function headUploadRoutes(app: FastifyInstance, services: UploadServices, protect: Protect): void {
  const { sessions, quotas, projects } = services;
  app.post<{ Body: CreateUploadRequest }>(
    protect(fsRoutes.uploads, 'client'),
    { schema: { body: CreateUploadRequest } },
    async (request): Promise<UploadSession> => sessions.create(callerOf(request), request.body),
  );
  app.get<{ Params: UploadParams }>(
    protect(fsRoutes.upload, 'client'),
    { schema: { params: UploadParams } },
    async (request): Promise<UploadSession> => sessions.status(callerOf(request), request.params.uploadId),
  );
  app.delete<{ Params: UploadParams }>(
    protect(fsRoutes.upload, 'client'),
    { schema: { params: UploadParams } },
    async (request): Promise<{ uploadId: string }> => {
      await sessions.abort(callerOf(request), request.params.uploadId);
      return { uploadId: request.params.uploadId };
    },
  );
  app.post<{ Params: UploadParams }>(
    protect(fsRoutes.uploadComplete, 'client'),
    { schema: { params: UploadParams } },
    async (request): Promise<FileStat> => sessions.complete(callerOf(request), request.params.uploadId),
  );
  app.put<{ Params: Static<typeof QuotaParams>; Body: Static<typeof SetQuotaRequest> }>(
    protect(projectRoutes.quota, 'client'),
    { schema: { params: QuotaParams, body: SetQuotaRequest } },
    async (request): Promise<Project> => {
      const caller = callerOf(request);
      quotas.set(caller, request.params.project, request.body.quotaBytes);
      return projects.get(caller, request.params.project);
    },
  );
}
