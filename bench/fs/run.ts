/**
 * bench/fs — how fast the cluster filesystem moves bytes and names, each against a peer or
 * a reference measured in the same run:
 *
 * (a) a file up to and back from the head at replication 1 (`hopsdesk dataset put|get`;
 *     the path of a one-host cluster) against OpenSSH `scp` to and from the same host
 *     (lab in a box);
 * (b) the same file written at replication 3 against replication 1 on three hosts;
 * (c) namespace operations per second on a head (create, stat, list) over HTTP with
 *     concurrent clients, and in-process against the namespace module, to show where the
 *     time goes.
 *
 * Goals: (a) ≥ 1.0× scp's rate, (b) replication 3 ≥ 0.7× replication 1, (c) ≥ 5,000
 * creates/s over HTTP. Without root, network namespaces or sshd, (a) and (b) are skipped
 * with one line saying why and (c) still runs.
 *
 * `--quick`: a 32 MiB file, one round, 500 names, nothing written (under a minute; proves
 * it still works). Otherwise `--rounds N` (default 3), a 1 GiB file, 10,000 names, and the
 * figures go to docs/benchmarks.md. `--profile DIR` writes a CPU profile of the head agent
 * of part (c) into DIR (`--cpu-prof`). `--only a,b,c` runs only those parts, `--mib N`
 * sets the file's size and `--names N` the names' count; a run of some parts only, or of
 * other sizes, prints its figures and writes nothing.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSeededFile } from '../../e2e/fixtures/seeded-file.ts';
import { benchCleanUp } from '../lib/clean-up.ts';
import { createLab, labSupport, type Lab } from '../../e2e/lab/lab.ts';
import { formatSummary, summarizeProfile } from './cpu-profile.ts';
import { namespaceBench, type NamespaceFigures } from './namespace-ops.ts';
import { seconds, transferBench, type TransferFigures } from './transfers.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const flag = (name: string) => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
};
const rounds = quick ? 1 : Number(flag('--rounds') ?? 3);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number ≥ 1');
const profileDir = flag('--profile') === undefined ? undefined : path.resolve(flag('--profile')!);
const parts = new Set((flag('--only') ?? 'a,b,c').split(','));
for (const part of parts) if (!['a', 'b', 'c'].includes(part)) throw new Error(`--only takes parts among a, b and c (comma-separated), not ${part}`);
const wholeFlag = (name: string, fallback: number, max: number) => {
  const value = Number(flag(name) ?? fallback);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`${name} takes a whole number from 1 to ${max}`);
  return value;
};
const MiB = 1024 * 1024;
const fileBytes = wholeFlag('--mib', quick ? 32 : 1024, 16 * 1024) * MiB;
const names = wholeFlag('--names', quick ? 500 : 10_000, 1_000_000);
/** Only a full run at the standard sizes rewrites the figures in docs/benchmarks.md. */
const writesFigures = !quick && parts.size === 3 && ['--mib', '--names', '--clients'].every((name) => flag(name) === undefined);
const clients = wholeFlag('--clients', 8, 256);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const rate = (ms: number[]) => fileBytes / 1e6 / (median(ms) / 1000);
const whole = (n: number) => Math.round(n).toLocaleString('en-US');
const met = (ok: boolean) => (ok ? 'met' : '**not met**');

const benchStarted = performance.now();
const loadAtStart = os.loadavg()[0]!;
const benchRun = await benchCleanUp('fs');
const scratch = benchRun.scratch;
let lab: Lab | undefined;
benchRun.add(() => lab?.teardown());
const cleanUp = benchRun.run;

let transfers: TransferFigures | undefined;
let skippedWhy: string | undefined;
let namespace: NamespaceFigures | undefined;
try {
  const support = parts.has('a') || parts.has('b') ? await labSupport() : { ok: false as const, reason: 'not asked for (--only)' };
  if (support.ok) {
    const file = path.join(scratch, 'big.bin');
    const sha256 = await writeSeededFile(file, fileBytes, 'bench/fs');
    lab = await createLab(['fshead', 'fsw1', 'fsw2']);
    console.log(`(a) and (b): ${fileBytes / MiB} MiB of random bytes, ${rounds} round(s)`);
    transfers = await transferBench({ lab, repoRoot, file, sha256, bytes: fileBytes, rounds, dir: scratch, scp: parts.has('a'), replication: parts.has('b'), log: (line) => console.log(`${seconds(performance.now() - benchStarted).padStart(9)}  ${line}`) });
    await lab.teardown();
    await rm(file, { force: true });
  } else {
    skippedWhy = support.reason;
    console.log(`(a) and (b) skipped: ${support.reason}`);
  }
  if (parts.has('c')) {
    console.log(`${seconds(performance.now() - benchStarted).padStart(9)}  (c): ${whole(names)} names, ${clients} HTTP clients`);
    if (profileDir !== undefined) await mkdir(profileDir, { recursive: true });
    // Unless told how many clients, the creates are also measured with many clients, as a head serving a lab would be.
    const busyClients = flag('--clients') === undefined && !quick ? 64 : undefined;
    namespace = await namespaceBench({
      dir: path.join(scratch, 'namespace'),
      repoRoot,
      files: names,
      clients,
      ...(busyClients === undefined ? {} : { busyClients }),
      ...(profileDir === undefined ? {} : { profileDir }),
    });
  }
} finally {
  await cleanUp();
}
if (profileDir !== undefined) {
  const profiles = (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile')).sort();
  const newest = profiles.at(-1);
  if (newest !== undefined) console.log(`\nthe head agent of (c), ${path.join(profileDir, newest)}:\n${formatSummary(await summarizeProfile(path.join(profileDir, newest)))}`);
}

const rows = ['| measure | Hopsdesk (median) | peer or reference (median) | ratio | goal |', '|---|---|---|---|---|'];
const mbps = (ms: number[]) => `${rate(ms).toFixed(0)} MB/s`;
if (transfers !== undefined) {
  const label = `${fileBytes / MiB} MiB`;
  const up = rate(transfers.oursUp) / rate(transfers.scpUp);
  const down = rate(transfers.oursDown) / rate(transfers.scpDown);
  if (parts.has('a')) {
    rows.push(
      `| (a) upload of ${label} to the head, replication 1 | ${mbps(transfers.oursUp)} (\`dataset put\`, ${seconds(median(transfers.oursUp))}) | ${mbps(transfers.scpUp)} (OpenSSH scp, ${seconds(median(transfers.scpUp))}) | ${up.toFixed(2)} | ≥ 1.00: ${met(up >= 1)} |`,
      `| (a) download of ${label} from the head | ${mbps(transfers.oursDown)} (\`dataset get\`, ${seconds(median(transfers.oursDown))}) | ${mbps(transfers.scpDown)} (OpenSSH scp, ${seconds(median(transfers.scpDown))}) | ${down.toFixed(2)} | ≥ 1.00: ${met(down >= 1)} |`,
    );
  }
  const rf = rate(transfers.rf3) / rate(transfers.rf1);
  // Replication 1 keeps one core busy (the head's hop); replication 3 is three hosts doing
  // that same work. Hosts sharing fewer cores than that cannot reach the goal by design.
  const cores = os.availableParallelism();
  const ceiling = cores < 3 ? `; with ${cores} core${cores === 1 ? '' : 's'} for 3 hosts, at most ${cores}/3 here` : '';
  if (parts.has('b')) rows.push(`| (b) write of ${label}, three hosts | ${mbps(transfers.rf3)} (replication 3) | ${mbps(transfers.rf1)} (replication 1) | ${rf.toFixed(2)} | ≥ 0.70: ${met(rf >= 0.7)}${ceiling} |`);
}
const ns = namespace;
if (ns !== undefined) {
  rows.push(
    `| (c) creates/s over HTTP, ${clients} clients | ${whole(ns.http.creates)} | ${whole(ns.inProcess.creates)} (in-process, namespace module) | ${(ns.http.creates / ns.inProcess.creates).toFixed(2)} | ≥ 5,000/s: ${met(ns.http.creates >= 5000)} |`,
    ...(ns.busy === undefined
      ? []
      : [`| (c) creates/s over HTTP, ${ns.busy.clients} clients | ${whole(ns.busy.rates.creates)} | ${whole(ns.inProcess.creates)} (in-process, namespace module) | ${(ns.busy.rates.creates / ns.inProcess.creates).toFixed(2)} | ≥ 5,000/s: ${met(ns.busy.rates.creates >= 5000)} |`]),
    `| (c) stats/s over HTTP | ${whole(ns.http.stats)} | ${whole(ns.inProcess.stats)} (in-process) | ${(ns.http.stats / ns.inProcess.stats).toFixed(2)} | |`,
    `| (c) list pages/s over HTTP (${ns.listPage} entries each) | ${whole(ns.http.lists)} | ${whole(ns.inProcess.lists)} (in-process) | ${(ns.http.lists / ns.inProcess.lists).toFixed(2)} | |`,
  );
}
const opsRow = (what: string, r: { creates: number; stats: number; lists: number }) => `| ${what} | ${whole(r.creates)} | ${whole(r.stats)} | ${whole(r.lists)} |`;
const whatIf =
  ns === undefined
    ? ''
    : [
        '| in-process, the namespace module | creates/s | stats/s | list pages/s |',
        '|---|---|---|---|',
        opsRow('as shipped (`synchronous = FULL`, `locking_mode = EXCLUSIVE`, statements prepared once)', ns.inProcess),
        ...ns.whatIf.map((w) => opsRow(`what if: ${w.what}`, w.rates)),
        `| what if: store inserts, 1000 per transaction (no checks) | ${whole(ns.batched)} | | |`,
      ].join('\n');
const table = rows.join('\n');
console.log(`\n${table}\n\n${whatIf}\n`);

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const machine = `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.versions.node}; load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end`;
console.log(`${machine}\nbench/fs took ${seconds(performance.now() - benchStarted)}`);

if (writesFigures) {
  const docs = path.join(repoRoot, 'docs', 'benchmarks.md');
  const previous = await readFile(docs, 'utf8').catch(() => '# Benchmarks\n');
  const how = transfers === undefined ? `(a) and (b) not run: ${skippedWhy}.` : `${rounds} rounds each, medians; ${fileBytes / MiB} MiB of random bytes.`;
  const section =
    `### bench/fs — ${new Date().toISOString().slice(0, 10)}\n\n` +
    `Machine: ${machine}. ${how} (c): ${whole(names)} names, ${clients}${namespace?.busy === undefined ? '' : ` and then ${namespace.busy.clients}`} concurrent clients.\n\n${table}\n\n${whatIf}\n`;
  // The figures are rewritten; the notes under them (### Notes on bench/fs) are kept.
  const figures = /### bench\/fs —[\s\S]*?(?=\n##|$)/;
  const next = figures.test(previous)
    ? previous.replace(figures, () => section.trimEnd() + '\n')
    : /^## Filesystem$/m.test(previous)
      ? previous.replace(/^## Filesystem\n/m, () => `## Filesystem\n\n${section}`)
      : `${previous.trimEnd()}\n\n## Filesystem\n\n${section}`;
  await writeFile(docs, next);
  console.log(`written to ${path.relative(repoRoot, docs)}`);
}
