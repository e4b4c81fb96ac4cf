/**
 * The one generic dispatcher behind every transport (IPC, WebSocket, CLI): it looks the
 * method up in the contract, enforces the size limit, validates the params against the
 * method's schema and only then calls the handler.
 */
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import { listMethods, type DesktopHandlers, type MethodName } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { limits } from '../../protocol/limits.ts';

export type Dispatch = (method: string, params: unknown) => Promise<unknown>;

const checks: ReadonlyMap<string, TypeCheck<TSchema>> = new Map(
  listMethods().map(({ name, spec }) => [name, TypeCompiler.Compile(spec.params)]),
);

/** Builds `dispatch` over a full set of handlers; schemas are compiled once per process. */
export function createDispatcher(handlers: DesktopHandlers): Dispatch {
  return async (method, params) => {
    const check = typeof method === 'string' ? checks.get(method) : undefined;
    if (!check) {
      throw new HopsError('UNKNOWN_METHOD', `Unknown method "${String(method).slice(0, 80)}".`);
    }
    const input = params === undefined ? {} : params;
    assertSize(input);
    if (!check.Check(input)) {
      const first = check.Errors(input).First();
      const field = first?.path || '/';
      throw new HopsError('VALIDATION', `Invalid ${method} request: ${field} — ${first?.message ?? 'invalid value'}.`, {
        field,
      });
    }
    const handler = handlers[method as MethodName] as (p: unknown) => Promise<unknown>;
    return handler(input);
  };
}

function assertSize(input: unknown): void {
  let size: number;
  try {
    size = JSON.stringify(input)?.length ?? 0;
  } catch {
    throw new HopsError('VALIDATION', 'Request parameters must be plain JSON data.', { field: '/' });
  }
  if (size > limits.maxRequestBytes) {
    throw new HopsError(
      'PAYLOAD_TOO_LARGE',
      `Request of ${size} bytes exceeds the ${limits.maxRequestBytes}-byte limit.`,
    );
  }
}
