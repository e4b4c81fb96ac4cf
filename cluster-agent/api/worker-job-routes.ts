/**
 * The routes a worker serves its head for jobs (`workerJobRoutes`; cluster token, on the
 * cluster listener): start an attempt, stop it, read its logs, use and output files.
 * The head is the only caller; users reach jobs through the head's routes.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { HopsError } from '../../protocol/errors.ts';
import { JobId, JobLogStream, WorkerJobStart, jobApiLimits, workerJobRoutes, type JobLogStream as JobLogStreamType, type JobUsageReply } from '../../protocol/jobs-api.ts';
import type { OutputFile, WorkerJobs } from '../worker/worker-jobs.ts';
import type { TokenKind } from './auth.ts';

type Protect = (url: string, kind: TokenKind) => string;

const JobParams = Type.Object({ jobId: JobId });
const Attempt = Type.Integer({ minimum: 1, maximum: 1_000_000 });
const AttemptQuery = Type.Object({ attempt: Attempt }, { additionalProperties: false });
const LogQuery = Type.Object(
  {
    attempt: Attempt,
    stream: JobLogStream,
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
    length: Type.Optional(Type.Integer({ minimum: 1, maximum: jobApiLimits.maxLogReadBytes })),
    /** The whole log as bytes, for keeping it in the filesystem. */
    whole: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const OutputFileQuery = Type.Object({ attempt: Attempt, path: Type.String({ minLength: 1, maxLength: 8192 }) }, { additionalProperties: false });

export function workerJobRoutesOf(app: FastifyInstance, jobs: WorkerJobs, protect: Protect): void {
  app.post<{ Body: WorkerJobStart }>(protect(workerJobRoutes.jobs, 'cluster'), { schema: { body: WorkerJobStart } }, async (request) => {
    jobs.start(request.body);
    return { accepted: true };
  });
  app.post<{ Params: { jobId: string }; Body: { attempt: number } }>(
    protect(workerJobRoutes.stop, 'cluster'),
    { schema: { params: JobParams, body: AttemptQuery } },
    async (request) => {
      jobs.stop(request.params.jobId, request.body.attempt);
      return { stopping: true };
    },
  );
  app.get<{ Params: { jobId: string }; Querystring: { attempt: number; stream: JobLogStreamType; offset?: number; length?: number; whole?: boolean } }>(
    protect(workerJobRoutes.logs, 'cluster'),
    { schema: { params: JobParams, querystring: LogQuery } },
    async (request, reply) => {
      const { attempt, stream, offset = 0, length = 1024 * 1024, whole } = request.query;
      if (whole === true) return reply.type('application/octet-stream').send(jobs.openLog(request.params.jobId, attempt, stream));
      const piece = await jobs.readLog(request.params.jobId, attempt, stream, offset, length);
      return { data: piece.data.toString('base64'), size: piece.size };
    },
  );
  app.get<{ Params: { jobId: string }; Querystring: { attempt: number } }>(
    protect(workerJobRoutes.usage, 'cluster'),
    { schema: { params: JobParams, querystring: AttemptQuery } },
    async (request): Promise<JobUsageReply> => ({ samples: jobs.usage(request.params.jobId, request.query.attempt) }),
  );
  app.get<{ Params: { jobId: string }; Querystring: { attempt: number } }>(
    protect(workerJobRoutes.output, 'cluster'),
    { schema: { params: JobParams, querystring: AttemptQuery } },
    async (request): Promise<{ files: OutputFile[] }> => ({ files: await jobs.outputFiles(request.params.jobId, request.query.attempt) }),
  );
  app.get<{ Params: { jobId: string }; Querystring: { attempt: number; path: string } }>(
    protect(workerJobRoutes.outputFile, 'cluster'),
    { schema: { params: JobParams, querystring: OutputFileQuery } },
    async (request, reply) => reply.type('application/octet-stream').send(jobs.openOutputFile(request.params.jobId, request.query.attempt, request.query.path)),
  );
}

/** Declares the worker's job routes on an agent without the worker role: each says so with a 404. */
export function noWorkerJobRoutes(app: FastifyInstance, hostId: string, protect: Protect): void {
  const refuse = async (): Promise<never> => {
    throw new HopsError('NOT_FOUND', `This agent (${hostId}) has no worker role; it runs no jobs.`);
  };
  for (const url of [workerJobRoutes.jobs, workerJobRoutes.stop]) app.post(protect(url, 'cluster'), refuse);
  for (const url of [workerJobRoutes.logs, workerJobRoutes.usage, workerJobRoutes.output, workerJobRoutes.outputFile]) app.get(protect(url, 'cluster'), refuse);
}
