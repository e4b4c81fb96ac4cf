/**
 * bench/scheduler — Hopsdesk's scheduler against Slurm on the lab in a box (one head and two
 * workers, network namespaces with real sshd), in the same run: N no-op jobs submitted in a
 * burst by 8 submitters at a time, each submitted on its own. Measured per system and
 * configuration: submits accepted, submit→start latency (p50, p99), and jobs completed per
 * second from the first submit to the last end.
 *
 * Peer: Slurm 22.05 (Debian `slurm-wlm`) with its defaults, and with the settings of its High
 * Throughput Computing Administration Guide (slurm-conf.ts), slurmctld in the head's
 * namespace and slurmd in every host's (Hopsdesk's head runs jobs too), torn down before
 * Hopsdesk's agents are installed so the two never share the CPUs.
 *
 * Goals: p50 submit→start ≤ 1/10 of Slurm's (defaults); completed jobs/s ≥ 20× Slurm's
 * defaults and ≥ 2× its high-throughput settings.
 *
 * `--quick`: 100 jobs, Slurm's defaults and Hopsdesk only, nothing written (proves it still
 * works). Otherwise `--jobs N` (default 2000) and the figures go to docs/benchmarks.md.
 * `--only a,b` runs only some of slurm-defaults, slurm-high-throughput, hopsdesk (prints,
 * writes nothing). Without root or namespaces, or without Slurm, it says why and exits with
 * 77, which the test suite counts as a skip; without Slurm, Hopsdesk's part still runs first.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLab, labSupport, type Lab } from '../../e2e/lab/lab.ts';
import { benchCleanUp } from '../lib/clean-up.ts';
import { burstFigures, type BurstFigures } from './burst.ts';
import { hopsdeskBurst } from './hopsdesk.ts';
import { highThroughputSettings, type SlurmConfig } from './slurm-conf.ts';
import { slurmBurst, slurmSupport } from './slurm.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
/** The exit code of a skipped test in the automake convention, counted as a skip by scripts/test.ts. */
const skippedExit = 77;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const flag = (name: string) => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
};
const jobs = Number(flag('--jobs') ?? (quick ? 100 : 2000));
if (!Number.isInteger(jobs) || jobs < 1 || jobs > 100_000) throw new Error('--jobs takes a whole number from 1 to 100000');
const allParts = ['slurm-defaults', 'slurm-high-throughput', 'hopsdesk'] as const;
type Part = (typeof allParts)[number];
const parts = new Set((flag('--only') ?? (quick ? 'slurm-defaults,hopsdesk' : allParts.join(','))).split(','));
for (const part of parts) if (!(allParts as readonly string[]).includes(part)) throw new Error(`--only takes parts among ${allParts.join(', ')} (comma-separated), not ${part}`);
const writesFigures = !quick && parts.size === allParts.length && flag('--jobs') === undefined;
const inFlight = 8;
/** A run is given up when no job has ended for this long. */
const stallMs = 180_000;

const benchStarted = performance.now();
const elapsed = () => `${((performance.now() - benchStarted) / 1000).toFixed(1)} s`.padStart(9);
const log = (line: string) => console.log(`${elapsed()}  ${line}`);

const lab = await labSupport();
if (!lab.ok) {
  console.log(`bench/scheduler skipped: ${lab.reason}`);
  process.exit(skippedExit);
}
const slurm = slurmSupport();
const slurmParts = [...parts].filter((p) => p.startsWith('slurm-'));
if (!slurm.ok && slurmParts.length > 0) console.log(`bench/scheduler: the Slurm part (${slurmParts.join(', ')}) is skipped: ${slurm.reason}`);

const loadAtStart = os.loadavg()[0]!;
const cleanUp = await benchCleanUp('scheduler');
// The lab users run Slurm's jobs and read its slurm.conf in here.
await chmod(cleanUp.scratch, 0o711);
let built: Lab | undefined;
cleanUp.add(() => built?.teardown());
const figures: BurstFigures[] = [];
try {
  built = await createLab(['schead', 'scw1', 'scw2']);
  const [head] = built.hosts;
  log(`lab: ${built.hosts.map((h) => h.name).join(', ')}; ${jobs} jobs per run, ${inFlight} submits in flight`);
  const slurmRuns: Array<[Part, SlurmConfig]> = [['slurm-defaults', 'defaults'], ['slurm-high-throughput', 'high-throughput']];
  for (const [part, config] of slurmRuns) {
    if (!parts.has(part) || !slurm.ok) continue;
    const run = await slurmBurst({ config, dir: path.join(cleanUp.scratch, part), controller: head!, nodes: built.hosts, submitter: head!, jobs, inFlight, stallMs, log, onCleanUp: cleanUp.add });
    figures.push(burstFigures('Slurm 22.05', config, run.submits, run.jobs));
    log(summary(figures.at(-1)!));
  }
  if (parts.has('hopsdesk')) {
    const run = await hopsdeskBurst({ lab: built, repoRoot, dir: cleanUp.scratch, jobs, inFlight, stallMs, log });
    figures.push(burstFigures('Hopsdesk', 'as shipped', run.submits, run.jobs));
    log(summary(figures.at(-1)!));
  }
} finally {
  await cleanUp.run();
}

function summary(f: BurstFigures): string {
  return `${f.system} (${f.config}): ${f.accepted}/${f.submitted} accepted, p50 ${ms(f.latencyP50Ms)}, p99 ${ms(f.latencyP99Ms)}, ${rate(f.completedPerSecond)} jobs/s, ${f.notSucceeded} not succeeded`;
}
function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}
function rate(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

const row = (f: BurstFigures) =>
  `| ${f.system} | ${f.config} | ${f.accepted}/${f.submitted}${f.refusals.length ? ` (${f.refusals.join('; ')})` : ''} | ${rate(f.submitsPerSecond)} | ${ms(f.latencyP50Ms)} | ${ms(f.latencyP99Ms)} | ${rate(f.completedPerSecond)} (${(f.spanMs / 1000).toFixed(1)} s) | ${f.notSucceeded} |`;
const table = [
  '| system | configuration | accepted | submits/s | submit→start p50 | p99 | completed jobs/s (first submit → last end) | not succeeded |',
  '|---|---|---|---|---|---|---|---|',
  ...figures.map(row),
].join('\n');

const find = (system: string, config: string) => figures.find((f) => f.system.startsWith(system) && f.config === config);
const ours = find('Hopsdesk', 'as shipped');
const slurmDefaults = find('Slurm', 'defaults');
const slurmHigh = find('Slurm', 'high-throughput');
const met = (ok: boolean) => (ok ? 'met' : '**not met**');
const goals: string[] = [];
if (ours && slurmDefaults) {
  const latency = ours.latencyP50Ms / slurmDefaults.latencyP50Ms;
  const speed = ours.completedPerSecond / slurmDefaults.completedPerSecond;
  goals.push(`| p50 submit→start, Hopsdesk ÷ Slurm defaults | ${latency.toFixed(3)} | ≤ 0.100: ${met(latency <= 0.1)} |`);
  goals.push(`| completed jobs/s, Hopsdesk ÷ Slurm defaults | ${speed.toFixed(1)}× | ≥ 20×: ${met(speed >= 20)} |`);
}
if (ours && slurmHigh) {
  const latency = ours.latencyP50Ms / slurmHigh.latencyP50Ms;
  const speed = ours.completedPerSecond / slurmHigh.completedPerSecond;
  goals.push(`| p50 submit→start, Hopsdesk ÷ Slurm high-throughput | ${latency.toFixed(3)} | (no goal) |`);
  goals.push(`| completed jobs/s, Hopsdesk ÷ Slurm high-throughput | ${speed.toFixed(1)}× | ≥ 2×: ${met(speed >= 2)} |`);
}
const goalTable = goals.length === 0 ? '' : ['| ratio | value | goal |', '|---|---|---|', ...goals].join('\n');
console.log(`\n${table}\n\n${goalTable}\n`);

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const machine = `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.versions.node}; load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end`;
console.log(`${machine}\nbench/scheduler took ${elapsed().trim()}`);

if (writesFigures) {
  const docs = path.join(repoRoot, 'docs', 'benchmarks.md');
  const previous = await readFile(docs, 'utf8').catch(() => '# Benchmarks\n');
  const settings = highThroughputSettings.map(([key, value]) => `\`${key}=${value}\``).join(', ');
  const section =
    `### bench/scheduler — ${new Date().toISOString().slice(0, 10)}\n\n` +
    `Machine: ${machine}. ${jobs} no-op jobs per run, submitted one by one, ${inFlight} submits in flight; three hosts (one is the head), all running jobs. ` +
    `Slurm's high-throughput settings: ${settings}.\n\n${table}\n\n${goalTable}\n`;
  // The figures are rewritten; the notes under them (### Notes on bench/scheduler) are kept.
  const figuresPattern = /### bench\/scheduler —[\s\S]*?(?=\n##|$)/;
  const next = figuresPattern.test(previous)
    ? previous.replace(figuresPattern, () => section.trimEnd() + '\n')
    : /^## Scheduler$/m.test(previous)
      ? previous.replace(/^## Scheduler\n/m, () => `## Scheduler\n\n${section}`)
      : `${previous.trimEnd()}\n\n## Scheduler\n\n${section}`;
  await writeFile(docs, next);
  console.log(`written to ${path.relative(repoRoot, docs)}`);
}
const failed = figures.some((f) => f.accepted < f.submitted || f.notSucceeded > 0);
if (failed) {
  console.log('bench/scheduler: some jobs were refused or did not succeed (see the table)');
  process.exitCode = 1;
} else if (!slurm.ok && slurmParts.length > 0) process.exitCode = skippedExit;
