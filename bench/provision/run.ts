/**
 * bench/provision — how fast hosts become a cluster, and how fast the agent bundle travels.
 *
 * 1. Wall time to "all healthy" for three lab hosts (lab in a box: network namespaces with
 *    real sshd). Hopsdesk: `hopsdesk cluster create` as a process, a fresh workspace each
 *    round, until it exits 0 (it returns once the head reports every host healthy). Peer in
 *    the same run: peer-install.sh, a bash `for` loop of OpenSSH `scp` + `ssh` per host doing
 *    the same install (same bundle file, same hosts, the config/token/certificate files our
 *    warm-up install wrote), then polling the head's client API until all are healthy.
 *    Both start from an already-built bundle: it is built before the first round, into the
 *    cache the CLI reads (dist/agent-bundles in a checkout, shared by every workspace; in an
 *    installed app each workspace has its own, and each fresh workspace gets a copy). A round
 *    during which dist/agent changed (a build by someone else) is redone.
 * 2. Upload throughput of one file of random bytes to one host: ssh2, as install.ts does it
 *    (dial, then RemoteShell.exec streaming the file into `cat > file`), against OpenSSH `scp`.
 *    Both timed from start to the remote file closed, connection set-up included.
 *
 * Hosts are wiped between rounds (every process of the host's user killed, ~/.hopsdesk
 * removed). `--quick`: one host, one round, a 16 MiB file, nothing written (proves it still
 * works). Otherwise `--rounds N` (default 5) and the figures go to docs/benchmarks.md.
 * `--verbose` prints each round's progress lines with their times.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, statSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { benchCleanUp } from '../lib/clean-up.ts';
import { createLab, labSupport, type Lab, type LabHost } from '../../e2e/lab/lab.ts';
import { compileCoreOptions } from '../../main/core/options.ts';
import { agentBundle, type AgentBundle, type BundleSources } from '../../main/provision/bundle.ts';
import { RemoteShell, shellQuote } from '../../main/provision/remote-shell.ts';
import { dial } from '../../main/ssh/dial.ts';
import { openWorkspace } from '../../main/workspace/workspace.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const cli = path.join(repoRoot, 'bin', 'hopsdesk.cjs');
const peerScript = path.join(here, 'peer-install.sh');

const quick = process.argv.includes('--quick');
/** Prints every round's progress lines with their times, to see where a slow round went. */
const verbose = process.argv.includes('--verbose');
const roundsFlag = process.argv.indexOf('--rounds');
const rounds = quick ? 1 : roundsFlag > 0 ? Number(process.argv[roundsFlag + 1]) : 5;
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number ≥ 1');
const hostNames = quick ? ['head'] : ['head', 'w1', 'w2'];
const uploadBytes = (quick ? 16 : 256) * 1024 * 1024;

const support = await labSupport();
if (!support.ok) {
  console.log(`bench/provision skipped: ${support.reason}`);
  process.exit(0);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Timed {
  code: number | null;
  ms: number;
  /** Each stderr line with the time it arrived, in ms since the process was spawned. */
  lines: Array<{ atMs: number; line: string }>;
  stdout: string;
  stderr: string;
}

/** Runs a process, timing it and each line it writes to stderr. */
function timed(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Timed['lines'] = [];
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    createInterface({ input: child.stderr }).on('line', (line) => lines.push({ atMs: performance.now() - started, line }));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, ms: performance.now() - started, lines, stdout, stderr: lines.map((l) => l.line).join('\n') });
    });
  });
}

const benchRun = await benchCleanUp('provision');
const scratch = benchRun.scratch;
let lab: Lab | undefined;
benchRun.add(() => lab?.teardown());
const cleanUp = benchRun.run;

const target = (host: LabHost) => `${host.user}@${host.name}`;

/** Kills every process of each host's user and removes what either side installed. */
async function wipe(hosts: LabHost[]): Promise<void> {
  await Promise.all(
    hosts.map(async (host) => {
      await host.killAll();
      await host.run('rm -rf ~/.hopsdesk ~/*.tar ~/*.tar.gz ~/bench-upload.bin');
    }),
  );
}

// ---------------------------------------------------------------- 1. three hosts to healthy

/** Provisioning milestones, read off the CLI's progress lines (`<host> <phase> <detail>`). */
const segments = [
  ['CLI start-up, until the first host is dialled', 'startup'],
  ['login, doctor probe, checks, bundle lookup (all hosts)', 'checked'],
  ['bundle upload (all hosts, in parallel)', 'uploaded'],
  ['verify + unpack (all hosts)', 'unpacked'],
  ['service probe, then config, tokens, certificates written host after host', 'configured'],
  ['head: supervisor started, run file seen', 'headUp'],
  ['workers: port check, supervisor started, run file seen', 'workersUp'],
  ['until the head lists every host healthy', 'healthy'],
  ['printing the result, closing the core', 'exit'],
] as const;
type Milestone = (typeof segments)[number][1];

function milestones(run: Timed, head: string): Record<Milestone, number> {
  const seen = run.lines.flatMap(({ atMs, line }) => {
    const match = /^(\S+)\s+(\S+)\s+(.*)$/.exec(line);
    return match ? [{ atMs, host: match[1]!, phase: match[2]!, detail: match[3]! }] : [];
  });
  /** When the last host got to the first line matching `test` (every host must). */
  const allAt = (test: (l: (typeof seen)[number]) => boolean) => {
    const first = new Map<string, number>();
    for (const l of seen) if (test(l) && !first.has(l.host)) first.set(l.host, l.atMs);
    if (first.size !== hostNames.length) throw new Error(`progress lines missing in:\n${run.stderr}`);
    return Math.max(...first.values());
  };
  const at = (host: string, phase: string) => {
    const line = seen.find((l) => l.host === host && l.phase === phase);
    if (!line) throw new Error(`no "${phase}" line for ${host} in:\n${run.stderr}`);
    return line.atMs;
  };
  return {
    startup: Math.min(...seen.filter((l) => l.phase === 'connecting').map((l) => l.atMs)),
    checked: allAt((l) => l.phase === 'uploading'),
    uploaded: allAt((l) => l.phase === 'uploading' && l.detail.endsWith('100%')),
    unpacked: allAt((l) => l.phase === 'installing'),
    configured: at(head, 'starting'),
    headUp: at(head, 'joining'),
    workersUp: allAt((l) => l.phase === 'joining'),
    healthy: allAt((l) => l.phase === 'healthy'),
    exit: run.ms,
  };
}

/** The bundle sources the CLI will use for `workspace`, read from the core's own options. */
function bundleSources(workspace: string): { sources: BundleSources; inWorkspace: boolean } {
  const config = compileCoreOptions({ mode: 'cli', workspaceDir: workspace });
  return {
    sources: { agentFile: config.agentBundlePath, nodePath: config.nodePath, appRoot: config.appRoot, cacheDir: config.bundleCacheDir },
    // A checkout caches bundles in dist/ for every workspace; an installed app in each workspace.
    inWorkspace: config.bundleCacheDir.startsWith(path.resolve(workspace) + path.sep),
  };
}

const agentMtime = (sources: BundleSources) => statSync(sources.agentFile).mtimeMs;

/** The built bundle, built now if missing (in the cache the CLI looks in); and what it was built from. */
async function warmBundle(workspace: string): Promise<Warm['built']> {
  const { sources } = bundleSources(workspace);
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  for (;;) {
    const mtime = agentMtime(sources);
    const bundle = await agentBundle(sources, arch);
    // dist/agent may be rebuilt by someone else meanwhile: then build for the new one.
    if (agentMtime(sources) === mtime) return { bundle, agentMtimeMs: mtime };
  }
}

/** A fresh workspace; when bundles are cached per workspace, it gets a copy of the built one. */
async function freshWorkspace(bundle: AgentBundle): Promise<string> {
  const workspace = await mkdtemp(path.join(scratch, 'workspace-'));
  const { sources, inWorkspace } = bundleSources(workspace);
  if (inWorkspace) {
    await mkdir(sources.cacheDir, { recursive: true, mode: 0o700 });
    const file = path.join(sources.cacheDir, path.basename(bundle.file));
    await copyFile(bundle.file, file);
    await writeFile(`${file}.json`, JSON.stringify({ ...bundle, file }));
  }
  return workspace;
}

function clusterCreate(lab: Lab, workspace: string): Promise<Timed> {
  const [head, ...workers] = lab.hosts as [LabHost, ...LabHost[]];
  return timed(
    process.execPath,
    [
      cli, 'cluster', 'create', 'bench',
      '--head', target(head),
      ...workers.flatMap((w) => ['--worker', target(w)]),
      '--key', lab.clientKeyFile,
      '--trust-new',
      '--workspace', workspace,
    ],
    { HOPSDESK_SSH_CONFIG: lab.sshConfigFile },
    180_000,
  );
}

interface Warm {
  built: { bundle: AgentBundle; agentMtimeMs: number };
  /** Each host's etc/ (config, tokens, certificate) as <host>.tar, for the peer; set once saved. */
  etcDir: string | undefined;
}

/** Keeps each host's etc/ as our install wrote it: its agent.json names its hostId, its certificate is issued to it. */
async function saveEtc(lab: Lab, warm: Warm): Promise<void> {
  const etcDir = path.join(scratch, 'etc');
  await mkdir(etcDir, { recursive: true });
  for (const host of lab.hosts) {
    await runOrThrow('tar', ['-cf', path.join(etcDir, `${host.name}.tar`), '-C', path.join(host.home, '.hopsdesk'), 'etc']);
  }
  warm.etcDir = etcDir;
}

/**
 * Warm-up: builds the bundle (into the cache the CLI reads). Then, untimed, one `cluster
 * create` warms the CLI's compile cache and the page cache and leaves each host's etc/ for
 * the peer; `--quick` skips that and takes etc/ from its one timed round instead.
 */
async function warmUp(lab: Lab): Promise<Warm> {
  const workspace = await mkdtemp(path.join(scratch, 'warm-'));
  const warm: Warm = { built: await warmBundle(workspace), etcDir: undefined };
  if (quick) return warm;
  const run = await clusterCreate(lab, await freshWorkspace(warm.built.bundle));
  if (run.code !== 0) throw new Error(`warm-up cluster create failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
  await saveEtc(lab, warm);
  await wipe(lab.hosts);
  return warm;
}

async function runOrThrow(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Timed> {
  const run = await timed(file, args, env, 180_000);
  if (run.code !== 0) throw new Error(`${file} ${args.join(' ')} failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
  return run;
}

interface OursRound {
  ms: number;
  marks: Record<Milestone, number>;
}

async function oursRound(lab: Lab, warm: Warm): Promise<OursRound> {
  // dist/agent is rebuilt by others' work too; a round in which it changed may have built a
  // bundle, so it is redone once the new one is built: no timed round includes a build.
  for (let attempt = 0; attempt < 5; attempt++) {
    const workspace = await freshWorkspace(warm.built.bundle);
    try {
      const run = await clusterCreate(lab, workspace);
      if (run.code !== 0) throw new Error(`cluster create failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
      if (verbose) for (const l of run.lines) console.log(`    ${seconds(l.atMs).padStart(8)}  ${l.line}`);
      if (agentMtime(bundleSources(workspace).sources) !== warm.built.agentMtimeMs) {
        warm.built = await warmBundle(workspace);
        console.log(`  dist/agent changed during the round; redoing it with ${path.basename(warm.built.bundle.file)}`);
        continue;
      }
      if (warm.etcDir === undefined) await saveEtc(lab, warm);
      return { ms: run.ms, marks: milestones(run, lab.hosts[0]!.name) };
    } finally {
      await wipe(lab.hosts);
      await rm(workspace, { recursive: true, force: true });
    }
  }
  throw new Error('dist/agent kept changing: no round without a bundle build');
}

interface PeerRound {
  ms: number;
  scpMs: number;
  sshMs: number;
  waitMs: number;
}

async function peerRound(lab: Lab, warm: Warm): Promise<PeerRound> {
  try {
    const run = await runOrThrow('bash', [peerScript], {
      SSH_CONFIG: lab.sshConfigFile,
      BUNDLE: warm.built.bundle.file,
      BUNDLE_SHA256: warm.built.bundle.sha256,
      AGENT_VERSION: warm.built.bundle.version,
      ETC_DIR: warm.etcDir!,
      HOSTS: lab.hosts.map((h) => h.name).join(' '),
    });
    const steps = run.lines.filter((l) => l.line.startsWith('step '));
    const spent = { scp: 0, ssh: 0, wait: 0 };
    steps.forEach((step, i) => {
      const kind = step.line.split(' ')[1] as keyof typeof spent;
      spent[kind] += (steps[i + 1]?.atMs ?? run.ms) - step.atMs;
    });
    return { ms: run.ms, scpMs: spent.scp, sshMs: spent.ssh, waitMs: spent.wait };
  } finally {
    await wipe(lab.hosts);
  }
}

// ---------------------------------------------------------------- 2. upload throughput

async function randomFile(file: string, bytes: number): Promise<void> {
  const handle = await open(file, 'w');
  try {
    for (let done = 0; done < bytes; done += 1024 * 1024) await handle.write(randomBytes(Math.min(1024 * 1024, bytes - done)));
  } finally {
    await handle.close();
  }
}

async function uploadedSize(host: LabHost): Promise<number> {
  const result = await host.run('stat -c %s ~/bench-upload.bin');
  await host.run('rm -f ~/bench-upload.bin');
  return Number(result.stdout.trim());
}

/** ssh2 as install.ts uploads a bundle: one exec of `cat > file`, the file streamed in 256 KiB reads. */
async function ssh2Upload(lab: Lab, host: LabHost, file: string, knownHosts: ReturnType<typeof openWorkspace>['knownHosts']): Promise<number> {
  const started = performance.now();
  const link = await dial(target(host), { keyFile: lab.clientKeyFile, trustNewHostKey: true }, { knownHosts, sshConfigFile: lab.sshConfigFile });
  try {
    const shell = new RemoteShell(link.client, target(host));
    const result = await shell.exec(`cd && cat > ${shellQuote('bench-upload.bin')}`, createReadStream(file, { highWaterMark: 256 * 1024 }));
    if (result.code !== 0) throw new Error(`ssh2 upload failed (${result.code}): ${result.stderr}`);
  } finally {
    link.close();
  }
  const ms = performance.now() - started;
  if ((await uploadedSize(host)) !== uploadBytes) throw new Error('the ssh2 upload is incomplete');
  return ms;
}

async function scpUpload(lab: Lab, host: LabHost, file: string): Promise<number> {
  const run = await runOrThrow('scp', ['-q', '-F', lab.sshConfigFile, file, `${host.name}:bench-upload.bin`]);
  if ((await uploadedSize(host)) !== uploadBytes) throw new Error('the scp upload is incomplete');
  return run.ms;
}

// ---------------------------------------------------------------- the run

/** Whether bin/hopsdesk.cjs runs the bundled CLI or the TypeScript sources (it picks the newer). */
function cliEntry(): string {
  let built: number;
  try {
    built = statSync(path.join(repoRoot, 'dist', 'cli', 'hopsdesk.mjs')).mtimeMs;
  } catch {
    return 'TypeScript sources (no dist/cli)';
  }
  for (const dir of ['main', 'protocol']) {
    for (const file of readdirSync(path.join(repoRoot, dir), { recursive: true }) as string[]) {
      if (file.endsWith('.ts') && statSync(path.join(repoRoot, dir, file)).mtimeMs > built) return 'TypeScript sources (dist/cli older than them)';
    }
  }
  return 'bundled dist/cli/hopsdesk.mjs';
}

const benchStarted = performance.now();
const loadAtStart = os.loadavg()[0]!;
const ours: OursRound[] = [];
const peers: PeerRound[] = [];
const ssh2Ms: number[] = [];
const scpMs: number[] = [];
let bundle: AgentBundle;
try {
  lab = await createLab(hostNames);
  console.log(`lab: ${hostNames.length} host(s); warming up…`);
  const warm = await warmUp(lab);
  for (let i = 0; i < rounds; i++) {
    ours.push(await oursRound(lab, warm));
    peers.push(await peerRound(lab, warm));
    console.log(`  round ${i + 1}/${rounds}: hopsdesk ${seconds(ours.at(-1)!.ms)}, scp+ssh loop ${seconds(peers.at(-1)!.ms)}`);
  }
  bundle = warm.built.bundle;

  const file = path.join(scratch, 'random.bin');
  await randomFile(file, uploadBytes);
  const workspace = openWorkspace(path.join(scratch, 'upload-workspace'));
  try {
    const host = lab.hosts[0]!;
    for (let i = 0; i < rounds; i++) {
      ssh2Ms.push(await ssh2Upload(lab, host, file, workspace.knownHosts));
      scpMs.push(await scpUpload(lab, host, file));
    }
  } finally {
    workspace.close();
  }
} finally {
  await cleanUp();
}

const n = hostNames.length;
const oursMs = median(ours.map((r) => r.ms));
const peerMs = median(peers.map((r) => r.ms));
const mbps = (ms: number) => uploadBytes / 1e6 / (ms / 1000);
const ssh2Rate = median(ssh2Ms.map(mbps));
const scpRate = median(scpMs.map(mbps));
const fileLabel = `${uploadBytes / 2 ** 20} MiB`;
const table = [
  '| measure | Hopsdesk (median) | peer (median) | ratio | goal |',
  '|---|---|---|---|---|',
  `| ${n} host${n > 1 ? 's' : ''} to all healthy, bundle already built | ${seconds(oursMs)} (\`cluster create\`) | ${seconds(peerMs)} (scp + ssh \`for\` loop) | ${(oursMs / peerMs).toFixed(2)} | ≤ 1.00 |`,
  `| upload of ${fileLabel} of random bytes to one host | ${ssh2Rate.toFixed(0)} MB/s (ssh2, \`cat > file\`) | ${scpRate.toFixed(0)} MB/s (OpenSSH scp) | ${(ssh2Rate / scpRate).toFixed(2)} | ≥ 1.00 |`,
].join('\n');

// Where the time goes: each segment ends when the last host gets there (medians per segment,
// so they need not add up to the median total).
const marks = ours.map((r) => r.marks);
const segmentRows = segments.map(([what, key], i) => {
  const previous = i === 0 ? undefined : segments[i - 1]![1];
  const ms = median(marks.map((m) => m[key] - (previous === undefined ? 0 : m[previous])));
  return `| ${what} | ${seconds(ms)} |`;
});
const phases = [
  '| Hopsdesk, segment (until the last host is there) | median |',
  '|---|---|',
  ...segmentRows,
  '',
  '| peer, step (all hosts together) | median |',
  '|---|---|',
  `| bash start-up and \`scp\` of bundle + etc/ (${n}× in turn) | ${seconds(median(peers.map((p) => p.ms - p.sshMs - p.waitMs)))} |`,
  `| \`ssh\`: verify, unpack, etc/ in place, start supervisor (${n}× in turn) | ${seconds(median(peers.map((p) => p.sshMs)))} |`,
  `| \`ssh\` to the head, polling until all healthy | ${seconds(median(peers.map((p) => p.waitMs)))} |`,
].join('\n');

console.log(`\n${table}\n\n${phases}\n`);
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const load = `load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end`;
const machine = `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.versions.node}, ${(await runOrThrow('ssh', ['-V'])).stderr.trim().split(',')[0]}; ${load}`;
const details = `Bundle: ${path.basename(bundle!.file)}, ${(bundle!.bytes / 1e6).toFixed(0)} MB. CLI run from: ${cliEntry()}.`;
console.log(`${machine}\n${details}\nbench/provision took ${seconds(performance.now() - benchStarted)}`);

if (!quick) {
  const docs = path.join(repoRoot, 'docs', 'benchmarks.md');
  const previous = await readFile(docs, 'utf8').catch(() => '# Benchmarks\n');
  const section =
    `### bench/provision — ${new Date().toISOString().slice(0, 10)}\n\n` +
    `Machine: ${machine}. ${rounds} rounds each, medians. ${details}\n\n${table}\n\nWhere the time goes:\n\n${phases}\n`;
  // The figures are rewritten; the notes under them (### Notes on bench/provision) are kept.
  const figures = /### bench\/provision —[\s\S]*?(?=\n##|$)/;
  const next = figures.test(previous)
    ? previous.replace(figures, () => section.trimEnd() + '\n')
    : /^## Provisioning$/m.test(previous)
      ? previous.replace(/^## Provisioning\n/m, () => `## Provisioning\n\n${section}`)
      : `${previous.trimEnd()}\n\n## Provisioning\n\n${section}`;
  await writeFile(docs, next);
  console.log(`written to ${path.relative(repoRoot, docs)}`);
}
