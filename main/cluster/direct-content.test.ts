/**
 * File content beside the tunnel, against a real head (in-process) with its mutual-TLS
 * cluster listener: a desktop holding a certificate of the cluster CA sends and fetches
 * content there, and only the small JSON calls pass the tunnel (a counting relay); when
 * the listener cannot be reached, or the certificate is not the head's, the same
 * transfers go through the tunnel and end the same.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fsRoutes } from '../../protocol/fs.ts';
import { TestCluster } from '../../cluster-agent/testing/fs-cluster.ts';
import { tempDir, testTokens } from '../../cluster-agent/testing/helpers.ts';
import { Relay } from '../testing/relay.ts';
import type { AgentEndpoint } from './agent-client.ts';
import type { DirectContent } from './direct-content.ts';
import { Transfers, fixedLink } from './transfers.ts';

const MiB = 1024 * 1024;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('file content straight to the head', () => {
  let cluster: TestCluster;
  let remove: () => Promise<void>;
  let dir: string;
  let tunnel: Relay;
  let tunnelUrl: string;
  const transfers = new Transfers(() => undefined, { resumeWithinMs: 10_000, stallMs: 5_000 });

  before(async () => {
    const temp = await tempDir();
    remove = temp.remove;
    dir = temp.dir;
    cluster = new TestCluster(path.join(dir, 'cluster'));
    await cluster.start(0);
    await cluster.ok('POST', '/v1/projects', { json: { name: 'alpha' } });
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/alpha/data' } });
    tunnel = new Relay(cluster.head.handle.port);
    tunnelUrl = `http://127.0.0.1:${await tunnel.listen()}`;
  });
  after(async () => {
    tunnel.close();
    await cluster.stop();
    await remove();
  });

  /** Puts 4 MiB and gets it back through `direct`; the bytes that passed the tunnel meanwhile. */
  async function roundTrip(name: string, direct: DirectContent): Promise<number> {
    const endpoint: AgentEndpoint = { baseUrl: tunnelUrl, token: testTokens.client, direct };
    const bytes = randomBytes(4 * MiB);
    const local = path.join(dir, `${name}.bin`);
    await writeFile(local, bytes);
    const before = tunnel.bytes;
    const file = `/Projects/alpha/data/${name}.bin`;
    const stat = await transfers.upload(fixedLink(endpoint), { path: file, localFile: local, blockSize: MiB });
    assert.equal(stat.size, bytes.length);
    const back = path.join(dir, `${name}.back`);
    assert.equal(await transfers.download(fixedLink(endpoint), { path: file, localFile: back }), bytes.length);
    assert.equal(sha256(await readFile(back)), sha256(bytes), 'the file reads back whole');
    return tunnel.bytes - before;
  }

  test('with a desktop certificate, the content bypasses the tunnel', async () => {
    const passed = await roundTrip('direct', cluster.desktopAccess());
    // Opening the session, its status, completing and the stat: a few KiB of JSON.
    assert.ok(passed < 64 * 1024, `${passed} bytes went through the tunnel`);
  });

  test('a listener that cannot be reached leaves the content to the tunnel', async () => {
    const passed = await roundTrip('fallback', { ...cluster.desktopAccess(), port: await closedPort() });
    assert.ok(passed > 8 * MiB, `only ${passed} bytes went through the tunnel`);
  });

  test('a listener whose certificate is not the head\'s is not sent a byte', async () => {
    const passed = await roundTrip('not-the-head', { ...cluster.desktopAccess(), headHostId: 'another-head' });
    assert.ok(passed > 8 * MiB, `only ${passed} bytes went through the tunnel`);
  });
});
