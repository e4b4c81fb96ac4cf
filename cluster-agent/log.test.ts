/**
 * The agent's log file: a turn's lines land together, in order, after the turn; an error
 * is on disk at once with every line before it; closing writes what waits; secrets never
 * reach the file.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { test } from 'node:test';
import { createAgentLog } from './log.ts';
import { tempDir } from './testing/helpers.ts';

const messages = async (file: string): Promise<string[]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { msg: string }).msg);

test('lines are written after their turn, errors at once, the rest on close; secrets masked', async () => {
  const { dir, remove } = await tempDir();
  try {
    const file = path.join(dir, 'agent.log');
    const lines: string[] = [];
    const log = createAgentLog({ file, secrets: ['s3cret-token'], sink: (line) => lines.push(line) });
    log.info('file uploaded', { path: '/Projects/a/d/1' });
    log.info('file uploaded', { path: '/Projects/a/d/2' });
    assert.equal(readFileSync(file, 'utf8'), '', 'nothing written within the turn');
    assert.equal(lines.length, 2, 'a test sink sees each line at once');
    await nextTurn();
    await nextTurn();
    assert.deepEqual(await messages(file), ['file uploaded', 'file uploaded']);
    log.warn('slow disk', { token: 's3cret-token' });
    log.error('start failed');
    assert.deepEqual(await messages(file), ['file uploaded', 'file uploaded', 'slow disk', 'start failed'], 'an error takes what waits with it');
    log.info('stopping');
    log.close();
    const text = await readFile(file, 'utf8');
    assert.deepEqual(await messages(file), ['file uploaded', 'file uploaded', 'slow disk', 'start failed', 'stopping']);
    assert.doesNotMatch(text, /s3cret-token/);
    assert.match(text, /\[redacted\]/);
  } finally {
    await remove();
  }
});
