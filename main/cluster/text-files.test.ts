/**
 * The editor's reads and saves against a real head (in-process, its own disk for blocks):
 * text comes back as written, byte for byte; saves replace a file only whole; binary and
 * oversized files are refused; a save on an outdated version is a conflict.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HopsError, type ErrorCode } from '../../protocol/errors.ts';
import { fsRoutes } from '../../protocol/fs.ts';
import { textFileLimits } from '../../protocol/text-files.ts';
import { TestCluster } from '../../cluster-agent/testing/fs-cluster.ts';
import { tempDir, testTokens } from '../../cluster-agent/testing/helpers.ts';
import { Scratch } from '../previews/scratch.ts';
import type { AgentEndpoint } from './agent-client.ts';
import { readTextFile, writeTextFile } from './text-files.ts';
import { StagedTexts, textOf } from './text-files-staging.ts';
import { fixedLink } from './transfers.ts';

const refusedWith = (code: ErrorCode) => (err: unknown) => {
  assert.ok(err instanceof HopsError, String(err));
  assert.equal(err.code, code, err.message);
  return true;
};

describe('text files of the cluster', () => {
  let cluster: TestCluster;
  let remove: () => Promise<void>;
  let endpoint: AgentEndpoint;
  let scratch: Scratch;

  before(async () => {
    const temp = await tempDir();
    remove = temp.remove;
    cluster = new TestCluster(path.join(temp.dir, 'cluster'));
    await cluster.start(0);
    await cluster.ok('POST', '/v1/projects', { json: { name: 'alpha' } });
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/alpha/code' } });
    endpoint = { baseUrl: `http://127.0.0.1:${cluster.head.handle.port}`, token: testTokens.client };
    scratch = new Scratch(path.join(temp.dir, 'workspace'));
  });
  after(async () => {
    scratch.close();
    await cluster.stop();
    await remove();
  });

  test('a saved file reads back as written, with its language and version', async () => {
    const text = 'import torch\nprint("héllo, 世界 🐧")\n';
    const saved = await writeTextFile(fixedLink(endpoint), '/Projects/alpha/code/train.py', text, { scratch, baseMtimeMs: null });
    assert.equal(saved.size, Buffer.byteLength(text));
    const read = await readTextFile(endpoint, '/Projects/alpha/code/train.py');
    assert.deepEqual(read, { path: '/Projects/alpha/code/train.py', text, mtimeMs: saved.mtimeMs, size: saved.size, language: 'python' });
    assert.deepEqual(await cluster.read('/Projects/alpha/code/train.py'), Buffer.from(text));
  });

  test('a save on the version read replaces the file; one on an older version is a conflict', async () => {
    const file = '/Projects/alpha/code/job.sh';
    const first = await writeTextFile(fixedLink(endpoint), file, 'echo one\n', { scratch });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await writeTextFile(fixedLink(endpoint), file, 'echo two\n', { scratch, baseMtimeMs: first.mtimeMs });
    assert.ok(second.mtimeMs > first.mtimeMs);
    await assert.rejects(writeTextFile(fixedLink(endpoint), file, 'echo stale\n', { scratch, baseMtimeMs: first.mtimeMs }), refusedWith('FILE_CHANGED'));
    await assert.rejects(writeTextFile(fixedLink(endpoint), file, 'echo new\n', { scratch, baseMtimeMs: null }), refusedWith('FILE_CHANGED'));
    assert.equal((await readTextFile(endpoint, file)).text, 'echo two\n', 'the refused saves changed nothing');
    // Save anyway: no version given.
    await writeTextFile(fixedLink(endpoint), file, 'echo mine\n', { scratch });
    assert.equal((await readTextFile(endpoint, file)).text, 'echo mine\n');
  });

  test('binary, oversized and missing files are refused with what to do', async () => {
    await cluster.put('/Projects/alpha/code/model.bin', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0xff]));
    await assert.rejects(readTextFile(endpoint, '/Projects/alpha/code/model.bin'), refusedWith('NOT_TEXT'));
    await cluster.put('/Projects/alpha/code/cut.txt', Buffer.from('ab\xe2\x82', 'latin1'));
    await assert.rejects(readTextFile(endpoint, '/Projects/alpha/code/cut.txt'), refusedWith('NOT_TEXT'));
    await cluster.put('/Projects/alpha/code/big.txt', Buffer.alloc(textFileLimits.maxBytes + 1, 0x61));
    await assert.rejects(readTextFile(endpoint, '/Projects/alpha/code/big.txt'), refusedWith('TEXT_FILE_TOO_LARGE'));
    await assert.rejects(readTextFile(endpoint, '/Projects/alpha/code/none.py'), refusedWith('PATH_NOT_FOUND'));
    await assert.rejects(readTextFile(endpoint, '/Projects/alpha/code'), refusedWith('NOT_A_FILE'));
    await assert.rejects(
      writeTextFile(fixedLink(endpoint), '/Projects/alpha/code/huge.txt', 'a'.repeat(textFileLimits.maxBytes + 1), { scratch }),
      refusedWith('TEXT_FILE_TOO_LARGE'),
    );
    await assert.rejects(readTextFile(endpoint, '/etc/passwd'), refusedWith('PATH_INVALID'));
  });

  test('a text staged in pieces saves whole', async () => {
    const staged = new StagedTexts();
    const text = 'x = 1\n'.repeat(20_000);
    let offset = 0;
    for (let i = 0; i < text.length; i += textFileLimits.maxPieceChars) {
      offset = staged.append('stage-test-1', offset, text.slice(i, i + textFileLimits.maxPieceChars));
    }
    const saved = await writeTextFile(fixedLink(endpoint), '/Projects/alpha/code/long.py', textOf(staged, { stageId: 'stage-test-1' }), { scratch });
    assert.equal(saved.size, text.length);
    assert.equal((await readTextFile(endpoint, '/Projects/alpha/code/long.py')).text, text);
    assert.throws(() => textOf(staged, { stageId: 'stage-test-1' }), refusedWith('STAGED_TEXT_NOT_FOUND'));
  });
});

test('staged texts: pieces in order, bounded, used once, dropped when old', () => {
  let now = 0;
  const staged = new StagedTexts(() => now);
  assert.equal(staged.append('s-00000001', 0, 'ab'), 2);
  assert.throws(() => staged.append('s-00000001', 1, 'c'), refusedWith('VALIDATION'));
  assert.throws(() => staged.append('s-00000002', 3, 'c'), refusedWith('STAGED_TEXT_NOT_FOUND'));
  assert.throws(() => textOf(staged, { text: 'a', stageId: 's-00000001' }), refusedWith('VALIDATION'));
  now += textFileLimits.stageTtlMs + 1;
  assert.throws(() => staged.take('s-00000001'), refusedWith('STAGED_TEXT_NOT_FOUND'));
  for (let i = 0; i < textFileLimits.maxStaged; i++) staged.append(`s-1000000${i}`, 0, 'x');
  assert.throws(() => staged.append('s-99999999', 0, 'x'), refusedWith('LIMIT_REACHED'));
});
