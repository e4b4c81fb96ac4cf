import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressPrinter } from './progress.ts';
import { accessFrom, hostSpecs } from './setup-commands.ts';

test('--label HOST=LABEL attaches labels to the host named by target or host part', () => {
  assert.deepEqual(hostSpecs(['a@head', 'b@gpu2:2222'], ['gpu2=infiniband', 'b@gpu2:2222=nvme', 'head=login']), [
    { target: 'a@head', labels: ['login'] },
    { target: 'b@gpu2:2222', labels: ['infiniband', 'nvme'] },
  ]);
  assert.throws(() => hostSpecs(['a@head'], ['other=x']), /HOST=LABEL with HOST one of the hosts/);
  assert.throws(() => hostSpecs(['a@head'], ['infiniband']), /HOST=LABEL/);
});

test('SSH flags become access settings; --trust-new and --accept-host-key exclude each other', async () => {
  assert.deepEqual(await accessFrom({ key: 'k', jump: 'u@bastion', 'accept-host-key': ['SHA256:a', 'SHA256:b'] }), {
    keyFile: 'k',
    jump: 'u@bastion',
    acceptHostKeys: ['SHA256:a', 'SHA256:b'],
  });
  await assert.rejects(accessFrom({ 'trust-new': true, 'accept-host-key': ['SHA256:a'] }), /not both/);
});

test('progress prints a line per change of phase and upload quarters, not per chunk', () => {
  const lines: string[] = [];
  const print = progressPrinter((line) => lines.push(line));
  const base = { cluster: 'lab', target: 'a@gpu1', hostId: 'gpu1', atMs: 0 };
  print({ ...base, phase: 'connecting', detail: 'logging in' });
  for (let done = 0; done <= 100; done += 5) print({ ...base, phase: 'uploading', detail: 'agent', bytesDone: done, bytesTotal: 100 });
  print({ ...base, phase: 'healthy', detail: 'healthy' });
  assert.deepEqual(
    lines.map((l) => l.replace(/\s+/g, ' ')),
    ['gpu1 connecting logging in', 'gpu1 uploading agent 0%', 'gpu1 uploading agent 25%', 'gpu1 uploading agent 50%', 'gpu1 uploading agent 75%', 'gpu1 uploading agent 100%', 'gpu1 healthy healthy'],
  );
});
