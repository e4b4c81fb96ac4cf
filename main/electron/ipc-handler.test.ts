import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HopsError } from '../../protocol/errors.ts';
import { createIpcHandler } from './ipc-handler.ts';
import type { InvokeFacts } from './sender.ts';

const event: InvokeFacts = { sender: { id: 1 }, senderFrame: null };
const trusted = () => undefined;

test('a trusted call gets the core’s value as {ok: true}', async () => {
  const calls: unknown[] = [];
  const handler = createIpcHandler('layout.get', async (method, params) => {
    calls.push([method, params]);
    return { activeView: 'jobs' };
  }, trusted);
  assert.deepEqual(await handler(event, { x: 1 }), { ok: true, value: { activeView: 'jobs' } });
  assert.deepEqual(calls, [['layout.get', { x: 1 }]]);
});

test('core errors come back as a value with code, hint and field intact', async () => {
  const handler = createIpcHandler('settings.update', async () => {
    throw new HopsError('VALIDATION', 'Invalid settings.update request: /theme — bad.', { field: '/theme' });
  }, trusted);
  assert.deepEqual(await handler(event, {}), {
    ok: false,
    error: { code: 'VALIDATION', message: 'Invalid settings.update request: /theme — bad.', hint: 'Check the named field and try again.', field: '/theme' },
  });
});

test('unexpected errors become INTERNAL without a stack', async () => {
  const handler = createIpcHandler('app.info', async () => {
    throw new TypeError('boom');
  }, trusted);
  const reply = await handler(event, {});
  assert.equal(reply.ok, false);
  assert.ok(!reply.ok);
  assert.equal(reply.error.code, 'INTERNAL');
  assert.equal(reply.error.message, 'boom');
  assert.equal('stack' in reply.error, false);
});

test('an untrusted sender is refused before the core is reached', async () => {
  let reached = false;
  const handler = createIpcHandler('app.info', async () => {
    reached = true;
    return {};
  }, () => 'the call came from a subframe');
  await assert.rejects(handler(event, {}), (err: unknown) => err instanceof HopsError && err.code === 'FORBIDDEN_ORIGIN' && /subframe/.test(err.message));
  assert.equal(reached, false);
});
