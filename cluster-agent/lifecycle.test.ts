import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lifecycle } from './lifecycle.ts';
import { memoryLog } from './testing/helpers.ts';

test('walks initialized → starting → running → stopping → stopped, logging each step', () => {
  const log = memoryLog();
  const lifecycle = new Lifecycle(log);
  assert.equal(lifecycle.state, 'initialized');
  for (const to of ['starting', 'running', 'stopping', 'stopped'] as const) lifecycle.moveTo(to);
  assert.equal(lifecycle.state, 'stopped');
  const steps = log.entries().map(({ level, msg, from, to }) => ({ level, msg, from, to }));
  assert.deepEqual(steps, [
    { level: 'info', msg: 'state', from: 'initialized', to: 'starting' },
    { level: 'info', msg: 'state', from: 'starting', to: 'running' },
    { level: 'info', msg: 'state', from: 'running', to: 'stopping' },
    { level: 'info', msg: 'state', from: 'stopping', to: 'stopped' },
  ]);
  assert.ok(log.entries().every((entry) => typeof entry['t'] === 'string'));
});

test('refuses illegal transitions and leaves the state unchanged', () => {
  const lifecycle = new Lifecycle(memoryLog());
  assert.throws(() => lifecycle.moveTo('running'), /Illegal agent state transition initialized → running/);
  assert.equal(lifecycle.state, 'initialized');
  lifecycle.moveTo('starting');
  assert.throws(() => lifecycle.moveTo('stopped'), /starting → stopped/);
  assert.equal(lifecycle.canMoveTo('failed'), true);
});

test('failed and stopped are final', () => {
  const log = memoryLog();
  const lifecycle = new Lifecycle(log);
  lifecycle.moveTo('starting');
  lifecycle.moveTo('failed');
  assert.equal(log.entries().at(-1)?.['level'], 'error');
  for (const to of ['initialized', 'starting', 'running', 'stopping', 'stopped', 'failed'] as const) {
    assert.equal(lifecycle.canMoveTo(to), false, `failed → ${to}`);
  }
});
