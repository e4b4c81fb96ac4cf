/**
 * Routes every agent answers about its own host: hello (on every listener, to either
 * token it accepts), inventory and metrics (client token).
 */
import type { FastifyInstance } from 'fastify';
import {
  AGENT_PROTOCOL_VERSION,
  MetricsQuery,
  agentRoutes,
  type AgentLifecycleState,
  type Hello,
  type MetricsReply,
} from '../../protocol/agent-api.ts';
import type { HostInventory, HostRole, MetricsSample } from '../../protocol/host.ts';
import type { TokenKind } from './auth.ts';

/** What the host routes read. */
export interface HostRouteDeps {
  hostId: string;
  roles: readonly HostRole[];
  agentVersion: string;
  startedAtMs: number;
  state: () => AgentLifecycleState;
  inventory: () => Promise<HostInventory>;
  samples: (sinceMs?: number) => MetricsSample[];
}

type Protect = (url: string, kind: TokenKind) => string;

/** Declares hello, which says who the agent is; `protect` records which token it takes. */
export function helloRoute(app: FastifyInstance, deps: HostRouteDeps, protect: Protect): void {
  app.get(protect(agentRoutes.hello, 'any'), async (): Promise<Hello> => ({
    product: 'hopsdesk-agent',
    agentVersion: deps.agentVersion,
    protocolVersion: AGENT_PROTOCOL_VERSION,
    hostId: deps.hostId,
    roles: [...deps.roles],
    state: deps.state(),
    startedAtMs: deps.startedAtMs,
    pid: process.pid,
  }));
}

/** Declares the routes the desktop reads this host with (client token). */
export function hostRoutes(app: FastifyInstance, deps: HostRouteDeps, protect: Protect): void {
  app.get(protect(agentRoutes.inventory, 'client'), async (): Promise<HostInventory> => deps.inventory());

  app.get<{ Querystring: MetricsQuery }>(
    protect(agentRoutes.metrics, 'client'),
    { schema: { querystring: MetricsQuery } },
    async (request): Promise<MetricsReply> => ({ samples: deps.samples(request.query.sinceMs) }),
  );
}
