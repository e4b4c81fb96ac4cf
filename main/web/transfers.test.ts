import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { HopsError } from '../../protocol/errors.ts';
import type { FileStat } from '../../protocol/fs.ts';
import type { StreamTransfers, StreamUpload } from '../cluster/stream-transfers.ts';
import { startWebServer, type WebServer } from './server.ts';
import { attachmentHeader, downloadAllowed, parseTransferQuery } from './transfers.ts';

describe('transfer route checks', () => {
  it('take a valid path, cluster, transfer id and overwrite; name the field of a bad one', () => {
    assert.deepEqual(parseTransferQuery({ path: '/Projects/p/d/a', cluster: 'local', transferId: 'abc', overwrite: 'true' }), {
      cluster: 'local',
      path: '/Projects/p/d/a',
      transferId: 'abc',
      overwrite: true,
    });
    assert.match(parseTransferQuery({ path: '/Projects/p/d/a' }).transferId, /^[0-9a-f]{32}$/);
    const fieldOf = (query: unknown) => {
      try {
        parseTransferQuery(query);
      } catch (err) {
        return [(err as HopsError).code, (err as HopsError).field];
      }
      return null;
    };
    assert.deepEqual(fieldOf({ path: '/Projects/p/../etc' }), ['PATH_INVALID', '/path']);
    assert.deepEqual(fieldOf({}), ['VALIDATION', '/path']);
    assert.deepEqual(fieldOf({ path: '/Projects/p/d/a', cluster: '../x' }), ['VALIDATION', '/cluster']);
    assert.deepEqual(fieldOf({ path: '/Projects/p/d/a', transferId: 'a b' }), ['VALIDATION', '/transferId']);
    assert.deepEqual(fieldOf({ path: ['/a', '/b'] }), ['VALIDATION', '/path']);
    assert.deepEqual(fieldOf({ path: '/Projects/p/d/a', what: '1' }), ['VALIDATION', '/what']);
  });

  it('name the file in full UTF-8 and safely in ASCII', () => {
    assert.equal(attachmentHeader('résumé "1".pdf'), `attachment; filename="r_sum_ _1_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%221%22.pdf`);
  });

  it('serve downloads to our pages and the user’s own navigations only', () => {
    assert.equal(downloadAllowed({}, 8080), true);
    assert.equal(downloadAllowed({ 'sec-fetch-site': 'same-origin' }, 8080), true);
    assert.equal(downloadAllowed({ 'sec-fetch-site': 'cross-site' }, 8080), false);
    assert.equal(downloadAllowed({ origin: 'http://evil.example' }, 8080), false);
  });
});

describe('transfer routes on the web server', () => {
  let server: WebServer;
  let dir: string;
  const received: Array<{ request: StreamUpload; bytes: Buffer }> = [];
  const streams: StreamTransfers = {
    async upload(request, body) {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      const bytes = Buffer.concat(chunks);
      received.push({ request, bytes });
      if (request.path.endsWith('/taken')) throw new HopsError('PATH_EXISTS', `${request.path} exists.`);
      return { path: request.path, name: 'a', type: 'file', size: bytes.length, replication: 1, blockSize: 4096, mtimeMs: 1, complete: true, createdBy: 'ana' } satisfies FileStat;
    },
    async download(request) {
      if (request.path.endsWith('/missing')) throw new HopsError('PATH_NOT_FOUND', `${request.path} does not exist.`);
      return { size: 5, stream: Readable.from([Buffer.from('hello')]) };
    },
    cancel: () => false,
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'web-transfers-'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html>');
    server = await startWebServer({ core: { dispatch: async () => ({}), subscribe: () => () => undefined, streams }, rendererDir: dir, port: 0, token: 't'.repeat(43) });
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const base = () => `http://127.0.0.1:${server.port}`;
  const auth = () => ({ authorization: `Bearer ${server.token}` });

  it('stream an upload from our page to the core and answer with the file', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024, 7);
    const response = await fetch(`${base()}/transfer/upload?path=/Projects/p/d/big&transferId=t1`, {
      method: 'PUT',
      headers: { ...auth(), origin: base(), 'content-type': 'application/octet-stream' },
      body,
    });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as FileStat).size, body.length);
    const last = received.at(-1)!;
    assert.equal(last.request.transferId, 't1');
    assert.equal(last.request.contentLength, body.length);
    assert.ok(last.bytes.equals(body));
  });

  it('refuse an upload without our Origin or token, and pass the head’s refusal on', async () => {
    const put = (headers: Record<string, string>, where = '/Projects/p/d/a') =>
      fetch(`${base()}/transfer/upload?path=${where}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', ...headers }, body: 'x' });
    assert.equal((await put(auth())).status, 403);
    assert.equal((await put({ ...auth(), origin: 'http://evil.example' })).status, 403);
    assert.equal((await put({ origin: base() })).status, 401);
    const taken = await put({ ...auth(), origin: base() }, '/Projects/p/d/taken');
    assert.equal(taken.status, 409);
    assert.equal(((await taken.json()) as { code: string }).code, 'PATH_EXISTS');
    const bad = await put({ ...auth(), origin: base() }, '/Projects/p/d/../x');
    assert.equal(bad.status, 400);
  });

  it('send a download as an attachment, and a missing file as its error', async () => {
    const response = await fetch(`${base()}/transfer/download?path=/Projects/p/d/report.csv`, { headers: auth() });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-disposition'), `attachment; filename="report.csv"; filename*=UTF-8''report.csv`);
    assert.equal(await response.text(), 'hello');
    const missing = await fetch(`${base()}/transfer/download?path=/Projects/p/d/missing`, { headers: auth() });
    assert.equal(missing.status, 404);
    const cross = await fetch(`${base()}/transfer/download?path=/Projects/p/d/a`, { headers: { ...auth(), 'sec-fetch-site': 'cross-site' } });
    assert.equal(cross.status, 403);
  });
});
