import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { endGroup, groupMembers, parseProcStat, parseRssBytes, readProcStat } from './proc-group.ts';

test('a stat line is read from its last parenthesis, whatever the command name holds', () => {
  const line = '4242 (my (odd) job) S 1 4242 4242 0 -1 4194560 120 0 0 0 37 5 0 0 20 0 1 0 98765 1234567 321 18446744073709551615';
  assert.deepEqual(parseProcStat(4242, line), { pid: 4242, state: 'S', pgid: 4242, cpuTicks: 42, startTicks: 98765 });
  assert.equal(parseProcStat(1, 'garbage'), undefined);
  assert.equal(parseProcStat(1, '1 (x) S 1 nope'), undefined);
});

test('resident memory comes from VmRSS in kB; a process without one has none', () => {
  assert.equal(parseRssBytes('Name:\tpython3\nVmRSS:\t   10240 kB\nThreads:\t1\n'), 10240 * 1024);
  assert.equal(parseRssBytes('Name:\tkthreadd\n'), 0);
});

test('a group is seen in /proc and ended whole', async () => {
  const child = spawn('sh', ['-c', 'sleep 60 & sleep 60 & wait'], { detached: true, stdio: 'ignore' });
  const pgid = child.pid!;
  const own = await readProcStat(pgid);
  assert.equal(own?.pgid, pgid);
  const deadline = Date.now() + 5000;
  while ((await groupMembers(pgid)).length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal((await groupMembers(pgid)).length, 3);
  assert.equal(await endGroup(pgid, 1000), true);
  assert.deepEqual(await groupMembers(pgid), []);
  await assert.rejects(endGroup(0, 10), /not a process group id/);
});
