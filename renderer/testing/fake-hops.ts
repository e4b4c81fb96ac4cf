/**
 * A `HopsApi` for tests: each method answers from a table the test fills in (or fails), every
 * call is recorded, and events can be emitted by hand.
 */
import type { EventName, EventPayload, HopsApi, MethodName } from '../../protocol/desktop-api.ts';
import { listMethods } from '../../protocol/desktop-api.ts';

type Answer = (params: unknown) => unknown;

export interface FakeHops {
  api: HopsApi;
  calls: Array<{ method: MethodName; params: unknown }>;
  answer(method: MethodName, answer: Answer): void;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  listenerCount(): number;
}

export function fakeHops(): FakeHops {
  const answers = new Map<MethodName, Answer>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const calls: FakeHops['calls'] = [];
  const api: Record<string, unknown> = {
    on(event: string, listener: (payload: unknown) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  for (const { name } of listMethods()) {
    const [ns, key] = name.split('.') as [string, string];
    const group = (api[ns] ??= {}) as Record<string, (params: unknown) => Promise<unknown>>;
    group[key] = async (params) => {
      calls.push({ method: name, params });
      const answer = answers.get(name);
      if (answer === undefined) throw Object.assign(new Error(`${name} has no answer in this test`), { code: 'INTERNAL', hint: 'test' });
      return answer(params);
    };
  }
  return {
    api: api as unknown as HopsApi,
    calls,
    answer: (method, answer) => answers.set(method, answer),
    emit: (event, payload) => {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
  };
}

/** Lets pending promise callbacks run. */
export const flush = () => new Promise((resolve) => setImmediate(resolve));
