/**
 * The download's receiving end against a real HTTP server on loopback: a body arrives
 * whole at its offset, a refusal is read with its body, and an answer cut short, chunked
 * or stopped leaves only bytes that came, in order.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir } from '../../cluster-agent/testing/helpers.ts';
import { receiveFile, type ReceiveRequest } from './receive-file.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const body = randomBytes(5 * 1024 * 1024 + 12_345);

describe('receiving a file from the head', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let server: http.Server;
  let port: number;
  const seen: http.IncomingHttpHeaders[] = [];

  before(async () => {
    ({ dir, remove } = await tempDir());
    server = http.createServer((request, response) => {
      seen.push(request.headers);
      const url = new URL(request.url!, 'http://x');
      const what = url.pathname.slice(1);
      if (what === 'whole') return response.writeHead(200, { 'content-length': body.length }).end(body);
      if (what === 'refused') {
        const json = JSON.stringify({ error: { code: 'FORBIDDEN', message: 'needs read on alpha' } });
        return response.writeHead(403, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }).end(json);
      }
      if (what === 'chunked') return response.writeHead(200).end('some bytes');
      if (what === 'cut') {
        response.writeHead(200, { 'content-length': body.length });
        return response.write(body.subarray(0, 2 * 1024 * 1024 + 7), () => response.destroy());
      }
      if (what === 'slow') {
        response.writeHead(200, { 'content-length': body.length });
        return response.write(body.subarray(0, 1000));
      }
      response.writeHead(404, { 'content-length': 0 }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await remove();
  });

  /** Receives `/what` into a file that already holds `prefix`, from there on. */
  function receive(what: string, file: string, prefix: Buffer, more: Partial<ReceiveRequest> = {}) {
    const positions: number[] = [];
    const received = writeFile(file, prefix).then(() =>
      receiveFile({
        connect: async (onread) => {
          const socket = net.connect({ host: '127.0.0.1', port, onread });
          await new Promise((resolve) => socket.once('connect', resolve));
          return { socket, host: `127.0.0.1:${port}` };
        },
        target: `/${what}`,
        headers: { authorization: 'Bearer t0ken' },
        localFile: file,
        offset: prefix.length,
        onBytes: (position) => positions.push(position),
        ...more,
      }),
    );
    return { received, positions };
  }

  test('a body arrives whole after what the file held, reported in order', async () => {
    const file = path.join(dir, 'whole.bin');
    const prefix = Buffer.from('kept from before');
    const { received, positions } = receive('whole', file, prefix);
    assert.deepEqual(await received, { ok: true, length: body.length });
    assert.equal(sha256(await readFile(file)), sha256(Buffer.concat([prefix, body])));
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b), 'positions only grow');
    assert.equal(positions.at(-1), prefix.length + body.length);
    assert.equal(seen.at(-1)?.authorization, 'Bearer t0ken');
    assert.equal(seen.at(-1)?.connection, 'close');
  });

  test('a refusal comes back with its status and body, and the file is untouched', async () => {
    const file = path.join(dir, 'refused.bin');
    const { received } = receive('refused', file, Buffer.from('abc'));
    const answer = await received;
    assert.equal(answer.ok, false);
    assert.ok(!answer.ok && answer.status === 403 && answer.body.includes('needs read on alpha'));
    assert.equal(String(await readFile(file)), 'abc');
  });

  test('an answer cut short rejects, leaving exactly the bytes that came', async () => {
    const file = path.join(dir, 'cut.bin');
    const { received } = receive('cut', file, Buffer.alloc(0));
    await assert.rejects(received, /closed after \d+ of the \d+ bytes announced/);
    const kept = await readFile(file);
    assert.ok(kept.length > 0 && kept.length <= 2 * 1024 * 1024 + 7, `${kept.length} bytes kept`);
    assert.ok(kept.equals(body.subarray(0, kept.length)), 'what was kept is the start of the body, without a hole');
  });

  test('a chunked answer is refused by name', async () => {
    const { received } = receive('chunked', path.join(dir, 'chunked.bin'), Buffer.alloc(0));
    await assert.rejects(received, /answered with a chunked body/);
  });

  test('a stopped download rejects with the reason at once', async () => {
    const controller = new AbortController();
    const { received } = receive('slow', path.join(dir, 'slow.bin'), Buffer.alloc(0), { signal: controller.signal, onRead: () => controller.abort(new Error('stopped by the user')) });
    await assert.rejects(received, /stopped by the user/);
  });

  test('a header value with a line break is refused before anything is sent', async () => {
    const before = seen.length;
    const { received } = receive('whole', path.join(dir, 'bad.bin'), Buffer.alloc(0), { headers: { authorization: 'Bearer x\r\nx-evil: 1' } });
    await assert.rejects(received, /may not hold a line break/);
    assert.equal(seen.length, before);
  });
});
