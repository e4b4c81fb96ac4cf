/**
 * How the agent's HTTP API fails: request parts validated against the shared TypeBox
 * schemas (the error names the offending field as a JSON pointer), and every error,
 * fastify's own included, answered as a `WireError` JSON body with the registry's
 * status and never a stack trace.
 */
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { HopsError, errorCodes, type WireError } from '../../protocol/errors.ts';
import { limits } from '../../protocol/limits.ts';
import { projectRoutes } from '../../protocol/projects.ts';
import type { AgentLog } from '../log.ts';

const partNames: Record<string, string> = {
  body: 'request body',
  querystring: 'query string',
  params: 'path',
  headers: 'headers',
};

/**
 * Fastify validator compiler over TypeBox. Query strings and path parameters arrive as
 * text, so they are converted to the schema's types first; bodies are checked as sent.
 */
export const typeboxValidator: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const checker = TypeCompiler.Compile(schema);
  const converts = httpPart === 'querystring' || httpPart === 'params';
  return (data: unknown) => {
    const value = converts ? Value.Convert(schema, data) : data;
    if (checker.Check(value)) return { value };
    const first = checker.Errors(value).First();
    const part = partNames[httpPart ?? 'body'] ?? 'request';
    const field = first?.path ?? '';
    const where = field === '' ? `the ${part}` : `field "${field}" of the ${part}`;
    const message = `Invalid ${where}: ${first?.message ?? 'invalid value'}.`;
    return { error: new HopsError('VALIDATION', message, field === '' ? {} : { field }) };
  };
};

/** Maps anything a route or fastify throws to a status and a wire error. */
function toHttpError(err: unknown): { status: number; wire: WireError; unexpected: boolean } {
  if (err instanceof HopsError) return { status: err.status, wire: err.toWire(), unexpected: false };
  const fastifyError = err as Partial<FastifyError>;
  const status = fastifyError.statusCode;
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
    const wire = new HopsError('PAYLOAD_TOO_LARGE', `The request body is larger than the agent accepts (${limits.maxAgentBodyBytes} bytes).`).toWire();
    return { status: errorCodes.PAYLOAD_TOO_LARGE.status, wire, unexpected: false };
  }
  if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const wire = new HopsError('VALIDATION', 'The request body must be JSON (Content-Type: application/json).').toWire();
    return { status: errorCodes.VALIDATION.status, wire, unexpected: false };
  }
  if (status !== undefined && status >= 400 && status < 500) {
    // Fastify's client errors (malformed JSON, empty body…) describe the request, not the agent.
    const wire = new HopsError('VALIDATION', `The request is malformed: ${fastifyError.message ?? 'unreadable'}.`).toWire();
    return { status: errorCodes.VALIDATION.status, wire, unexpected: false };
  }
  const wire = new HopsError('INTERNAL', 'The agent failed while handling this request; its log has the details.').toWire();
  return { status: errorCodes.INTERNAL.status, wire, unexpected: true };
}

/** The path a request was routed to, without its query string (which is never logged). */
function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? request.url.split('?')[0] ?? '';
}

/** Fastify error handler: logs (without headers or query strings) and replies with a wire error. */
export function errorHandler(log: AgentLog) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const { status, wire, unexpected } = toHttpError(err);
    const fields = { method: request.method, route: routeOf(request), status, code: wire.code, remote: request.ip };
    if (unexpected) log.error('request failed', { ...fields, err });
    else log.write(status === 401 ? 'warn' : 'info', 'request refused', { ...fields, message: wire.message });
    // Redeeming an invite is the one route that takes another scheme than Bearer.
    if (status === 401) reply.header('www-authenticate', routeOf(request) === projectRoutes.redeem ? 'Invite' : 'Bearer');
    // A user's refused upload was not read to its end, and their client may wait with it
    // half-sent (the agent has no request timeout, for the sake of long uploads): close
    // the connection once the answer is out. Agents abort their own uploads when
    // refused, and closing under them would race their writes with the answer.
    if (!request.raw.complete && request.user !== null) reply.header('connection', 'close');
    return reply.code(status).send(wire);
  };
}
