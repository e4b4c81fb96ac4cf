/**
 * Sharing a dataset between projects across two desktops, on the lab in a box: the admin
 * owns "vision" and "nlp"; ana, invited into "nlp" as a Data Scientist, works from her own
 * workspace over her own SSH login, and so holds no cluster CA: her file content goes
 * through her SSH tunnel. She cannot read vision's dataset until it is shared with nlp and
 * the share accepted; then she reads it byte for byte but cannot write to it (read-only);
 * once unshared she is refused at once.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runHopsdesk } from '../fixtures/cli.ts';
import { createLab, labSupport, type Lab } from './lab.ts';

const support = await labSupport();
const skip = support.ok ? false : `skipped: ${support.reason}`;

let lab: Lab;
let adminWorkspace: string;
let memberWorkspace: string;
let files: string;
const as = (workspace: string) => (args: string[], timeoutMs = 180_000) =>
  runHopsdesk([...args, '--workspace', workspace], { HOPSDESK_SSH_CONFIG: lab.sshConfigFile }, timeoutMs);
let admin: ReturnType<typeof as>;
let ana: ReturnType<typeof as>;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

before(async () => {
  if (!support.ok) return;
  adminWorkspace = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-share-admin-'));
  memberWorkspace = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-share-ana-'));
  files = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-share-files-'));
  lab = await createLab(['shead']);
  admin = as(adminWorkspace);
  ana = as(memberWorkspace);
});
after(async () => {
  if (!support.ok) return;
  await lab?.teardown();
  await Promise.all([adminWorkspace, memberWorkspace, files].map((dir) => rm(dir, { recursive: true, force: true })));
});

test('a dataset shared read-only is read by the other project over its own tunnel, never written, and unshared at once', { skip }, async () => {
  const head = lab.host('shead');
  const ok = async (run: Promise<{ code: number | null; stdout: string; stderr: string }>) => {
    const result = await run;
    assert.equal(result.code, 0, result.stderr);
    return result;
  };
  await ok(admin(['cluster', 'create', 'team', '--head', `${head.user}@${head.name}`, '--key', lab.clientKeyFile, '--trust-new']));
  await ok(admin(['project', 'create', 'vision']));
  await ok(admin(['project', 'create', 'nlp']));
  await ok(admin(['dataset', 'mkdir', '/Projects/vision/images']));
  // Two blocks and a bit, so the read crosses a block boundary.
  const bytes = randomBytes(2 * 1024 * 1024 + 12_345);
  const local = path.join(files, 'cats.bin');
  await writeFile(local, bytes);
  await ok(admin(['dataset', 'put', local, '/Projects/vision/images/cats.bin', '--block-size', '1MiB']));

  const invite = JSON.parse((await ok(admin(['project', 'invite', 'nlp', '--role', 'scientist', '--json']))).stdout) as { code: string; clientPort: number };
  await ok(ana(['cluster', 'join', 'team', '--head', `${head.user}@${head.name}`, '--client-port', String(invite.clientPort), '--invite', invite.code, '--user', 'ana', '--key', lab.clientKeyFile, '--trust-new']));

  const file = '/Projects/vision/images/cats.bin';
  const back = path.join(files, 'back.bin');
  const refusedRead = await ana(['dataset', 'get', file, back]);
  assert.equal(refusedRead.code, 1, 'not shared yet');
  assert.match(refusedRead.stderr, /data\.read/);

  const shared = await ok(admin(['dataset', 'share', '/Projects/vision/images', '--with', 'nlp', '--read-only']));
  assert.match(shared.stdout, /read-only/);
  const pending = await ana(['dataset', 'get', file, back]);
  assert.equal(pending.code, 1, 'a share is not used before a Data Owner of nlp accepts it');

  await ok(admin(['dataset', 'accept', '/Projects/vision/images', '--project', 'nlp']));
  await ok(ana(['dataset', 'get', file, back]));
  assert.equal(sha256(await readFile(back)), sha256(bytes), 'ana reads the shared file byte for byte');

  const refusedWrite = await ana(['dataset', 'put', local, '/Projects/vision/images/mine.bin']);
  assert.equal(refusedWrite.code, 1);
  assert.match(refusedWrite.stderr, /read-only/);
  const listing = JSON.parse((await ok(admin(['dataset', 'ls', '/Projects/vision/images', '--json']))).stdout) as { entries: Array<{ name: string }> };
  assert.deepEqual(listing.entries.map((e) => e.name), ['cats.bin'], 'nothing of the refused write landed');

  await ok(admin(['dataset', 'unshare', '/Projects/vision/images', '--with', 'nlp']));
  const revoked = await ana(['dataset', 'get', file, path.join(files, 'again.bin')]);
  assert.equal(revoked.code, 1, 'unshared: refused at once');
  assert.match(revoked.stderr, /data\.read/);
});
