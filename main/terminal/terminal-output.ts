/**
 * A terminal's output as `terminal.output` events: what a shell writes in a burst goes out
 * as one event a few milliseconds later, so a screenful is not a thousand messages.
 */
import type { EventBus } from '../core/event-bus.ts';

/** Output gathered this long is sent as one event (about a frame at 120 Hz). */
const flushEveryMs = 8;

export interface TerminalOutput {
  /** Text to send; sent with what else comes within `flushEveryMs`. */
  push(text: string): void;
  /** Sends what is gathered now (before the terminal's exit is told). */
  flush(): void;
}

export function terminalOutput(bus: EventBus, terminalId: string): TerminalOutput {
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (pending === '') return;
    bus.emit('terminal.output', { terminalId, data: pending });
    pending = '';
  };
  return {
    push(text) {
      pending += text;
      timer ??= setTimeout(flush, flushEveryMs);
    },
    flush,
  };
}
