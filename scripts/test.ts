/**
 * The whole test suite behind `npm test`: typecheck, build, unit and integration tests
 * (node:test), then end-to-end tests (Playwright in Debian Chromium). Ends with one line
 * `N passed, N failed, N skipped` summing every suite; exits non-zero on any failure.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures: string[] = [];

const unitPatterns = ['protocol', 'main', 'cluster-agent', 'preload', 'renderer', 'scripts', 'e2e/fixtures', 'e2e/lab'].map(
  (dir) => `${dir}/**/*.test.ts`,
);

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.on('error', () => resolve(127));
  });
}

/** A step that is one check: it passes or fails as a whole. */
async function check(name: string, command: string, args: string[]): Promise<boolean> {
  console.log(`\n▶ ${name}`);
  const ok = (await run(command, args)) === 0;
  if (ok) totals.passed += 1;
  else {
    totals.failed += 1;
    failures.push(name);
  }
  return ok;
}

/** A benchmark that may not apply here: exit 77 (the automake convention) counts as a skip; it printed why. */
async function benchmarkOrSkip(name: string, args: string[]): Promise<void> {
  console.log(`\n▶ ${name}`);
  const code = await run(process.execPath, args);
  if (code === 77) totals.skipped += 1;
  else if (code === 0) totals.passed += 1;
  else {
    totals.failed += 1;
    failures.push(name);
  }
}

async function nodeTests(scratch: string): Promise<void> {
  console.log('\n▶ unit and integration tests (node:test)');
  const tap = path.join(scratch, 'node-test.tap');
  const code = await run(process.execPath, [
    '--test',
    '--test-concurrency=2',
    // A hung test fails alone instead of holding the whole run until CI's limit.
    '--test-timeout=180000',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...unitPatterns,
  ]);
  const text = await readFile(tap, 'utf8').catch(() => '');
  const count = (label: string) => Number(text.match(new RegExp(`^# ${label} (\\d+)$`, 'm'))?.[1] ?? 0);
  const [pass, fail, skipped, cancelled, todo] = ['pass', 'fail', 'skipped', 'cancelled', 'todo'].map(count);
  totals.passed += pass!;
  totals.failed += fail! + cancelled!;
  totals.skipped += skipped! + todo!;
  if (code !== 0 && fail! + cancelled! === 0) {
    totals.failed += 1;
    failures.push(`node:test exited with ${code}`);
  } else if (fail! + cancelled! > 0) failures.push(`${fail! + cancelled!} node:test test(s)`);
}

async function e2eTests(scratch: string): Promise<void> {
  console.log('\n▶ end-to-end tests (Playwright, Chromium)');
  const report = path.join(scratch, 'e2e.json');
  const code = await run(bin('playwright'), ['test', '-c', 'e2e/playwright.config.ts', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: report,
  });
  const stats = JSON.parse(await readFile(report, 'utf8').catch(() => '{}')) as {
    stats?: { expected: number; unexpected: number; flaky: number; skipped: number };
  };
  const s = stats.stats;
  if (!s) {
    totals.failed += 1;
    failures.push(`Playwright exited with ${code} and wrote no report`);
    return;
  }
  totals.passed += s.expected + s.flaky;
  totals.failed += s.unexpected;
  totals.skipped += s.skipped;
  if (s.unexpected > 0) failures.push(`${s.unexpected} e2e test(s)`);
  else if (code !== 0) {
    totals.failed += 1;
    failures.push(`Playwright exited with ${code}`);
  }
}

const scratch = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-test-'));
try {
  await check('typecheck (desktop core, agent, protocol)', process.execPath, [bin('tsc'), '-p', '.']);
  await check('typecheck (renderer)', process.execPath, [bin('tsc'), '-p', 'renderer']);
  const built = await check('build', process.execPath, ['scripts/build.ts']);
  await nodeTests(scratch);
  if (built) {
    await e2eTests(scratch);
    // Benchmarks are not timed tests: CI only checks that they still run.
    await check('benchmark bench/startup (quick mode)', process.execPath, ['bench/startup/run.ts', '--quick']);
    await check('benchmark bench/provision (quick mode)', process.execPath, ['bench/provision/run.ts', '--quick']);
    await check('benchmark bench/fs (quick mode)', process.execPath, ['bench/fs/run.ts', '--quick']);
    await benchmarkOrSkip('benchmark bench/scheduler (quick mode)', ['bench/scheduler/run.ts', '--quick']);
  } else console.log('\n▶ end-to-end tests and benchmarks not run: the build failed');
} finally {
  await rm(scratch, { recursive: true, force: true });
}

if (failures.length) console.log(`\nFailed: ${failures.join('; ')}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exitCode = totals.failed > 0 ? 1 : 0;
