/**
 * The head's job routes for the desktop and CLI (`jobRoutes` of protocol/jobs-api.ts; a
 * user's token): submit, list, read, stop and retry jobs, read and follow their logs, read
 * their use, and keep schedules. Who may do what is decided in head/jobs.ts. An agent
 * without the head role answers them with 404 saying so.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { WebSocket } from 'ws';
import { HopsError } from '../../protocol/errors.ts';
import {
  CreateScheduleRequest,
  JobId,
  JobListQuery,
  JobLogQuery,
  SubmitJobRequest,
  jobApiLimits,
  jobRoutes,
  type Job,
  type JobListReply,
  type JobLogChunk,
  type JobLogMessage,
  type JobSchedule,
  type JobUsageReply,
  type ScheduleListReply,
} from '../../protocol/jobs-api.ts';
import type { User } from '../../protocol/projects.ts';
import type { JobSchedules } from '../head/job-schedules.ts';
import type { JobService } from '../head/jobs.ts';
import { callerOf, type TokenKind } from './auth.ts';

type Protect = (url: string, kind: TokenKind) => string;

export interface JobServices {
  jobs: JobService;
  schedules: JobSchedules;
}

const JobParams = Type.Object({ jobId: JobId });
const ScheduleParams = Type.Object({ scheduleId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });

/** How often a followed log is read while its job runs. */
const followPollMs = 250;
/** Bytes read per look at a followed log. */
const followReadBytes = 256 * 1024;
/** A follower that reads slower than lines arrive is cut off beyond this backlog. */
const maxFollowBacklogBytes = 4 * 1024 * 1024;

export function headJobRoutes(app: FastifyInstance, services: JobServices, protect: Protect): void {
  const { jobs, schedules } = services;
  app.post<{ Body: SubmitJobRequest }>(
    protect(jobRoutes.jobs, 'client'),
    { schema: { body: SubmitJobRequest } },
    async (request, reply): Promise<Job> => reply.code(201).send(await jobs.submit(callerOf(request), request.body)),
  );
  app.get<{ Querystring: JobListQuery }>(
    protect(jobRoutes.jobs, 'client'),
    { schema: { querystring: JobListQuery } },
    async (request): Promise<JobListReply> => jobs.list(callerOf(request), request.query),
  );
  app.get<{ Params: { jobId: string } }>(
    protect(jobRoutes.job, 'client'),
    { schema: { params: JobParams } },
    async (request): Promise<Job> => jobs.get(callerOf(request), request.params.jobId),
  );
  app.post<{ Params: { jobId: string } }>(
    protect(jobRoutes.stop, 'client'),
    { schema: { params: JobParams } },
    async (request): Promise<Job> => jobs.stop(callerOf(request), request.params.jobId),
  );
  app.post<{ Params: { jobId: string } }>(
    protect(jobRoutes.retry, 'client'),
    { schema: { params: JobParams } },
    async (request): Promise<Job> => jobs.retry(callerOf(request), request.params.jobId),
  );
  app.get<{ Params: { jobId: string }; Querystring: JobLogQuery }>(
    protect(jobRoutes.logs, 'client'),
    { schema: { params: JobParams, querystring: JobLogQuery } },
    async (request): Promise<JobLogChunk> => {
      const { stream = 'stdout', offset = 0, length = 1024 * 1024 } = request.query;
      return jobs.readLog(callerOf(request), request.params.jobId, stream, offset, Math.min(length, jobApiLimits.maxLogReadBytes));
    },
  );
  app.get<{ Params: { jobId: string } }>(
    protect(jobRoutes.usage, 'client'),
    { schema: { params: JobParams } },
    async (request): Promise<JobUsageReply> => ({ samples: await jobs.usage(callerOf(request), request.params.jobId) }),
  );
  app.route<{ Params: { jobId: string } }>({
    method: 'GET',
    url: protect(jobRoutes.follow, 'client'),
    schema: { params: JobParams },
    handler: async () => {
      throw new HopsError('VALIDATION', `${jobRoutes.follow} is a WebSocket; connect with an Upgrade: websocket request.`);
    },
    wsHandler: (socket, request) => followLogs(socket, jobs, callerOf(request as FastifyRequest), (request.params as { jobId: string }).jobId),
  });

  app.post<{ Body: CreateScheduleRequest }>(
    protect(jobRoutes.schedules, 'client'),
    { schema: { body: CreateScheduleRequest } },
    async (request, reply): Promise<JobSchedule> => reply.code(201).send(schedules.create(callerOf(request), request.body)),
  );
  app.get<{ Querystring: { project?: string } }>(
    protect(jobRoutes.schedules, 'client'),
    { schema: { querystring: Type.Object({ project: Type.Optional(Type.String({ maxLength: 128 })) }, { additionalProperties: false }) } },
    async (request): Promise<ScheduleListReply> => ({ schedules: schedules.list(callerOf(request), request.query.project) }),
  );
  app.delete<{ Params: { scheduleId: string } }>(
    protect(jobRoutes.schedule, 'client'),
    { schema: { params: ScheduleParams } },
    async (request): Promise<{ scheduleId: string }> => schedules.remove(callerOf(request), request.params.scheduleId),
  );
}

/** Declares the job routes on an agent without the head role: each says so with a 404. */
export function noHeadJobRoutes(app: FastifyInstance, hostId: string, protect: Protect): void {
  const refuse = async (): Promise<never> => {
    throw new HopsError('NOT_FOUND', `This agent (${hostId}) has no head role; jobs are kept by the cluster's head.`, { hint: 'Connect to the head agent of the cluster instead.' });
  };
  const routes: Array<['GET' | 'POST' | 'DELETE', string]> = [
    ['POST', jobRoutes.jobs],
    ['GET', jobRoutes.jobs],
    ['GET', jobRoutes.job],
    ['POST', jobRoutes.stop],
    ['POST', jobRoutes.retry],
    ['GET', jobRoutes.logs],
    ['GET', jobRoutes.usage],
    ['GET', jobRoutes.follow],
    ['POST', jobRoutes.schedules],
    ['GET', jobRoutes.schedules],
    ['DELETE', jobRoutes.schedule],
  ];
  for (const [method, url] of routes) app.route({ method, url: protect(url, 'client'), handler: refuse });
}

/**
 * Streams a job's stdout and stderr from the start as lines, while it runs and until the
 * last line after it ended, then its end. Lines are split here so a client never sees half
 * of one; a line still being written is held back until it ends or the job does.
 */
function followLogs(socket: WebSocket, jobs: JobService, caller: User, jobId: string): void {
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('message', () => undefined);
  const send = (message: JobLogMessage): boolean => {
    if (closed || socket.readyState !== socket.OPEN) return false;
    if (socket.bufferedAmount > maxFollowBacklogBytes) {
      socket.close(1013, 'Log stream backlog too large; reconnect.');
      return false;
    }
    socket.send(JSON.stringify(message));
    return true;
  };
  const streams = { stdout: { offset: 0, partial: '' }, stderr: { offset: 0, partial: '' } };
  const attempt = { value: 0 };
  const look = async (): Promise<void> => {
    while (!closed) {
      const job = jobs.get(caller, jobId);
      // A retry starts a new attempt with new logs.
      if (job.attempt !== attempt.value) {
        attempt.value = job.attempt;
        streams.stdout = { offset: 0, partial: '' };
        streams.stderr = { offset: 0, partial: '' };
      }
      let live = false;
      let progressed = false;
      for (const name of ['stdout', 'stderr'] as const) {
        const state = streams[name];
        const chunk = await jobs.readLog(caller, jobId, name, state.offset, followReadBytes);
        live ||= chunk.live;
        if (chunk.data === '') continue;
        progressed = true;
        state.offset += Buffer.byteLength(chunk.data, 'utf8');
        const lines = (state.partial + chunk.data).split('\n');
        state.partial = lines.pop() ?? '';
        for (const line of lines) if (!send({ type: 'line', stream: name, line })) return;
      }
      if (!live && !progressed) {
        for (const name of ['stdout', 'stderr'] as const) {
          if (streams[name].partial !== '') send({ type: 'line', stream: name, line: streams[name].partial });
        }
        send({ type: 'end', job: jobs.get(caller, jobId) });
        socket.close(1000, 'The job ended.');
        return;
      }
      if (!progressed) await new Promise((resolve) => setTimeout(resolve, followPollMs));
    }
  };
  look().catch((err: unknown) => {
    if (closed) return;
    const wire = err instanceof HopsError ? err : new HopsError('INTERNAL', (err as Error).message);
    socket.close(wire.code === 'JOB_NOT_FOUND' ? 4404 : 1011, wire.message.slice(0, 120));
  });
}
