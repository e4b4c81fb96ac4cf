/**
 * The desktop's transfers against a real head (in-process, its own disk for blocks),
 * reached through a TCP relay the test can cut as a dropped tunnel would: uploads and
 * downloads resume where the head says, cancelling leaves nothing behind, and range reads
 * return just the bytes asked for.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EventPayload } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { fsRoutes } from '../../protocol/fs.ts';
import { TestCluster } from '../../cluster-agent/testing/fs-cluster.ts';
import { tempDir, testTokens } from '../../cluster-agent/testing/helpers.ts';
import { Relay } from '../testing/relay.ts';
import { readRange, Transfers, type HeadLink } from './transfers.ts';

type TransferEvent = EventPayload<'transfer.progress'>;
const KiB = 1024;
const blockSize = 64 * KiB;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('desktop transfers', () => {
  let cluster: TestCluster;
  let remove: () => Promise<void>;
  let dir: string;
  let relay: Relay;
  let link: HeadLink;
  const events: TransferEvent[] = [];
  const transfers = new Transfers((event) => events.push(event), { resumeWithinMs: 20_000, stallMs: 5_000 });

  before(async () => {
    const temp = await tempDir();
    remove = temp.remove;
    dir = temp.dir;
    cluster = new TestCluster(path.join(dir, 'cluster'));
    await cluster.start(0);
    await cluster.ok('POST', '/v1/projects', { json: { name: 'alpha' } });
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/alpha/data' } });
    relay = new Relay(cluster.head.handle.port);
    const endpoint = { baseUrl: `http://127.0.0.1:${await relay.listen()}`, token: testTokens.client };
    // As the cluster connection does: unavailable while the link is down, the same endpoint once back.
    link = {
      async endpoint(withinMs) {
        const deadline = Date.now() + withinMs;
        while (relay.cut) {
          if (Date.now() > deadline) throw new HopsError('AGENT_UNREACHABLE', 'the relay is cut');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return endpoint;
      },
    };
  });
  after(async () => {
    relay.close();
    await cluster.stop();
    await remove();
  });

  /** Cuts the relay once `atBytes` more passed, and restores it 300 ms after the transfer noticed. */
  function cutOnce(transferId: string, atBytes: number): void {
    relay.dropAfter(atBytes);
    const watch = setInterval(() => {
      if (!events.some((e) => e.transferId === transferId && e.state === 'retrying')) return;
      clearInterval(watch);
      setTimeout(() => (relay.cut = false), 300);
    }, 5);
  }

  /** Cuts the relay once `atBytes` more passed, and waits until `transferId` reported the drop. */
  async function cutAndWait(transferId: string, atBytes: number): Promise<void> {
    relay.dropAfter(atBytes);
    while (!events.some((e) => e.transferId === transferId && e.state === 'retrying')) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  test('an upload cut midway resumes at the committed bytes and the file is whole', async () => {
    const bytes = randomBytes(48 * blockSize + 321);
    const local = path.join(dir, 'up.bin');
    await writeFile(local, bytes);
    cutOnce('up-1', 20 * blockSize);
    const stat = await transfers.upload(link, { path: '/Projects/alpha/data/up.bin', localFile: local, blockSize, transferId: 'up-1' });
    assert.equal(stat.size, bytes.length);
    const mine = events.filter((e) => e.transferId === 'up-1');
    const retrying = mine.findIndex((e) => e.state === 'retrying');
    assert.ok(retrying > 0, 'the drop was reported');
    const resumedAt = mine[retrying + 1]!;
    assert.equal(resumedAt.state, 'running');
    assert.equal(resumedAt.bytesDone % blockSize, 0, 'it resumed on a block boundary');
    assert.ok(resumedAt.bytesDone <= mine[retrying]!.bytesDone);
    assert.equal(mine.at(-1)!.state, 'done');
    assert.equal(sha256(await cluster.read('/Projects/alpha/data/up.bin')), sha256(bytes));
  });

  test('a download cut midway goes on with a range read and the copy is equal', async () => {
    const local = path.join(dir, 'down.bin');
    cutOnce('down-1', 20 * blockSize);
    const bytes = await transfers.download(link, { path: '/Projects/alpha/data/up.bin', localFile: local, transferId: 'down-1' });
    const mine = events.filter((e) => e.transferId === 'down-1');
    assert.ok(mine.some((e) => e.state === 'retrying'), 'the drop was reported');
    assert.equal(bytes, (await readFile(local)).length);
    assert.equal(sha256(await readFile(local)), sha256(await cluster.read('/Projects/alpha/data/up.bin')));
    assert.ok(!existsSync(`${local}.hopsdesk-partial`));
  });

  test('a cancelled upload leaves no file and no session; a cancelled download no partial file', async () => {
    const local = path.join(dir, 'cancel.bin');
    await writeFile(local, randomBytes(64 * blockSize));
    // Once the upload noticed the cut, the link is back but the transfer is cancelled before it resumes.
    const cut = cutAndWait('c-1', 8 * blockSize);
    const upload = transfers.upload(link, { path: '/Projects/alpha/data/cancel.bin', localFile: local, blockSize, transferId: 'c-1' });
    await cut;
    relay.cut = false;
    transfers.cancel('c-1');
    await assert.rejects(upload, (err: HopsError) => err.code === 'TRANSFER_CANCELLED');
    assert.equal(events.filter((e) => e.transferId === 'c-1').at(-1)!.state, 'cancelled');
    assert.equal((await cluster.call('GET', fsRoutes.stat, { query: { path: '/Projects/alpha/data/cancel.bin' } })).status, 404);
    assert.throws(() => transfers.cancel('c-1'), (err: HopsError) => err.code === 'TRANSFER_NOT_FOUND');

    const into = path.join(dir, 'cancelled-download.bin');
    const cutDownload = cutAndWait('c-2', 8 * blockSize);
    const download = transfers.download(link, { path: '/Projects/alpha/data/up.bin', localFile: into, transferId: 'c-2' });
    await cutDownload;
    relay.cut = false;
    transfers.cancel('c-2');
    await assert.rejects(download, (err: HopsError) => err.code === 'TRANSFER_CANCELLED');
    assert.ok(!existsSync(into) && !existsSync(`${into}.hopsdesk-partial`));
  });

  test('readRange returns the first or last bytes asked for, and refuses a range past the end', async () => {
    const whole = await cluster.read('/Projects/alpha/data/up.bin');
    const endpoint = await link.endpoint(1000, new AbortController().signal);
    const first = await readRange(endpoint, '/Projects/alpha/data/up.bin', { offset: 0, length: 100 });
    assert.deepEqual([first.offset, first.fileSize, sha256(first.bytes)], [0, whole.length, sha256(whole.subarray(0, 100))]);
    const last = await readRange(endpoint, '/Projects/alpha/data/up.bin', { lastBytes: blockSize + 7 });
    assert.equal(sha256(last.bytes), sha256(whole.subarray(whole.length - blockSize - 7)));
    await assert.rejects(readRange(endpoint, '/Projects/alpha/data/up.bin', { offset: whole.length + 1, length: 1 }), (err: HopsError) => err.code === 'RANGE_NOT_SATISFIABLE');
    await assert.rejects(readRange(endpoint, '/Projects/alpha/data/up.bin', { offset: 0, length: 65 * 1024 * 1024 }), (err: HopsError) => err.code === 'VALIDATION');
  });
});
