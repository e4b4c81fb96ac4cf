/**
 * The agent's HTTP + WebSocket API. `buildAgentServer` returns the fastify instance
 * without listening (fastify's testing guide: build apart from listen), so tests use
 * `inject` and the composition root decides where to listen.
 *
 * Every route, the WebSocket and unknown paths included, requires a bearer token; the
 * check runs in `onRequest`, before any body is read.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import type { AgentLifecycleState } from '../protocol/agent-api.ts';
import { HopsError } from '../protocol/errors.ts';
import type { HostInventory, HostRole, MetricsSample } from '../protocol/host.ts';
import { limits } from '../protocol/limits.ts';
import { bearerToken, tokenAccepted, type TokenKind } from './api/auth.ts';
import { clusterRoutes, noHeadRoutes, type ClusterApi } from './api/cluster-routes.ts';
import { errorHandler, typeboxValidator } from './api/errors.ts';
import { hostRoutes } from './api/host-routes.ts';
import type { AgentTokens } from './config.ts';
import type { AgentLog } from './log.ts';

/** Everything the API reads; the composition root (or a test) provides it. */
export interface AgentServerDeps {
  hostId: string;
  roles: readonly HostRole[];
  tokens: AgentTokens;
  agentVersion: string;
  startedAtMs: number;
  state: () => AgentLifecycleState;
  inventory: () => Promise<HostInventory>;
  samples: (sinceMs?: number) => MetricsSample[];
  /** The head's registry; undefined on an agent without the head role. */
  cluster: ClusterApi | undefined;
  log: AgentLog;
}

/** How long WebSocket clients get to answer a close before they are cut off at shutdown. */
const socketCloseGraceMs = 1000;

/** Builds the agent's fastify instance with every route declared; does not listen. */
export function buildAgentServer(deps: AgentServerDeps): FastifyInstance {
  const app = Fastify({
    // The agent logs through its own JSON logger, never request headers (tokens).
    logger: false,
    bodyLimit: limits.maxAgentBodyBytes,
    routerOptions: { maxParamLength: 4 * limits.maxNameLength },
    requestTimeout: 30_000,
    exposeHeadRoutes: false,
    // While closing, requests on open connections are still answered normally rather than
    // with fastify's own 503 body, which is not a WireError.
    return503OnClosing: false,
  });
  app.setValidatorCompiler(typeboxValidator);
  app.setErrorHandler(errorHandler(deps.log));
  app.setNotFoundHandler(async (request) => {
    throw new HopsError('NOT_FOUND', `The agent has no route ${request.method} ${request.url.split('?')[0]}.`, {
      hint: 'Check that the desktop and the agent are the same version.',
    });
  });

  // Route pattern → the token it takes. Unknown paths take either token, so that
  // without one nobody learns which paths exist.
  const tokenKinds = new Map<string, TokenKind>();
  const protect = (url: string, kind: TokenKind): string => {
    tokenKinds.set(url, kind);
    return url;
  };
  app.register(fastifyWebsocket, {
    options: { maxPayload: 4096 },
    preClose(done) {
      const clients = this.websocketServer.clients;
      for (const client of clients) client.close(1001, 'The agent is stopping.');
      setTimeout(() => {
        for (const client of clients) client.terminate();
      }, socketCloseGraceMs).unref();
      this.websocketServer.close();
      done();
    },
  });
  // Added once the WebSocket plugin is in, so that its own onRequest hook (which marks
  // upgrade requests, so that the socket of a refused upgrade is closed) runs first.
  app.after(() => {
    app.addHook('onRequest', async (request) => {
      const kind = tokenKinds.get(request.routeOptions.url ?? '') ?? 'any';
      const presented = bearerToken(request.headers.authorization);
      if (presented === undefined) {
        throw new HopsError('UNAUTHORIZED', 'This request carries no bearer token (Authorization: Bearer …).');
      }
      if (!tokenAccepted(presented, kind, deps.tokens)) {
        throw new HopsError('UNAUTHORIZED', `The bearer token is not valid for ${request.method} ${request.routeOptions.url ?? 'this path'}.`);
      }
    });
  });
  app.register(async (scope) => {
    hostRoutes(scope, deps, protect);
    if (deps.cluster === undefined) noHeadRoutes(scope, deps.hostId, protect);
    else clusterRoutes(scope, deps.cluster, deps.log, protect);
  });
  return app;
}
