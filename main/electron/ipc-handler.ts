/**
 * The handler behind every `hops:<method>` IPC channel: check the sender, then dispatch to
 * the core. Errors travel as a value (`{ok: false, error}`) because Electron reduces a
 * thrown error to its message on the way to the renderer, losing code and hint.
 */
import { HopsError, toWireError } from '../../protocol/errors.ts';
import type { IpcReply } from '../../protocol/wire.ts';
import type { InvokeFacts } from './sender.ts';

export type Dispatch = (method: string, params: unknown) => Promise<unknown>;

/**
 * The `ipcMain.handle` callback for `method`. A caller that fails `senderProblem` gets a
 * thrown error and no reply: it is not our page, so it gets no help either.
 */
export function createIpcHandler<E extends InvokeFacts>(
  method: string,
  dispatch: Dispatch,
  senderProblem: (event: E) => string | undefined,
): (event: E, params: unknown) => Promise<IpcReply> {
  return async (event, params) => {
    const problem = senderProblem(event);
    if (problem !== undefined) throw new HopsError('FORBIDDEN_ORIGIN', `Refused ${method}: ${problem}.`);
    try {
      return { ok: true, value: await dispatch(method, params) };
    } catch (err) {
      return { ok: false, error: toWireError(err) };
    }
  };
}
