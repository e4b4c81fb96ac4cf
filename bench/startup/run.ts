/**
 * bench/startup — how fast the app is usable and how light it sits idle.
 * Hopsdesk: time from starting `hopsdesk open --web` to `data-app-state="ready"` in
 * Chromium, on first start (fresh workspace: the local cluster is created and its agent
 * started) and on the next start (the same workspace); the agent's and the core's idle RSS. Peers in the same run: a bare Node HTTP server started the same way
 * and its page loaded (the floor of "start a process, load a page"), and an idle bare Node
 * process on the same runtime (the floor of any Node daemon).
 * `--quick`: one round, nothing written (what CI runs); otherwise 5 rounds and the figures
 * go to docs/benchmarks.md.
 */
import { chromium, type Browser } from '@playwright/test';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pinnedNode, repoRoot, startApp } from '../../e2e/fixtures/app.ts';

const quick = process.argv.includes('--quick');
const rounds = quick ? 1 : 5;
const idleSettleMs = quick ? 1_000 : 5_000;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/^VmRSS:\s+(\d+) kB$/m)?.[1] ?? NaN) * 1024;
}

/** Starts the app and loads its page; returns the time to ready and the running app. */
async function timeToReady(browser: Browser, workspace?: string) {
  // The browser's own tab start-up is not the app's: open the tab before starting the clock.
  const page = await browser.newPage();
  const started = performance.now();
  const app = await startApp(workspace ? { workspace } : {});
  await page.goto(app.url);
  await page.locator('#root[data-app-state="ready"]').waitFor({ state: 'attached', timeout: 30_000 });
  const readyMs = performance.now() - started;
  await page.close();
  return { app, readyMs };
}

/** First start (fresh workspace: the cluster is created), then the next start reusing it. */
async function hopsdeskRound(browser: Browser) {
  const first = await timeToReady(browser);
  const workspace = first.app.workspace;
  first.app.process.kill('SIGTERM');
  await new Promise((resolve) => first.app.process.once('exit', resolve));
  const next = await timeToReady(browser, workspace);
  try {
    await new Promise((resolve) => setTimeout(resolve, idleSettleMs));
    const run = JSON.parse(
      await readFile(path.join(workspace, 'clusters', 'local', 'agent', 'run.json'), 'utf8'),
    ) as { pid: number };
    return {
      firstReadyMs: first.readyMs,
      nextReadyMs: next.readyMs,
      agentRss: await rssBytes(run.pid),
      coreRss: await rssBytes(next.app.process.pid!),
    };
  } finally {
    await next.app.stop();
    await first.app.stop();
  }
}

/** The peer: a bare Node server process serving one page, started and loaded the same way. */
async function peerRound(browser: Browser) {
  const page = await browser.newPage();
  const started = performance.now();
  const server = spawn(
    pinnedNode,
    [
      '-e',
      "const s=require('node:http').createServer((q,r)=>r.end('<!doctype html><div id=root data-app-state=ready></div>'));" +
        "s.listen(0,'127.0.0.1',()=>console.log(s.address().port))",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const port = await new Promise<string>((resolve) => createInterface({ input: server.stdout! }).once('line', resolve));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.locator('#root[data-app-state="ready"]').waitFor({ state: 'attached' });
    const readyMs = performance.now() - started;
    await page.close();
    await new Promise((resolve) => setTimeout(resolve, idleSettleMs));
    return { readyMs, rss: await rssBytes(server.pid!) };
  } finally {
    server.kill();
  }
}

const browser = await chromium.launch({
  executablePath: process.env.HOPSDESK_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const ours: Array<Awaited<ReturnType<typeof hopsdeskRound>>> = [];
const peers: Array<Awaited<ReturnType<typeof peerRound>>> = [];
try {
  for (let i = 0; i < rounds; i++) {
    ours.push(await hopsdeskRound(browser));
    peers.push(await peerRound(browser));
  }
} finally {
  await browser.close();
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const firstReady = median(ours.map((r) => r.firstReadyMs));
const nextReady = median(ours.map((r) => r.nextReadyMs));
const peerReady = median(peers.map((r) => r.readyMs));
const agentRss = median(ours.map((r) => r.agentRss));
const coreRss = median(ours.map((r) => r.coreRss));
const peerRss = median(peers.map((r) => r.rss));
const rows = [
  ['start → ready, first start (creates the cluster)', `${firstReady.toFixed(0)} ms`, `${peerReady.toFixed(0)} ms (bare Node server + page)`, (firstReady / peerReady).toFixed(2), '≤ 1500 ms'],
  ['start → ready, next start (reuses it)', `${nextReady.toFixed(0)} ms`, `${peerReady.toFixed(0)} ms (bare Node server + page)`, (nextReady / peerReady).toFixed(2), '≤ 1500 ms'],
  ['agent idle RSS', `${mb(agentRss)} MB`, `${mb(peerRss)} MB (idle bare Node)`, (agentRss / peerRss).toFixed(2), '≤ 80 MB'],
  ['desktop core idle RSS', `${mb(coreRss)} MB`, `${mb(peerRss)} MB (idle bare Node)`, (coreRss / peerRss).toFixed(2), ''],
];
const table = [
  '| measure | Hopsdesk (median) | peer (median) | ratio | goal |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
console.log(table);

if (!quick) {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const machine = `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.versions.node}`;
  const file = path.join(repoRoot, 'docs', 'benchmarks.md');
  const previous = await readFile(file, 'utf8').catch(() => '# Benchmarks\n');
  const section = `## bench/startup — ${new Date().toISOString().slice(0, 10)}\n\nMachine: ${machine}. ${rounds} rounds each, medians.\n\n${table}\n`;
  const marker = /## bench\/startup[\s\S]*?(?=\n## |$)/;
  await writeFile(file, marker.test(previous) ? previous.replace(marker, section.trimEnd() + '\n') : `${previous.trimEnd()}\n\n${section}`);
  console.log(`written to ${path.relative(repoRoot, file)}`);
}
