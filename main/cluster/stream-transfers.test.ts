import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { EventPayload } from '../../protocol/desktop-api.ts';
import { EventBus } from '../core/event-bus.ts';
import { createStreamTransfers } from './stream-transfers.ts';

/** A stand-in for the head's content route: keeps what is PUT, serves it back, refuses "taken". */
const stored = new Map<string, Buffer>();
const head = http.createServer(async (request, response) => {
  const url = new URL(request.url!, 'http://x');
  const path = url.searchParams.get('path')!;
  if (request.headers.authorization !== 'Bearer head-token') return response.writeHead(401).end();
  if (request.method === 'PUT') {
    if (path.endsWith('/taken')) {
      response.writeHead(409, { 'content-type': 'application/json' });
      return response.end(JSON.stringify({ code: 'PATH_EXISTS', message: `${path} exists.`, hint: 'Choose another name.' }));
    }
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of request) chunks.push(chunk as Buffer);
    } catch {
      return;
    }
    stored.set(path, Buffer.concat(chunks));
    response.writeHead(200, { 'content-type': 'application/json' });
    return response.end(JSON.stringify({ path, size: Buffer.concat(chunks).length }));
  }
  const bytes = stored.get(path);
  if (bytes === undefined) {
    response.writeHead(404, { 'content-type': 'application/json' });
    return response.end(JSON.stringify({ code: 'PATH_NOT_FOUND', message: `${path} does not exist.`, hint: 'Check the path.' }));
  }
  response.writeHead(200, { 'content-length': bytes.length });
  response.end(bytes);
});

let transfers: ReturnType<typeof createStreamTransfers>;
const events: Array<EventPayload<'transfer.progress'>> = [];

before(async () => {
  await new Promise<void>((resolve) => head.listen(0, '127.0.0.1', resolve));
  const endpoint = { baseUrl: `http://127.0.0.1:${(head.address() as AddressInfo).port}`, token: 'head-token' };
  const bus = new EventBus();
  bus.subscribe((event, payload) => {
    if (event === 'transfer.progress') events.push(payload as EventPayload<'transfer.progress'>);
  });
  transfers = createStreamTransfers({ ready: async () => ({ client: () => ({ endpoint }) }) as never }, bus);
});
after(() => new Promise<void>((resolve) => head.close(() => resolve())));

const statesOf = (transferId: string) => events.filter((e) => e.transferId === transferId).map((e) => e.state);

describe('streamed transfers', () => {
  it('stream a body to the head and back, with progress under the given id', async () => {
    const bytes = Buffer.alloc(2 * 1024 * 1024 + 3, 9);
    const stat = await transfers.upload({ path: '/Projects/p/d/a', transferId: 'up1', contentLength: bytes.length }, Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]));
    assert.equal(stat.size, bytes.length);
    assert.ok(stored.get('/Projects/p/d/a')!.equals(bytes));
    assert.deepEqual([statesOf('up1')[0], statesOf('up1').at(-1)], ['running', 'done']);
    assert.equal(events.filter((e) => e.transferId === 'up1').at(-1)!.bytesDone, bytes.length);

    const opened = await transfers.download({ path: '/Projects/p/d/a', transferId: 'down1' });
    assert.equal(opened.size, bytes.length);
    const chunks: Buffer[] = [];
    for await (const chunk of opened.stream) chunks.push(chunk as Buffer);
    assert.ok(Buffer.concat(chunks).equals(bytes));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(statesOf('down1').at(-1), 'done');
  });

  it('pass the head’s refusal on with its code, and mark the transfer failed', async () => {
    await assert.rejects(transfers.upload({ path: '/Projects/p/d/taken', transferId: 'up2' }, Readable.from([Buffer.from('x')])), { code: 'PATH_EXISTS' });
    assert.equal(statesOf('up2').at(-1), 'failed');
    await assert.rejects(transfers.download({ path: '/Projects/p/d/none', transferId: 'down2' }), { code: 'PATH_NOT_FOUND' });
  });

  it('call an upload whose sender went away cancelled, and keep nothing of it', async () => {
    const body = new PassThrough();
    const upload = transfers.upload({ path: '/Projects/p/d/cut', transferId: 'up3', contentLength: 100 }, body);
    body.write(Buffer.alloc(10));
    setTimeout(() => body.destroy(new Error('browser tab closed')), 50);
    await assert.rejects(upload, { code: 'TRANSFER_CANCELLED' });
    assert.equal(statesOf('up3').at(-1), 'cancelled');
    assert.equal(stored.has('/Projects/p/d/cut'), false);
  });

  it('stop an upload on transfer.cancel by its id: refused as cancelled, nothing kept, the id free again', async () => {
    const body = new PassThrough();
    const upload = transfers.upload({ path: '/Projects/p/d/stopped', transferId: 'up4', contentLength: 1_000_000 }, body);
    body.write(Buffer.alloc(64 * 1024));
    await until(() => statesOf('up4').includes('running'));
    assert.equal(transfers.cancel('up4'), true);
    await assert.rejects(upload, { code: 'TRANSFER_CANCELLED', message: /upload of \/Projects\/p\/d\/stopped was cancelled/ });
    assert.equal(statesOf('up4').at(-1), 'cancelled');
    assert.equal(stored.has('/Projects/p/d/stopped'), false);
    assert.equal(transfers.cancel('up4'), false, 'an ended transfer is no longer known');
    assert.equal(transfers.cancel('no-such-transfer'), false);
  });

  it('stop a download on transfer.cancel: its stream ends short with the cause', async () => {
    stored.set('/Projects/p/d/big', Buffer.alloc(16 * 1024 * 1024, 7));
    const opened = await transfers.download({ path: '/Projects/p/d/big', transferId: 'down4' });
    assert.equal(transfers.cancel('down4'), true);
    let received = 0;
    await assert.rejects(
      (async () => {
        for await (const chunk of opened.stream) received += (chunk as Buffer).length;
      })(),
      { code: 'TRANSFER_CANCELLED' },
    );
    assert.ok(received < 16 * 1024 * 1024, `${received} bytes arrived`);
    await until(() => statesOf('down4').at(-1) === 'cancelled');
    assert.equal(transfers.cancel('down4'), false);
  });
});

/** Waits, a turn at a time, until `check` holds (at most 5 s). */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
