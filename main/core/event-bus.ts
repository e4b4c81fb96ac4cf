/** Fan-out of desktop events to every connected front end. */
import type { EventName, EventPayload } from '../../protocol/desktop-api.ts';
import type { CoreEventListener } from './core.ts';

export class EventBus {
  private readonly listeners = new Set<CoreEventListener>();

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: CoreEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers an event to every listener; one failing listener does not starve the rest. */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch {
        // A broken front end must not stop the others from hearing about the cluster.
      }
    }
  }
}
