/**
 * Transfers that outlive a dropped link, on the lab in a box: a two-host cluster, a
 * ~200 MiB file put with 8 MiB blocks through the CLI while the desktop↔head link is cut
 * (the head's veth taken down) and restored once the CLI noticed; the put finishes on its
 * own and the file reads back with the same SHA-256. The same for a get cut midway. Each
 * prints how many bytes went twice. The head's link is shaped to 160 Mbit/s (tc tbf in
 * its namespace), as a campus link is, so a transfer lasts long enough to be cut.
 *
 * Cutting the head's link also cuts it off from its worker, which the head then counts
 * unreachable until its next heartbeat; a resume that comes first is refused ("a block
 * needs 2 healthy workers") and tried again shortly, so a put may resume more than once.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { repoRoot } from '../fixtures/app.ts';
import { runHopsdesk } from '../fixtures/cli.ts';
import { createLab, labSupport, type Lab } from './lab.ts';

const support = await labSupport();
const skip = support.ok ? false : `skipped: ${support.reason}`;
const MiB = 1024 * 1024;
const fileBytes = 200 * MiB + 12_345;

let lab: Lab;
let workspace: string;
let files: string;
const env = () => ({ ...process.env, HOPSDESK_SSH_CONFIG: lab.sshConfigFile });
const hopsdesk = (args: string[], timeoutMs = 240_000) => runHopsdesk([...args, '--workspace', workspace], { HOPSDESK_SSH_CONFIG: lab.sshConfigFile }, timeoutMs);

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Writes `bytes` random bytes to `file`, a MiB at a time. */
async function randomFile(file: string, bytes: number): Promise<void> {
  const out = createWriteStream(file);
  for (let left = bytes; left > 0; left -= MiB) {
    if (!out.write(randomBytes(Math.min(MiB, left)))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}

/** Polls `probe` every 100 ms until it holds; fails after `timeoutMs` naming `what`. */
async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Runs a `hopsdesk dataset …` command, cuts the head's link once `cutWhen` holds,
 * restores it once the CLI says the transfer was interrupted, and waits for the command to end.
 * Returns its exit code, stderr, and the bytes that went twice (dropped at − resumed at).
 */
async function withLinkCut(args: string[], cutWhen: () => Promise<boolean>): Promise<{ code: number | null; stderr: string; resent: number; resumes: number }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'hopsdesk.cjs'), ...args, '--workspace', workspace], { env: env() });
  let stderr = '';
  let stdout = '';
  const startedMs = Date.now();
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const line of chunk.toString().split('\n').filter((l) => /interrupted at|resuming at/.test(l))) {
      console.log(`# +${((Date.now() - startedMs) / 1000).toFixed(1)} s ${line}`);
    }
  });
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const head = lab.hosts[0]!;
  let ended = false;
  void exited.then(() => (ended = true));
  try {
    await until('the transfer to be partway', async () => ended || (await cutWhen()), 120_000);
    assert.ok(!ended, `the transfer ended before it could be cut: ${stderr}${stdout}`);
    await head.cutLink();
    const cutAtMs = Date.now();
    await until('the CLI to notice the dropped link', () => ended || /interrupted at byte/.test(stderr), 90_000);
    assert.ok(!ended, `the transfer ended while the link was cut: ${stderr}${stdout}`);
    console.log(`# the CLI noticed the cut after ${((Date.now() - cutAtMs) / 1000).toFixed(1)} s`);
    await new Promise((resolve) => setTimeout(resolve, 3000));
  } finally {
    await head.restoreLink();
  }
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([exited, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 300_000)))]);
  clearTimeout(timer);
  if (code === null && child.exitCode === null) child.kill('SIGKILL');
  const dropped = [...stderr.matchAll(/interrupted at byte (\d+)/g)].map((m) => Number(m[1]));
  const resumed = [...stderr.matchAll(/resuming at byte (\d+)/g)].map((m) => Number(m[1]));
  const resent = dropped.reduce((sum, at, i) => sum + Math.max(0, at - (resumed[i] ?? at)), 0);
  return { code, stderr: `${stderr}\n${stdout}`, resent, resumes: resumed.length };
}

before(async () => {
  if (!support.ok) return;
  workspace = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-resume-'));
  files = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-resume-files-'));
  lab = await createLab(['rhead', 'rw1']);
  const [head, w1] = lab.hosts as [(typeof lab.hosts)[0], (typeof lab.hosts)[0]];
  // Everything the head sends (blocks down the pipeline, downloads) goes out at 160 Mbit/s.
  const links = await promisify(execFile)('ip', ['netns', 'exec', head.namespace, 'ip', '-o', 'link', 'show']);
  const device = /^\d+: ([^:@]+)[@:]/m.exec(links.stdout.split('\n').filter((line) => !/: lo:/.test(line)).join('\n'))?.[1];
  assert.ok(device !== undefined, links.stdout);
  await promisify(execFile)('ip', ['netns', 'exec', head.namespace, 'tc', 'qdisc', 'add', 'dev', device, 'root', 'tbf', 'rate', '160mbit', 'burst', '256kb', 'latency', '50ms']);
  const created = await hopsdesk(['cluster', 'create', 'resume', '--head', `${head.user}@${head.name}`, '--worker', `${w1.user}@${w1.name}`, '--key', lab.clientKeyFile, '--trust-new']);
  assert.equal(created.code, 0, created.stderr);
  assert.equal((await hopsdesk(['project', 'create', 'vision'])).code, 0);
  assert.equal((await hopsdesk(['dataset', 'mkdir', '/Projects/vision/raw'])).code, 0);
  await randomFile(path.join(files, 'big.bin'), fileBytes);
});
after(async () => {
  if (!support.ok) return;
  await lab?.teardown();
  await rm(workspace, { recursive: true, force: true });
  await rm(files, { recursive: true, force: true });
});

test('a put cut midway resumes on its own and the file reads back equal', { skip, timeout: 600_000 }, async () => {
  const local = path.join(files, 'big.bin');
  const head = lab.hosts[0]!;
  // Partway: the head's disk holds at least 48 MiB of blocks (read inside its namespace, not over the link).
  const blocksOnHead = async () => {
    const du = await head.run('du -sb .hopsdesk/data/blocks 2>/dev/null || echo 0');
    return Number(du.stdout.trim().split(/\s+/)[0] ?? 0);
  };
  const put = await withLinkCut(['dataset', 'put', local, '/Projects/vision/raw/big.bin', '--block-size', '8MiB'], async () => (await blocksOnHead()) >= 48 * MiB);
  assert.equal(put.code, 0, put.stderr);
  assert.ok(put.resumes >= 1, `the put resumed after the cut: ${put.stderr}`);
  console.log(`# put: ${fileBytes} bytes, resumed ${put.resumes}×, ${put.resent} bytes sent again (${(put.resent / MiB).toFixed(1)} MiB)`);

  const stat = JSON.parse((await hopsdesk(['dataset', 'stat', '/Projects/vision/raw/big.bin', '--json'])).stdout) as { size: number; blockSize: number };
  assert.deepEqual([stat.size, stat.blockSize], [fileBytes, 8 * MiB]);
  const back = path.join(files, 'back.bin');
  const got = await hopsdesk(['dataset', 'get', '/Projects/vision/raw/big.bin', back]);
  assert.equal(got.code, 0, got.stderr);
  assert.equal(await sha256(back), await sha256(local));
  await rm(back);
});

test('a get cut midway resumes with range reads and the copy is equal', { skip, timeout: 600_000 }, async () => {
  const local = path.join(files, 'again.bin');
  const partial = `${local}.hopsdesk-partial`;
  const get = await withLinkCut(['dataset', 'get', '/Projects/vision/raw/big.bin', local], async () => ((await stat(partial).catch(() => undefined))?.size ?? 0) >= 64 * MiB);
  assert.equal(get.code, 0, get.stderr);
  assert.ok(get.resumes >= 1, `the get resumed after the cut: ${get.stderr}`);
  console.log(`# get: ${fileBytes} bytes, resumed ${get.resumes}×, ${get.resent} bytes received again (${(get.resent / MiB).toFixed(1)} MiB)`);
  assert.equal(await sha256(local), await sha256(path.join(files, 'big.bin')));
  await assert.rejects(stat(partial), 'no partial file is left');
});
