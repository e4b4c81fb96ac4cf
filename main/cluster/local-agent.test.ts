/**
 * The local agent stops with the process that started it, however that process ends: a
 * desktop killed or crashed leaves no agent running behind it. It runs with the Node
 * options every agent runs with.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { agentNodeOptions } from '../../protocol/agent-api.ts';

const dir = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-local-agent-'));
after(() => rm(dir, { recursive: true, force: true }));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('an agent whose desktop is killed with SIGKILL stops by itself, cleanly', async () => {
  const parent = spawn(process.execPath, [path.join(import.meta.dirname, '..', 'testing', 'local-agent-parent.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: parent.stdout! }), 'line')) as [string];
  const agentPid = Number(line);
  assert.ok(alive(agentPid), 'the agent runs');
  const commandLine = (await readFile(`/proc/${agentPid}/cmdline`, 'utf8')).split('\0');
  for (const option of agentNodeOptions) assert.ok(commandLine.includes(option), `the agent runs with ${option}: ${commandLine.join(' ')}`);
  parent.kill('SIGKILL');
  await once(parent, 'exit');
  const deadline = Date.now() + 20_000;
  while (alive(agentPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(alive(agentPid), false, 'the agent outlived its desktop');
  const log = await readFile(path.join(dir, 'agent.log'), 'utf8');
  assert.match(log, /"msg":"stopping","signal":"supervisor gone"/);
  assert.match(log, /"msg":"exit","state":"stopped"/);
});
