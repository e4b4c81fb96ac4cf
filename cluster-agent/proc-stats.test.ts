import { test } from 'node:test';
import assert from 'node:assert/strict';
import type os from 'node:os';
import { cpuBusyPct, cpuTimesFromOs, parseMeminfo, parseProcStat, readCpuTimes, readMemory } from './proc-stats.ts';

const stat = (line: string) => `${line}\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 12345\nctxt 999\n`;

test('parses the aggregate cpu line, counting iowait as idle and guest time once', () => {
  //          user nice system idle iowait irq softirq steal guest guest_nice
  const times = parseProcStat(stat('cpu  100 10 50 800 40 0 0 0 30 0'));
  assert.deepEqual(times, { busy: 160, total: 1000 });
  assert.equal(parseProcStat('intr 1 2 3'), undefined);
  assert.equal(parseProcStat('cpu  a b c d'), undefined);
});

test('busy share is the busy delta over the total delta', () => {
  const before = parseProcStat(stat('cpu  100 0 100 800 0 0 0 0 0 0'));
  const after = parseProcStat(stat('cpu  250 0 150 900 100 0 0 0 0 0'));
  assert.ok(before && after);
  // busy +200, total +400
  assert.equal(cpuBusyPct(before, after), 50);
  assert.equal(cpuBusyPct(after, after), 0, 'no time passed');
  assert.equal(cpuBusyPct(after, before), 0, 'counters went backwards (reset)');
  assert.equal(cpuBusyPct({ busy: 0, total: 0 }, { busy: 5, total: 4 }), 100, 'clamped');
});

test('falls back to os.cpus() times', () => {
  const cpu = (user: number, idle: number): os.CpuInfo => ({ model: 'x', speed: 1, times: { user, nice: 0, sys: 10, idle, irq: 0 } });
  assert.deepEqual(cpuTimesFromOs([cpu(30, 60), cpu(10, 80)]), { busy: 60, total: 200 });
});

test('memory used is MemTotal − MemAvailable', () => {
  const text = 'MemTotal:       24576000 kB\nMemFree:         1000000 kB\nMemAvailable:   20480000 kB\nBuffers: 1 kB\n';
  assert.deepEqual(parseMeminfo(text), { totalBytes: 24576000 * 1024, usedBytes: 4096000 * 1024 });
  assert.equal(parseMeminfo('MemTotal: 1 kB\n'), undefined, 'kernels before 3.14 lack MemAvailable');
});

test('reads this machine', async () => {
  const times = await readCpuTimes();
  assert.ok(times.total > 0 && times.busy >= 0 && times.busy <= times.total);
  const memory = await readMemory();
  assert.ok(memory.totalBytes > 0 && memory.usedBytes > 0 && memory.usedBytes <= memory.totalBytes);
});
