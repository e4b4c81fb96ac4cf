/**
 * The filesystem's path rules, checked before a route's schema. The schemas bound a path
 * at 8192 characters only to bound the work of reading a request; a path past that has
 * broken a path rule long before, and the rule is what the user can act on ("a name is
 * at most 255 bytes"), not the schema's bound. So every path field of a `/v1/fs/` route
 * is checked against the rules first (`fsPathProblem`, which names a name too long before
 * the whole path's length: it is the part to shorten).
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { HopsError } from '../../protocol/errors.ts';
import { fsPathProblem } from '../../protocol/fs.ts';

/** Request fields that hold a filesystem path. */
const pathFields = ['path', 'from', 'to'] as const;

/** Throws `PATH_INVALID` for the first path field of `source` that breaks a rule. */
function checkPathFields(source: unknown, at: string): void {
  if (typeof source !== 'object' || source === null) return;
  for (const field of pathFields) {
    const value = (source as Record<string, unknown>)[field];
    if (typeof value !== 'string') continue;
    const problem = fsPathProblem(value);
    if (problem !== undefined) throw new HopsError('PATH_INVALID', problem.message, { field: `${at}/${field}` });
  }
}

async function pathRulesFirst(request: FastifyRequest): Promise<void> {
  checkPathFields(request.query, '');
  // A streamed body (content, blocks) is a stream here, not an object with fields.
  if (request.headers['content-type']?.startsWith('application/json') === true) checkPathFields(request.body, '');
}

/** Makes every `/v1/fs/` route declared on `app` from now on check its path fields before its schema. */
export function checkPathRulesFirst(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith('/v1/fs/')) return;
    const hooks = route.preValidation === undefined ? [] : Array.isArray(route.preValidation) ? route.preValidation : [route.preValidation];
    route.preValidation = [pathRulesFirst, ...hooks];
  });
}
