import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventPayload } from '../../protocol/desktop-api.ts';
import type { Core } from '../core/core.ts';
import { parseSize } from './format.ts';
import { progressLine, watchTransfers } from './transfer-progress.ts';

type TransferEvent = EventPayload<'transfer.progress'>;
const MiB = 1024 * 1024;
const event = (state: TransferEvent['state'], bytesDone: number): TransferEvent => ({
  transferId: 't1',
  direction: 'upload',
  path: '/Projects/p/d/big.bin',
  localFile: '/tmp/big.bin',
  bytesDone,
  bytesTotal: 200 * MiB,
  state,
});

/** A core that only publishes the events a test feeds it and records what is dispatched. */
function fakeCore(): { core: Core; publish: (payload: TransferEvent) => void; dispatched: Array<[string, unknown]> } {
  const listeners = new Set<(name: string, payload: unknown) => void>();
  const dispatched: Array<[string, unknown]> = [];
  const core = {
    subscribe: (listener: (name: string, payload: unknown) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispatch: async (method: string, params: unknown) => {
      dispatched.push([method, params]);
      return {};
    },
  } as unknown as Core;
  return { core, publish: (payload) => listeners.forEach((l) => l('transfer.progress', payload)), dispatched };
}

test('the progress line shows bytes, percent, rate and time left', () => {
  const line = progressLine(event('running', 50 * MiB), { startedMs: 0, startBytes: 0 }, 10_000);
  assert.equal(line, '↑ /Projects/p/d/big.bin 25%  50.0 MiB of 200.0 MiB  5.0 MiB/s  30s left');
});

test('an interruption is told with its reason, its resume with the bytes that go again; Ctrl-C cancels the transfer', () => {
  const { core, publish, dispatched } = fakeCore();
  const written: string[] = [];
  const watch = watchTransfers(core, { tty: false, write: (text) => written.push(text) });
  try {
    publish(event('running', 0));
    publish(event('running', 96 * MiB));
    publish({ ...event('retrying', 96 * MiB), reason: 'Cannot reach the head at http://127.0.0.1:4100: no byte moved for 20 s.' });
    publish(event('running', 88 * MiB));
    assert.deepEqual(written, [
      `↑ /Projects/p/d/big.bin: interrupted at byte ${96 * MiB} (96.0 MiB): Cannot reach the head at http://127.0.0.1:4100: no byte moved for 20 s; waiting to resume…\n`,
      `↑ /Projects/p/d/big.bin: resuming at byte ${88 * MiB} (88.0 MiB); ${8 * MiB} bytes (8.0 MiB) go again\n`,
    ]);
    process.emit('SIGINT');
    assert.deepEqual(dispatched, [['transfer.cancel', { transferId: 't1' }]]);
  } finally {
    watch.stop();
  }
});

test('sizes take binary and decimal units, and nothing else', () => {
  assert.deepEqual(['8MiB', '8M', '1.5GiB', '2GB', '4096', 'none', '1.5', '-1', '8 XB'].map(parseSize), [
    8 * MiB,
    8 * MiB,
    1.5 * 1024 * MiB,
    2e9,
    4096,
    undefined,
    undefined,
    undefined,
    undefined,
  ]);
});
