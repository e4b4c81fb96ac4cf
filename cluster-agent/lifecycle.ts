/**
 * The agent's lifecycle as an explicit state machine, in the manner of Temporal's
 * worker: `initialized → starting → running → stopping → stopped`, with `failed`
 * reachable from any live state. Transitions are guarded (an illegal one throws) and
 * each is logged as one line.
 */
import type { AgentLifecycleState } from '../protocol/agent-api.ts';
import type { AgentLog } from './log.ts';

const allowed: Record<AgentLifecycleState, readonly AgentLifecycleState[]> = {
  initialized: ['starting'],
  starting: ['running', 'failed'],
  running: ['stopping', 'failed'],
  stopping: ['stopped', 'failed'],
  stopped: [],
  failed: [],
};

/** The current state of one agent and the only way to change it. */
export class Lifecycle {
  private current: AgentLifecycleState = 'initialized';
  private readonly log: AgentLog;

  constructor(log: AgentLog) {
    this.log = log;
  }

  /** The state the agent is in now. */
  get state(): AgentLifecycleState {
    return this.current;
  }

  /** Whether `to` is a legal next state. */
  canMoveTo(to: AgentLifecycleState): boolean {
    return allowed[this.current].includes(to);
  }

  /** Moves to `to` and logs it; throws on a transition the machine does not allow. */
  moveTo(to: AgentLifecycleState): void {
    const from = this.current;
    if (!this.canMoveTo(to)) {
      throw new Error(`Illegal agent state transition ${from} → ${to}.`);
    }
    this.current = to;
    this.log.write(to === 'failed' ? 'error' : 'info', 'state', { from, to });
  }
}
