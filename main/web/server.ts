/**
 * Web mode: the same renderer bundle and desktop API, served on 127.0.0.1 for a browser.
 * Every request needs the per-run token (as the session cookie or a bearer header) and a
 * loopback Host; WebSocket upgrades also need our own Origin.
 */
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { contentSecurityPolicy } from '../../protocol/content-security-policy.ts';
import { HopsError } from '../../protocol/errors.ts';
import { limits } from '../../protocol/limits.ts';
import type { Core } from '../core/core.ts';
import { cookieName, hostAllowed, newSessionToken, originAllowed, presentedToken, tokensEqual } from './auth.ts';
import { serveSocket } from './socket.ts';
import { registerTransferRoutes } from './transfers.ts';

export interface WebServerOptions {
  /** With `streams`, the server also carries file uploads and downloads (`transfers.ts`). */
  core: Pick<Core, 'dispatch' | 'subscribe'> & Partial<Pick<Core, 'streams'>>;
  rendererDir: string;
  host?: string;
  port: number;
  /** Fixed token for tests; a fresh random one otherwise. */
  token?: string;
}

export interface WebServer {
  /** The URL to open: carries the token once, which the page trades for a cookie. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}


/** Starts the web-mode server and resolves once it listens. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  if (!existsSync(path.join(options.rendererDir, 'index.html'))) {
    throw new HopsError('WORKSPACE_INVALID', `The renderer bundle is missing at ${options.rendererDir}.`, {
      hint: 'Run `npm run build` first (`npm start` does it for you).',
    });
  }
  const token = options.token ?? newSessionToken();
  const state = { port: 0 };
  const app = buildWebApp(options, token, () => state.port);
  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port });
  const address = app.server.address();
  state.port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${state.port}/?token=${token}`,
    port: state.port,
    token,
    close: () => app.close(),
  };
}

function buildWebApp(options: WebServerOptions, token: string, port: () => number): FastifyInstance {
  // On quit, open connections (a browser tab's socket, a stuck client) must not hold the app.
  const app = Fastify({ logger: false, bodyLimit: limits.maxRequestBytes, forceCloseConnections: true });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('content-security-policy', contentSecurityPolicy);
    if (!hostAllowed(request.headers.host, port())) return deny(request, reply, 'FORBIDDEN_ORIGIN', 'Unexpected Host header.');
    const url = new URL(request.url, 'http://127.0.0.1');
    const offered = url.searchParams.get('token') ?? undefined;
    if (url.pathname === '/' && offered !== undefined) {
      if (!tokensEqual(offered, token)) return deny(request, reply, 'UNAUTHORIZED', 'The token in this URL is not valid.');
      // Trade the URL token for an HttpOnly cookie, and drop it from the address bar.
      reply.header('set-cookie', `${cookieName(port())}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      return reply.redirect('/', 303);
    }
    if (!tokensEqual(presentedToken(request.headers, port()), token)) {
      return deny(request, reply, 'UNAUTHORIZED', 'This Hopsdesk page needs the token from the URL printed at start-up.');
    }
    if (url.pathname === '/ws' && !originAllowed(request.headers.origin, port())) {
      return deny(request, reply, 'FORBIDDEN_ORIGIN', 'WebSocket connections are accepted only from Hopsdesk pages.');
    }
  });

  app.register(fastifyWebsocket, { options: { maxPayload: limits.maxRequestBytes } });
  app.register(async (scope) => {
    scope.get('/ws', { websocket: true }, (socket) => serveSocket(socket, options.core));
  });
  if (options.core.streams !== undefined) registerTransferRoutes(app, options.core.streams, port);
  app.register(fastifyStatic, { root: options.rendererDir, index: 'index.html', cacheControl: false });
  app.setNotFoundHandler((request, reply) => deny(request, reply, 'NOT_FOUND', `Nothing at ${request.url.split('?')[0]}.`));
  return app;
}

function deny(request: FastifyRequest, reply: FastifyReply, code: 'UNAUTHORIZED' | 'FORBIDDEN_ORIGIN' | 'NOT_FOUND', message: string) {
  const error = new HopsError(code, message);
  if (request.headers.upgrade) {
    // A refused upgrade is no longer tracked as an HTTP connection: end it ourselves, or it
    // lingers and holds the server open at quit.
    reply.header('connection', 'close');
    reply.raw.once('finish', () => request.raw.socket.destroy());
  }
  return reply.code(error.status).type('application/json').send(error.toWire());
}
