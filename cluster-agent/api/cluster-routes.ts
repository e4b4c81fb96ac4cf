/**
 * Routes of the head role: workers register and heartbeat (cluster token); the desktop
 * lists hosts, reads a host's samples and follows events (client token). An agent
 * without the head role answers them with 404 saying so.
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
  type HostsReply,
  type MetricsReply,
  type RegisterReply,
} from '../../protocol/agent-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { limits } from '../../protocol/limits.ts';
import type { Cluster } from '../head/cluster.ts';
import type { AgentLog } from '../log.ts';
import type { TokenKind } from './auth.ts';

/** The head's registry as the routes use it. */
export type ClusterApi = Pick<Cluster, 'register' | 'heartbeat' | 'hosts' | 'hostSamples' | 'subscribe'>;

const HostParams = Type.Object({ hostId: Type.String({ minLength: 1, maxLength: limits.maxNameLength }) });

/** An events client that reads slower than events arrive is cut off beyond this backlog. */
const maxEventBacklogBytes = 4 * 1024 * 1024;

type Protect = (url: string, kind: TokenKind) => string;

/** Declares the head routes backed by `cluster`. */
export function clusterRoutes(app: FastifyInstance, cluster: ClusterApi, log: AgentLog, protect: Protect): void {
  app.post<{ Body: RegisterRequest }>(
    protect(agentRoutes.register, 'cluster'),
    { schema: { body: RegisterRequest } },
    async (request): Promise<RegisterReply> => cluster.register(request.body),
  );

  app.post<{ Body: HeartbeatRequest }>(
    protect(agentRoutes.heartbeat, 'cluster'),
    { schema: { body: HeartbeatRequest } },
    async (request, reply) => {
      if (cluster.heartbeat(request.body)) return { known: true };
      // The worker treats this 404 as "register again" (e.g. after the head lost its database).
      const error = new HopsError('HOST_NOT_FOUND', `The head does not know host ${request.body.hostId}; it must register first.`, {
        hint: 'The agent registers again by itself.',
      });
      return reply.code(error.status).send({ ...error.toWire(), known: false });
    },
  );

  app.get(protect(agentRoutes.hosts, 'client'), async (): Promise<HostsReply> => ({ hosts: cluster.hosts() }));

  app.get<{ Params: { hostId: string }; Querystring: MetricsQuery }>(
    protect(agentRoutes.hostMetrics, 'client'),
    { schema: { params: HostParams, querystring: MetricsQuery } },
    async (request): Promise<MetricsReply> => {
      const samples = cluster.hostSamples(request.params.hostId, request.query.sinceMs);
      if (samples === undefined) throw new HopsError('HOST_NOT_FOUND', `The cluster has no host ${request.params.hostId}.`);
      return { samples };
    },
  );

  app.route({
    method: 'GET',
    url: protect(agentRoutes.events, 'client'),
    handler: async () => {
      throw new HopsError('VALIDATION', `${agentRoutes.events} is a WebSocket; connect with an Upgrade: websocket request.`);
    },
    wsHandler: (socket) => streamEvents(socket, cluster, log),
  });
}

/** Declares the head routes on an agent without the head role: each says so with a 404. */
export function noHeadRoutes(app: FastifyInstance, hostId: string, protect: Protect): void {
  const refuse = async (_request: FastifyRequest, _reply: FastifyReply): Promise<never> => {
    throw new HopsError('NOT_FOUND', `This agent (${hostId}) has no head role; cluster routes are served by the cluster's head.`, {
      hint: 'Connect to the head agent of the cluster instead.',
    });
  };
  app.post(protect(agentRoutes.register, 'cluster'), refuse);
  app.post(protect(agentRoutes.heartbeat, 'cluster'), refuse);
  app.get(protect(agentRoutes.hosts, 'client'), refuse);
  app.get(protect(agentRoutes.hostMetrics, 'client'), refuse);
  app.get(protect(agentRoutes.events, 'client'), refuse);
}

/** Sends the current state of every host, then every event, until the socket closes. */
function streamEvents(socket: WebSocket, cluster: ClusterApi, log: AgentLog): void {
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
  // The stream is one-way; anything a client sends is ignored (maxPayload bounds it).
  socket.on('message', () => undefined);
  for (const host of cluster.hosts()) send({ type: 'host.state', host });
}
