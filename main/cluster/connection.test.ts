/**
 * A frozen local agent is noticed: a real agent process is stopped with SIGSTOP, the
 * connection's pings go unanswered and it turns `reconnecting` with the cause; no second
 * agent is started while the first one holds its data directory; SIGCONT brings the
 * connection back to `connected`, with the same agent.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Connection } from '../../protocol/desktop-api.ts';
import { compileCoreOptions } from '../core/options.ts';
import { ClusterConnection } from './connection.ts';
import { LocalAgent } from './local-agent.ts';

const dir = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-connection-'));
const config = compileCoreOptions({ mode: 'cli', workspaceDir: dir });
const lines: string[] = [];
const agent = new LocalAgent({ dir: path.join(dir, 'agent'), nodePath: config.nodePath, bundlePath: config.agentBundlePath, log: (line) => lines.push(line) });
const states: Connection[] = [];
const waiters: Array<{ check: (c: Connection) => boolean; resolve: (c: Connection) => void }> = [];
const connection = new ClusterConnection({
  cluster: 'local',
  resolveEndpoint: () => agent.connectOrStart(),
  onState: (state) => {
    states.push(state);
    for (const waiter of [...waiters]) {
      if (waiter.check(state)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(state);
      }
    }
  },
  onHosts: () => undefined,
  onMetrics: () => undefined,
  log: (line) => lines.push(line),
  liveness: { pingEveryMs: 300, pongWithinMs: 700 },
});

/** The next state for which `check` holds (the current one included). */
function stateWhere(check: (c: Connection) => boolean, what: string, withinMs = 30_000): Promise<Connection> {
  if (check(connection.connection)) return Promise.resolve(connection.connection);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${withinMs} ms; states: ${JSON.stringify(states.slice(-5))}`)), withinMs);
    waiters.push({ check, resolve: (c) => (clearTimeout(timer), resolve(c)) });
  });
}

const agentPid = async (): Promise<number> => (JSON.parse(await readFile(path.join(dir, 'agent', 'run.json'), 'utf8')) as { pid: number }).pid;
let frozen: number | undefined;

after(async () => {
  if (frozen !== undefined) process.kill(frozen, 'SIGCONT');
  connection.stop();
  await agent.stop();
  await rm(dir, { recursive: true, force: true });
});

test('a frozen local agent turns the connection to reconnecting with the cause, is not started twice, and is connected again once resumed', async () => {
  await connection.start();
  await stateWhere((c) => c.state === 'connected', 'connection');
  const pid = await agentPid();
  const starts = () => lines.filter((line) => line.startsWith('starting the local agent')).length;
  assert.equal(starts(), 1);

  process.kill(pid, 'SIGSTOP');
  frozen = pid;
  const lost = await stateWhere((c) => c.state === 'reconnecting', 'reconnecting');
  assert.match(lost.detail, /answered no ping within 0\.7 s/);
  // The next attempts find the agent alive but silent: they wait for it and say so.
  const waiting = await stateWhere((c) => /AGENT_NOT_RESPONDING|does not answer/.test(c.detail), 'a detail naming the frozen agent');
  assert.equal(waiting.state, 'reconnecting');
  assert.match(waiting.detail, new RegExp(`pid ${pid}\\) is running but does not answer`));
  assert.equal(starts(), 1, 'no second agent was started while the first one was frozen');

  process.kill(pid, 'SIGCONT');
  frozen = undefined;
  await stateWhere((c) => c.state === 'connected', 'connected again');
  assert.equal(await agentPid(), pid, 'the same agent, resumed');
  assert.equal(starts(), 1);
});
