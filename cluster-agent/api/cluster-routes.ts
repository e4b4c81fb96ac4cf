/**
 * Routes of the head role: workers register and heartbeat (cluster token, on the
 * cluster listener when there is one); the desktop lists hosts, reads a host's samples,
 * follows events (any user's token), drains and forgets hosts (the cluster admin's). An
 * agent without the head role answers them with 404 saying so.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { WebSocket } from 'ws';
import {
  HeartbeatRequest,
  MetricsQuery,
  RegisterRequest,
  agentRoutes,
  type AgentEvent,
  type DrainReply,
  type ForgetReply,
  type HeartbeatReply,
  type HostsReply,
  type MetricsReply,
  type RegisterReply,
} from '../../protocol/agent-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { limits } from '../../protocol/limits.ts';
import { peerHostId } from '../cluster-tls.ts';
import type { Cluster } from '../head/cluster.ts';
import type { JobService } from '../head/jobs.ts';
import { requireAdmin } from '../head/permissions.ts';
import type { User } from '../../protocol/projects.ts';
import type { AgentLog } from '../log.ts';
import { callerOf, type TokenKind } from './auth.ts';

/** The head's registry as the routes use it. */
export type ClusterApi = Pick<Cluster, 'register' | 'heartbeat' | 'hosts' | 'hostSamples' | 'subscribe' | 'drain' | 'forget'> &
  Partial<Pick<Cluster, 'blockReportWanted'>>;

const HostParams = Type.Object({ hostId: Type.String({ minLength: 1, maxLength: limits.maxNameLength }) });

/** An events client that reads slower than events arrive is cut off beyond this backlog. */
const maxEventBacklogBytes = 4 * 1024 * 1024;

type Protect = (url: string, kind: TokenKind) => string;

/** Which audiences a listener serves: the desktop (client token), other agents (cluster token). */
export interface Audiences {
  client: boolean;
  cluster: boolean;
}

/** What the head's routes need of its job service: workers' reports in, job events out. */
export type JobsApi = Pick<JobService, 'applyReports' | 'subscribe' | 'canSee'>;

/** Declares the head routes workers call (cluster token), backed by `cluster` (and `jobs`, for the job reports of heartbeats). */
export function memberRoutes(app: FastifyInstance, cluster: ClusterApi, protect: Protect, jobs?: JobsApi): void {
  app.post<{ Body: RegisterRequest }>(
    protect(agentRoutes.register, 'cluster'),
    { schema: { body: RegisterRequest } },
    async (request): Promise<RegisterReply> => {
      assertPeerIs(request, request.body.hostId);
      return cluster.register(request.body);
    },
  );

  app.post<{ Body: HeartbeatRequest }>(
    protect(agentRoutes.heartbeat, 'cluster'),
    { schema: { body: HeartbeatRequest } },
    async (request, reply) => {
      assertPeerIs(request, request.body.hostId);
      if (cluster.heartbeat(request.body)) {
        const answer: HeartbeatReply = cluster.blockReportWanted?.(request.body.hostId) === true ? { known: true, sendBlockReport: true } : { known: true };
        if (jobs !== undefined && request.body.jobs !== undefined) {
          const { recorded, toStop } = jobs.applyReports(request.body.hostId, request.body.jobs);
          if (recorded.length > 0) answer.jobsRecorded = recorded;
          if (toStop.length > 0) answer.jobsToStop = toStop;
        }
        return answer;
      }
      // The worker treats this 404 as "register again" (e.g. after the head lost its database).
      const error = new HopsError('HOST_NOT_FOUND', `The head does not know host ${request.body.hostId}; it must register first.`, {
        hint: 'The agent registers again by itself.',
      });
      return reply.code(error.status).send({ ...error.toWire(), known: false });
    },
  );
}

/**
 * Declares the head routes the desktop calls (a user's token), backed by `cluster`: any
 * user may look at the hosts; only the cluster admin changes them.
 */
export function headClientRoutes(app: FastifyInstance, cluster: ClusterApi, log: AgentLog, protect: Protect, jobs?: JobsApi): void {
  app.get(protect(agentRoutes.hosts, 'client'), async (): Promise<HostsReply> => ({ hosts: cluster.hosts() }));

  app.get<{ Params: { hostId: string }; Querystring: MetricsQuery }>(
    protect(agentRoutes.hostMetrics, 'client'),
    { schema: { params: HostParams, querystring: MetricsQuery } },
    async (request): Promise<MetricsReply> => {
      const samples = cluster.hostSamples(request.params.hostId, request.query.sinceMs);
      if (samples === undefined) throw noSuchHost(request.params.hostId);
      return { samples };
    },
  );

  app.post<{ Params: { hostId: string } }>(
    protect(agentRoutes.hostDrain, 'client'),
    { schema: { params: HostParams } },
    async (request): Promise<DrainReply> => {
      requireAdmin(callerOf(request), 'draining hosts');
      const host = cluster.drain(request.params.hostId);
      if (host === undefined) throw noSuchHost(request.params.hostId);
      return { host };
    },
  );

  app.delete<{ Params: { hostId: string } }>(
    protect(agentRoutes.host, 'client'),
    { schema: { params: HostParams } },
    async (request): Promise<ForgetReply> => {
      requireAdmin(callerOf(request), 'removing hosts');
      if (!cluster.forget(request.params.hostId)) throw noSuchHost(request.params.hostId);
      return { hostId: request.params.hostId };
    },
  );

  app.route({
    method: 'GET',
    url: protect(agentRoutes.events, 'client'),
    handler: async () => {
      throw new HopsError('VALIDATION', `${agentRoutes.events} is a WebSocket; connect with an Upgrade: websocket request.`);
    },
    wsHandler: (socket, request) => streamEvents(socket, cluster, log, jobs === undefined ? undefined : { jobs, caller: callerOf(request) }),
  });
}

/**
 * Declares the head routes on an agent without the head role, those of the audiences
 * this listener serves: each says so with a 404.
 */
export function noHeadRoutes(app: FastifyInstance, hostId: string, protect: Protect, audiences: Audiences): void {
  const refuse = async (_request: FastifyRequest, _reply: FastifyReply): Promise<never> => {
    throw new HopsError('NOT_FOUND', `This agent (${hostId}) has no head role; cluster routes are served by the cluster's head.`, {
      hint: 'Connect to the head agent of the cluster instead.',
    });
  };
  const routes: Array<['GET' | 'POST' | 'DELETE', string, 'client' | 'cluster']> = [
    ['POST', agentRoutes.register, 'cluster'],
    ['POST', agentRoutes.heartbeat, 'cluster'],
    ['GET', agentRoutes.hosts, 'client'],
    ['GET', agentRoutes.hostMetrics, 'client'],
    ['POST', agentRoutes.hostDrain, 'client'],
    ['DELETE', agentRoutes.host, 'client'],
    ['GET', agentRoutes.events, 'client'],
  ];
  for (const [method, url, kind] of routes) {
    if (audiences[kind]) app.route({ method, url: protect(url, kind), handler: refuse });
  }
}

function noSuchHost(hostId: string): HopsError {
  return new HopsError('HOST_NOT_FOUND', `The cluster has no host ${hostId}.`);
}

/**
 * On the cluster listener a worker speaks only for the host its certificate names, so
 * one host's key cannot register or heartbeat as another. Plain connections (the
 * one-listener setup) carry no certificate and rely on the token alone.
 */
export function assertPeerIs(request: FastifyRequest, hostId: string): void {
  const peer = peerHostId(request.raw.socket);
  if (peer === undefined || peer === hostId) return;
  throw new HopsError('UNAUTHORIZED', `This connection's certificate is for host ${peer ?? '(no CN)'}; it cannot speak for host ${hostId}.`, {
    hint: 'Each agent presents its own certificate (CN = its hostId); check cluster.tls in its configuration.',
  });
}

/** Sends the current state of every host, then every event, until the socket closes. */
function streamEvents(socket: WebSocket, cluster: ClusterApi, log: AgentLog, jobEvents?: { jobs: JobsApi; caller: User }): void {
  const send = (event: AgentEvent): void => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > maxEventBacklogBytes) {
      log.warn('events client too slow; closing its stream', { bufferedBytes: socket.bufferedAmount });
      socket.close(1013, 'Event stream backlog too large; reconnect.');
      return;
    }
    socket.send(JSON.stringify(event));
  };
  const unsubscribe = cluster.subscribe(send);
  socket.on('close', unsubscribe);
  if (jobEvents !== undefined) {
    // A job's changes reach the members of its project only (and the cluster admin).
    const { jobs, caller } = jobEvents;
    const stopJobs = jobs.subscribe((job) => {
      if (jobs.canSee(caller, job.spec.project)) send({ type: 'job.changed', job });
    });
    socket.on('close', stopJobs);
  }
  // The stream is one-way; anything a client sends is ignored (maxPayload bounds it).
  socket.on('message', () => undefined);
  for (const host of cluster.hosts()) send({ type: 'host.state', host });
}
