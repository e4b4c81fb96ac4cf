import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HopsError } from '../protocol/errors.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { tempDir } from './testing/helpers.ts';

let dir: string;
let remove: () => Promise<void>;
before(async () => ({ dir, remove } = await tempDir()));
after(() => remove());

const exists = (file: string) => access(file).then(() => true, () => false);
const isAlreadyRunning = (err: unknown) => err instanceof HopsError && err.code === 'AGENT_ALREADY_RUNNING';

test('holds the pid; a second agent in this process is refused; release removes the lock', async () => {
  const lock = await acquireDataDirLock(dir);
  assert.equal((await readFile(lock.file, 'utf8')).trim(), String(process.pid));
  await assert.rejects(acquireDataDirLock(dir), isAlreadyRunning);
  await lock.release();
  assert.equal(await exists(lock.file), false);
  const again = await acquireDataDirLock(dir);
  await again.release();
});

test('takes over a lock whose process is gone, and a garbled one', async () => {
  const child = spawn(process.execPath, ['-e', '']);
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  const file = path.join(dir, 'agent.lock');
  await writeFile(file, `${child.pid}\n`);
  const lock = await acquireDataDirLock(dir);
  assert.equal((await readFile(file, 'utf8')).trim(), String(process.pid));
  await lock.release();

  await writeFile(file, 'not a pid');
  const taken = await acquireDataDirLock(dir);
  await taken.release();
});

test('refuses a lock held by another live process, naming its pid', async (t) => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  t.after(() => child.kill('SIGKILL'));
  const file = path.join(dir, 'agent.lock');
  await writeFile(file, `${child.pid}\n`);
  await assert.rejects(acquireDataDirLock(dir), (err: unknown) => {
    assert.ok(isAlreadyRunning(err));
    assert.match((err as Error).message, new RegExp(`pid ${child.pid}`));
    return true;
  });
  assert.equal((await readFile(file, 'utf8')).trim(), String(child.pid), 'the live lock is left alone');
});

test('a lock naming this pid that this process never took is stale (pid reused)', async () => {
  const file = path.join(dir, 'agent.lock');
  await writeFile(file, `${process.pid}\n`);
  const lock = await acquireDataDirLock(dir);
  await lock.release();
  assert.equal(await exists(file), false);
});
