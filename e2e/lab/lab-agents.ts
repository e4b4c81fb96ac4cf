/**
 * What lab tests do to the agents on their hosts, and how they wait for what follows:
 * find an agent's pid, signal it and wait for its supervisor's next one, poll until
 * something is true.
 */
import assert from 'node:assert/strict';
import type { LabHost } from './lab.ts';

/** Polls `probe` until it returns a value; the deadline only bounds a broken run. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 300): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let problem = '';
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      problem = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  assert.fail(`${what} did not happen within ${timeoutMs} ms${problem ? ` (last problem: ${problem})` : ''}`);
}

/** The pid of the agent running on `host`, from its run file. */
export async function agentPid(host: LabHost): Promise<number> {
  const run = await host.run('cat ~/.hopsdesk/data/run.json');
  assert.equal(run.code, 0, `${host.name} has a running agent: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { pid: number }).pid;
}

/** Signals a host's agent; its supervisor starts a new one. Resolves once the new agent's run file is there, with when the signal was sent. */
export async function restartAgent(host: LabHost, signal: 'TERM' | 'KILL'): Promise<{ signalledAtMs: number }> {
  const old = await agentPid(host);
  const killed = await host.run(`kill -${signal} ${old}`);
  const signalledAtMs = Date.now();
  assert.equal(killed.code, 0, killed.stderr);
  await until(`a new agent on ${host.name}`, async () => {
    const now = await host.run('cat ~/.hopsdesk/data/run.json 2>/dev/null');
    const pid = now.code === 0 && now.stdout.trim() ? (JSON.parse(now.stdout) as { pid: number }).pid : old;
    return pid === old ? undefined : pid;
  }, 30_000);
  return { signalledAtMs };
}

/**
 * Changes a host's agent configuration as an operator would: `jq` on its config file, then a
 * restart through its supervisor. `filter` is a jq program, e.g. `.deadHostAfterMs = 10000`.
 */
export async function reconfigureAgent(host: LabHost, filter: string): Promise<void> {
  const edited = await host.run(`cd ~/.hopsdesk/etc && umask 077 && jq '${filter}' agent.json > agent.json.next && mv agent.json.next agent.json`);
  assert.equal(edited.code, 0, edited.stderr);
  await restartAgent(host, 'TERM');
}
