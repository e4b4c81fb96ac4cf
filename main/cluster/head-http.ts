/**
 * Reading the head's answers to the raw `http` requests that stream file content (the
 * agent client's JSON calls cannot stream): the body of a short reply, and errors as the
 * desktop reports them.
 */
import type http from 'node:http';
import { HopsError, type WireError } from '../../protocol/errors.ts';
import type { AgentEndpoint } from './agent-client.ts';

export function responseOf(request: http.ClientRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request.once('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 500, body }));
      response.on('error', reject);
    });
    request.once('error', reject);
  });
}

export function wireError(status: number, body: string, what: string): HopsError {
  try {
    const wire = JSON.parse(body) as Partial<WireError>;
    if (typeof wire.code === 'string' && typeof wire.message === 'string') {
      return HopsError.fromWire({ code: wire.code, message: wire.message, hint: wire.hint ?? '', ...(wire.field === undefined ? {} : { field: wire.field }) } as WireError);
    }
  } catch {
    // Not one of ours; the status says enough.
  }
  return new HopsError('AGENT_UNREACHABLE', `The head answered ${status} for ${what}.`);
}

/** A transport failure as the desktop reports it; `where` names what was dialled when it was not `endpoint.baseUrl`. */
export function unreachable(endpoint: AgentEndpoint, err: Error, where = endpoint.baseUrl): HopsError {
  if (err instanceof HopsError) return err;
  const cause = err.cause instanceof Error ? err.cause.message : err.message;
  return new HopsError('AGENT_UNREACHABLE', `Cannot reach the head at ${where}: ${cause}.`, { cause: err });
}
