/**
 * The peer: Slurm (Debian `slurm-wlm`) on the lab in a box. One MUNGE daemon for the run
 * (its own key, socket and state under the run's directory; the namespaces share this
 * machine's filesystem, so its socket serves them all as a host's own would), slurmctld in
 * the head's namespace, slurmd in each node's, each daemon in a UTS namespace of its own
 * carrying the host's name, as Slurm checks its host name against slurm.conf.
 *
 * The burst: one `sbatch` process per job (each Hopsdesk job is submitted on its own too;
 * a job array would be one submit), run as the lab user, from this process's namespace as
 * a login node would. Each job is `date +%s%N` writing the moment it started into its own
 * output file: Slurm's own start time is kept in whole seconds only. A job's submit time is
 * when its `sbatch` exited, so a little after the controller accepted it (in Slurm's favour).
 * Its end is the controller's job-completion record.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LabHost } from '../../e2e/lab/lab.ts';
import { submitBurst, type BurstSubmits, type JobTimes } from './burst.ts';
import { cgroupConf, hardwareOf, slurmConf, type SlurmConfig, type SlurmNode } from './slurm-conf.ts';

const exec = promisify(execFile);

const programs = ['/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/bin/sbatch', '/usr/bin/sinfo', '/usr/sbin/munged'];

/** Whether Slurm and MUNGE are installed, and if not, what to do. */
export function slurmSupport(): { ok: true } | { ok: false; reason: string } {
  const missing = programs.filter((p) => !existsSync(p));
  if (missing.length === 0) return { ok: true };
  return { ok: false, reason: `Slurm is not installed (${missing.join(', ')} missing): \`apt-get install slurm-wlm\`, as CI does` };
}

export interface SlurmRunOptions {
  config: SlurmConfig;
  /** This run's own directory (made here). */
  dir: string;
  controller: LabHost;
  /** The hosts whose slurmd runs jobs. */
  nodes: LabHost[];
  /** Whose jobs these are: the lab user `sbatch` runs as. */
  submitter: LabHost;
  jobs: number;
  inFlight: number;
  /** How long without a single job ending before the run is given up. */
  stallMs: number;
  log: (line: string) => void;
  /**
   * Registers a step with the benchmark's clean-up: the daemons run as root, so the lab's
   * teardown (which ends its users' processes) would leave them, on SIGINT as well.
   */
  onCleanUp: (step: () => Promise<void>) => void;
}

export interface SlurmRun {
  submits: BurstSubmits;
  jobs: JobTimes[];
}

/** A daemon this run started: stopped by its own pid. */
interface Daemon {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
}

function startDaemon(name: string, file: string, args: string[], logFile: string): Daemon {
  const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal === null) void writeFile(`${logFile}.stderr`, stderr).catch(() => undefined);
  });
  return { name, child, exited };
}

async function stopDaemon(daemon: Daemon): Promise<void> {
  if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) return;
  daemon.child.kill('SIGTERM');
  const killed = setTimeout(() => daemon.child.kill('SIGKILL'), 10_000);
  await daemon.exited;
  clearTimeout(killed);
}

/** Runs `file args` in the host's network namespace, under the host's name. */
function inHost(host: LabHost, file: string, args: string[]): [string, string[]] {
  return ['ip', ['netns', 'exec', host.namespace, 'unshare', '--uts', '--', 'sh', '-c', 'hostname "$1" && shift && exec "$@"', 'sh', host.name, file, ...args]];
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, hint: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s\n${await hint()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const tail = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).split('\n').slice(-15).join('\n');

/** Starts the peer in `options.config`, runs the burst, waits for every job to end, and stops it. */
export async function slurmBurst(options: SlurmRunOptions): Promise<SlurmRun> {
  const { dir, log } = options;
  const daemons: Daemon[] = [];
  const started = (daemon: Daemon) => {
    daemons.push(daemon);
    options.onCleanUp(() => stopDaemon(daemon));
  };
  try {
    const outDir = path.join(dir, 'out');
    const mungeDir = path.join(dir, 'munge');
    await mkdir(path.join(dir, 'state'), { recursive: true });
    await mkdir(mungeDir, { recursive: true, mode: 0o755 });
    // Jobs run as the lab user on the nodes and write their start time here.
    await mkdir(outDir, { recursive: true });
    await chmod(outDir, 0o1777);
    await chmod(dir, 0o755);

    const keyFile = path.join(mungeDir, 'munge.key');
    await writeFile(keyFile, randomBytes(1024), { mode: 0o400 });
    const socket = path.join(mungeDir, 'munge.socket');
    const munged = startDaemon('munged', '/usr/sbin/munged', [
      '--foreground', '--force', `--socket=${socket}`, `--key-file=${keyFile}`,
      `--pid-file=${path.join(mungeDir, 'munged.pid')}`, `--log-file=${path.join(mungeDir, 'munged.log')}`,
      `--seed-file=${path.join(mungeDir, 'munged.seed')}`,
      // The guide's advice for MUNGE under many RPCs; harmless for the defaults run.
      ...(options.config === 'high-throughput' ? ['--num-threads=10'] : []),
    ], path.join(mungeDir, 'munged.log'));
    started(munged);
    await waitFor('munged listening', 10_000, async () => (existsSync(socket) ? true : undefined), () => tail(path.join(mungeDir, 'munged.log')));

    const conf = path.join(dir, 'slurm.conf');
    // Every node is this machine seen from a namespace; the jobs ask for 64 MiB of it.
    const hardware = hardwareOf((await exec('/usr/sbin/slurmd', ['-C'])).stdout);
    const nodes: SlurmNode[] = options.nodes.map((h) => ({ name: h.name, address: h.address, hardware, memoryMiB: 1024 }));
    await writeFile(conf, slurmConf({ config: options.config, dir, controller: { name: options.controller.name, address: options.controller.address }, nodes, mungeSocket: socket }));
    await writeFile(path.join(dir, 'plugstack.conf'), '');
    const cgroupV1 = !existsSync('/sys/fs/cgroup/cgroup.controllers') && existsSync('/sys/fs/cgroup/memory');
    await writeFile(path.join(dir, 'cgroup.conf'), cgroupConf(cgroupV1));
    for (const node of nodes) await mkdir(path.join(dir, 'spool', node.name), { recursive: true });
    const env = { ...process.env, SLURM_CONF: conf };

    const ctldLog = path.join(dir, 'slurmctld.log');
    started(startDaemon('slurmctld', ...inHost(options.controller, '/usr/sbin/slurmctld', ['-D', '-f', conf]), ctldLog));
    for (const node of options.nodes) {
      started(startDaemon(`slurmd ${node.name}`, ...inHost(node, '/usr/sbin/slurmd', ['-D', '-N', node.name, '-f', conf]), path.join(dir, `slurmd-${node.name}.log`)));
    }
    const idle = await waitFor(
      `Slurm's ${nodes.length} nodes idle`,
      60_000,
      async () => {
        for (const d of daemons) if (d.child.exitCode !== null) throw new Error(`${d.name} exited with ${d.child.exitCode}`);
        const { stdout } = await exec('/usr/bin/sinfo', ['-h', '-N', '-o', '%N %T'], { env });
        const states = stdout.trim().split('\n').filter(Boolean);
        return states.length === nodes.length && states.every((s) => s.endsWith(' idle')) ? states : undefined;
      },
      async () => {
        const logs = [ctldLog, ...options.nodes.map((n) => path.join(dir, `slurmd-${n.name}.log`))];
        const tails = await Promise.all(logs.map(async (file) => `${path.basename(file)}:\n${await tail(file)}${await tail(`${file}.stderr`)}`));
        return tails.join('\n');
      },
    );
    log(`slurm (${options.config}): controller on ${options.controller.name}, nodes ${idle.join(', ')}`);

    const uid = Number((await exec('id', ['-u', options.submitter.user])).stdout.trim());
    const gid = Number((await exec('id', ['-g', options.submitter.user])).stdout.trim());
    const userEnv = { PATH: '/usr/bin:/bin', SLURM_CONF: conf, HOME: options.submitter.home, USER: options.submitter.user, LOGNAME: options.submitter.user };
    const submittedAt = new Map<string, number>();
    const submits = await submitBurst(options.jobs, options.inFlight, async () => {
      const { stdout } = await exec(
        '/usr/bin/sbatch',
        ['--parsable', '--job-name=noop', '--ntasks=1', '--cpus-per-task=1', '--mem=64M', `--output=${outDir}/%j.out`, '--wrap=date +%s%N'],
        { env: userEnv, uid, gid, cwd: options.submitter.home },
      ).catch((err: Error & { stderr?: string }) => {
        // sbatch says why on stderr (e.g. "Socket timed out on send/recv operation").
        throw new Error(err.stderr?.trim().split('\n').at(-1) || err.message);
      });
      const jobId = stdout.trim().split(';')[0]!;
      submittedAt.set(jobId, Date.now());
      return { jobId };
    });
    const accepted = submits.outcomes.filter((o) => o.jobId !== undefined).length;
    log(`  ${accepted}/${options.jobs} accepted in ${((submits.lastAnsweredMs - submits.firstSubmitMs) / 1000).toFixed(1)} s; waiting for them to end…`);

    const completions = path.join(dir, 'jobcomp.txt');
    let ended = 0;
    let lastProgress = Date.now();
    for (;;) {
      const now = (await readFile(completions, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
      if (now >= accepted) break;
      if (now > ended) [ended, lastProgress] = [now, Date.now()];
      if (Date.now() - lastProgress > options.stallMs) throw new Error(`Slurm (${options.config}): ${ended}/${accepted} jobs ended and none since ${options.stallMs / 1000} s\n${await tail(ctldLog)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return { submits, jobs: await jobTimes(completions, outDir, submittedAt) };
  } finally {
    for (const daemon of daemons.reverse()) await stopDaemon(daemon);
  }
}

/** `JobId=12 … JobState=COMPLETED … EndTime=2026-12-04T05:40:01 …` (the controller's local time). */
async function jobTimes(completions: string, outDir: string, submittedAt: Map<string, number>): Promise<JobTimes[]> {
  const started = new Map<string, number>();
  for (const file of await readdir(outDir)) {
    const ns = (await readFile(path.join(outDir, file), 'utf8')).trim();
    if (/^\d+$/.test(ns)) started.set(file.replace(/\.out$/, ''), Number(BigInt(ns) / 1_000_000n));
  }
  const jobs: JobTimes[] = [];
  for (const line of (await readFile(completions, 'utf8')).split('\n').filter(Boolean)) {
    const field = (name: string) => new RegExp(`(?:^| )${name}=(\\S+)`).exec(line)?.[1];
    const jobId = field('JobId')!;
    const submittedMs = submittedAt.get(jobId);
    const startedMs = started.get(jobId);
    const endedMs = new Date(field('EndTime')!).getTime();
    if (submittedMs === undefined) continue;
    const succeeded = field('JobState') === 'COMPLETED' && startedMs !== undefined;
    jobs.push({ jobId, submittedMs, startedMs: startedMs ?? Number.NaN, endedMs, succeeded });
  }
  return jobs;
}
