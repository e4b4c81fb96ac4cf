/**
 * The agent's HTTP + WebSocket API. `buildAgentServer` returns the fastify instance
 * without listening (fastify's testing guide: build apart from listen), so tests use
 * `inject` and the composition root decides where to listen.
 *
 * Every route, the WebSocket and unknown paths included, requires a credential (a user's
 * token, the cluster token, or for redeeming an invite its code; see `api/auth.ts`); the
 * check runs in `onRequest`, before any body is read, and names the user on the request.
 *
 * One builder serves every listener; the route set says which routes it declares:
 * `all` (one plain listener, as on a one-host cluster), `client` (the plain listener
 * beside a cluster listener: what the desktop calls) or `cluster` (the mutual-TLS
 * listener: what other agents call, and only with the cluster token). The cluster
 * listener also serves the file content routes to a desktop presenting a desktop
 * certificate of the cluster CA, with a user's token (`fs-content-routes.ts`); such a
 * certificate opens nothing else, and an agent's certificate never takes a user token.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import type { AgentLifecycleState } from '../protocol/agent-api.ts';
import { HopsError } from '../protocol/errors.ts';
import type { HostInventory, HostRole, MetricsSample } from '../protocol/host.ts';
import { limits } from '../protocol/limits.ts';
import { authenticate, configuredAdmin, type Credentials, type TokenKind } from './api/auth.ts';
import { headBlockRoutes, missingRoleBlockRoutes, workerBlockRoutes } from './api/block-routes.ts';
import { headClientRoutes, memberRoutes, noHeadRoutes, type Audiences, type ClusterApi } from './api/cluster-routes.ts';
import { errorHandler, typeboxValidator } from './api/errors.ts';
import { headFsRoutes, noHeadFsRoutes, type FilesystemServices } from './api/fs-routes.ts';
import { helloRoute, hostRoutes } from './api/host-routes.ts';
import { headJobRoutes, noHeadJobRoutes, type JobServices } from './api/job-routes.ts';
import { headProjectRoutes, noHeadProjectRoutes, type ProjectServices } from './api/project-routes.ts';
import { noWorkerJobRoutes, workerJobRoutesOf } from './api/worker-job-routes.ts';
import type { WorkerJobs } from './worker/worker-jobs.ts';
import type { PipelineHost } from './blocks/pipeline.ts';
import { clusterServerTls, peerIsDesktop, type ClusterTlsMaterial } from './cluster-tls.ts';
import { contentRouteKeys, headContentRoutes } from './api/fs-content-routes.ts';
import { checkPathRulesFirst } from './api/fs-path-rules.ts';
import type { AgentTokens } from './config.ts';
import type { AgentLog } from './log.ts';

/** Everything the API reads; the composition root (or a test) provides it. */
export interface AgentServerDeps {
  hostId: string;
  roles: readonly HostRole[];
  tokens: AgentTokens;
  /** The admin's user name; on an agent without users (no head role) the client token speaks for this user. */
  adminUser: string;
  agentVersion: string;
  startedAtMs: number;
  state: () => AgentLifecycleState;
  inventory: () => Promise<HostInventory>;
  samples: (sinceMs?: number) => MetricsSample[];
  /** The head's registry; undefined on an agent without the head role. */
  cluster: ClusterApi | undefined;
  /**
   * The head's users, projects and invites; undefined on an agent without the head role,
   * where the client token is the only user token (the configured admin's).
   */
  projects: ProjectServices | undefined;
  /** This worker's block store and its way to other workers; undefined without the worker role. */
  blocks?: PipelineHost | undefined;
  /** The head's filesystem; undefined without the head role. */
  filesystem?: FilesystemServices | undefined;
  /** The head's job queue and schedules; undefined without the head role. */
  jobs?: JobServices | undefined;
  /** The jobs this worker runs; undefined without the worker role. */
  workerJobs?: WorkerJobs | undefined;
  log: AgentLog;
}

/** Which routes a listener declares (see the module comment). */
export type RouteSet = 'all' | 'client' | 'cluster';

export interface AgentServerOptions {
  /** Default `all`. */
  routes?: RouteSet;
  /** Serve HTTPS, requiring a client certificate of this CA (the cluster listener). */
  tls?: ClusterTlsMaterial;
}

/**
 * How long a request may take to arrive whole, headers and body; routes that stream
 * their body (file content, blocks) have an idle deadline of their own instead.
 */
const bodyDeadlineMs = 30_000;

/** How long WebSocket clients get to answer a close before they are cut off at shutdown. */
const socketCloseGraceMs = 1000;

/** Refused TLS handshakes are logged at most this often, so a scanner cannot flood the log. */
const handshakeLogEveryMs = 10_000;

/** Builds the agent's fastify instance with the routes of `options.routes` declared; does not listen. */
export function buildAgentServer(deps: AgentServerDeps, options: AgentServerOptions = {}): FastifyInstance {
  const routeSet = options.routes ?? 'all';
  const audiences: Audiences = { client: routeSet !== 'cluster', cluster: routeSet !== 'client' };
  const settings = {
    // The agent logs through its own JSON logger, never request headers (tokens).
    logger: false,
    bodyLimit: limits.maxAgentBodyBytes,
    routerOptions: { maxParamLength: 4 * limits.maxNameLength },
    // Node's requestTimeout would cut off long uploads; `bodyDeadline` below does its job
    // for every route but the streaming ones.
    requestTimeout: 0,
    exposeHeadRoutes: false,
    // While closing, requests on open connections are still answered normally rather than
    // with fastify's own 503 body, which is not a WireError.
    return503OnClosing: false,
  };
  // Routes never touch the raw server, so an HTTPS instance is used through the same type.
  const app = options.tls === undefined ? Fastify(settings) : (Fastify({ ...settings, https: clusterServerTls(options.tls) }) as unknown as FastifyInstance);
  if (options.tls !== undefined) logRefusedHandshakes(app, deps.log);
  app.setValidatorCompiler(typeboxValidator);
  app.setErrorHandler(errorHandler(deps.log));
  app.setNotFoundHandler(async (request) => {
    throw new HopsError('NOT_FOUND', `The agent has no route ${request.method} ${request.url.split('?')[0]}.`, {
      hint: 'Check that the desktop and the agent are the same version.',
    });
  });

  // Route pattern → the credential it takes. Unknown paths take either token, so that
  // without one nobody learns which paths exist. On the cluster listener an agent's
  // certificate goes with the cluster token only, whatever the route, and a desktop's
  // with a user's token on the content routes only.
  const tokenKinds = new Map<string, TokenKind>();
  const protect = (url: string, kind: TokenKind): string => {
    tokenKinds.set(url, kind);
    return url;
  };
  const tokenFor = (request: FastifyRequest): TokenKind => {
    const url = request.routeOptions.url;
    if (routeSet !== 'cluster') return tokenKinds.get(url ?? '') ?? 'any';
    if (!peerIsDesktop(request.raw.socket)) return 'cluster';
    if (contentRouteKeys.has(`${request.method} ${url ?? ''}`)) return 'client';
    throw new HopsError('UNAUTHORIZED', `A desktop's certificate opens only the file content routes of the cluster listener, not ${request.method} ${url ?? 'this path'}.`, {
      hint: 'Everything else goes through the head\'s client API, over SSH.',
    });
  };
  // The events WebSocket is a client route; the cluster listener has no use for upgrades.
  if (audiences.client) registerWebsocket(app);
  const credentials = credentialsOf(deps);
  app.decorateRequest('user', null);
  bodyDeadline(app);
  // Added once the WebSocket plugin is in, so that its own onRequest hook (which marks
  // upgrade requests, so that the socket of a refused upgrade is closed) runs first.
  app.after(() => {
    app.addHook('onRequest', async (request) => authenticate(request, tokenFor(request), credentials));
  });
  app.register(async (scope) => {
    helloRoute(scope, deps, protect);
    if (audiences.client) hostRoutes(scope, deps, protect);
    if (deps.cluster === undefined) {
      noHeadRoutes(scope, deps.hostId, protect, audiences);
    } else {
      if (audiences.cluster) memberRoutes(scope, deps.cluster, protect, deps.jobs?.jobs);
      if (audiences.client) headClientRoutes(scope, deps.cluster, deps.log, protect, deps.jobs?.jobs);
    }
    if (audiences.client) {
      if (deps.projects === undefined) noHeadProjectRoutes(scope, deps.hostId, protect);
      else headProjectRoutes(scope, deps.projects, protect);
      if (deps.filesystem === undefined) noHeadFsRoutes(scope, deps.hostId, protect);
      else headFsRoutes(scope, deps.filesystem, protect);
      if (deps.jobs === undefined) noHeadJobRoutes(scope, deps.hostId, protect);
      else headJobRoutes(scope, deps.jobs, protect);
    }
    if (audiences.cluster) {
      if (deps.blocks !== undefined) workerBlockRoutes(scope, deps.blocks, protect);
      if (deps.filesystem !== undefined) {
        headBlockRoutes(scope, deps.filesystem.blockMap, protect);
        if (!audiences.client) {
          checkPathRulesFirst(scope);
          headContentRoutes(scope, { transfers: deps.filesystem.transfers, sessions: deps.filesystem.uploads.sessions }, protect);
        }
      }
      missingRoleBlockRoutes(scope, deps.hostId, protect, { worker: deps.blocks === undefined, head: deps.filesystem === undefined });
      if (deps.workerJobs === undefined) noWorkerJobRoutes(scope, deps.hostId, protect);
      else workerJobRoutesOf(scope, deps.workerJobs, protect);
    }
  });
  return app;
}

/**
 * Gives every request `bodyDeadlineMs` from its first byte to its handler (body read),
 * as Node's requestTimeout would, except routes that stream their body. A request past
 * the deadline has its connection closed.
 */
function bodyDeadline(app: FastifyInstance): void {
  const timers = new WeakMap<object, NodeJS.Timeout>();
  const clear = async (request: { raw: object }): Promise<void> => {
    clearTimeout(timers.get(request.raw));
    timers.delete(request.raw);
  };
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.streamsBody === true) return;
    const timer = setTimeout(() => request.raw.destroy(), bodyDeadlineMs);
    timer.unref();
    timers.set(request.raw, timer);
  });
  app.addHook('preHandler', clear);
  app.addHook('onResponse', clear);
  app.addHook('onRequestAbort', clear);
}

/** What credentials are checked against: the head's users, or without them the configured admin's client token. */
function credentialsOf(deps: AgentServerDeps): Credentials {
  const { projects } = deps;
  if (projects !== undefined) {
    return {
      clusterToken: deps.tokens.cluster,
      userOf: (token) => projects.users.authenticate(token),
      checkInvite: (code) => projects.invites.check(code),
    };
  }
  const admin = { name: deps.adminUser, admin: true, createdAtMs: deps.startedAtMs };
  return { clusterToken: deps.tokens.cluster, userOf: configuredAdmin(deps.tokens.client, admin), checkInvite: undefined };
}

function registerWebsocket(app: FastifyInstance): void {
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
}

/**
 * A peer without a certificate of the cluster CA never reaches a route; say so in the
 * log (why a worker cannot join is otherwise invisible on the head), now and then.
 */
function logRefusedHandshakes(app: FastifyInstance, log: AgentLog): void {
  let lastLoggedMs = 0;
  let unlogged = 0;
  app.server.on('tlsClientError', (err: Error, socket: { remoteAddress?: string }) => {
    const nowMs = Date.now();
    if (nowMs - lastLoggedMs < handshakeLogEveryMs) {
      unlogged += 1;
      return;
    }
    // OpenSSL's message is "<id>:error:<code>:SSL routines:<function>:<reason>:<file>:<line>:".
    const reason = /SSL routines:[^:]*:([^:]+):/.exec(err.message)?.[1] ?? err.message.trim();
    const code = (err as NodeJS.ErrnoException).code;
    log.warn('TLS handshake refused on the cluster listener', { remote: socket.remoteAddress, reason, code, alsoRefusedSinceLastLine: unlogged });
    lastLoggedMs = nowMs;
    unlogged = 0;
  });
}
