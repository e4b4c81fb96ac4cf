/**
 * A follow's ends that the full cluster test does not reach: the cluster's connection
 * dropping mid-follow, and the head refusing the follow with its error. A plain WebSocket
 * server on loopback stands in for the head's follow route.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { WebSocketServer } from 'ws';
import type { EventPayload } from '../../protocol/desktop-api.ts';
import { EventBus } from '../core/event-bus.ts';
import { JobFollows } from './job-follows.ts';

let server: http.Server;
let baseUrl: string;

before(async () => {
  server = http.createServer();
  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    if (request.url?.includes('j-404')) {
      const body = JSON.stringify({ code: 'JOB_NOT_FOUND', message: 'There is no job j-404.', hint: 'List jobs.' });
      socket.end(`HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
      return;
    }
    // A job that runs on: one line, then silence.
    sockets.handleUpgrade(request, socket, head, (ws) => ws.send(JSON.stringify({ type: 'line', stream: 'stdout', line: 'epoch 1' })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

function collect(bus: EventBus) {
  const logs: Array<EventPayload<'job.log'>> = [];
  const ends: Array<EventPayload<'job.logEnd'>> = [];
  bus.subscribe((event, payload) => {
    if (event === 'job.log') logs.push(payload as EventPayload<'job.log'>);
    if (event === 'job.logEnd') ends.push(payload as EventPayload<'job.logEnd'>);
  });
  return { logs, ends };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('the cluster disconnecting ends its follows with the reason; an unfollow sends no end', async () => {
  const bus = new EventBus();
  const { logs, ends } = collect(bus);
  const follows = new JobFollows(bus);
  const { followId } = follows.start('lab', { baseUrl, token: 't' }, 'j-1');
  const other = follows.start('elsewhere', { baseUrl, token: 't' }, 'j-2');
  await until(() => logs.length === 2);
  bus.emit('connection.changed', { cluster: 'lab', connection: { state: 'reconnecting', detail: 'link down', sinceMs: Date.now() } });
  assert.deepEqual(logs.find((l) => l.followId === followId)?.lines, ['epoch 1']);
  assert.equal(ends.length, 1);
  assert.equal(ends[0]!.followId, followId);
  assert.match(ends[0]!.error!, /connection to cluster "lab" dropped \(link down\)/);
  // The other cluster's follow goes on until it is unfollowed, which sends no end.
  follows.stop(other.followId);
  follows.stop(other.followId);
  assert.equal(ends.length, 1);
});

test('a refused follow ends with the head’s own words', async () => {
  const bus = new EventBus();
  const { ends } = collect(bus);
  new JobFollows(bus).start('lab', { baseUrl, token: 't' }, 'j-404');
  await until(() => ends.length === 1);
  assert.equal(ends[0]!.error, 'There is no job j-404.');
});
