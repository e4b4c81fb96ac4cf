/**
 * bench/fs, parts (a) and (b), on the lab in a box (network namespaces with real sshd):
 *
 * (a) one file up to and back from the cluster's head with `hopsdesk dataset put
 *     --replication 1` and `get`, each a process timed from spawn to exit (the SSH
 *     connection and tunnel included, as a user waits for them), against OpenSSH `scp` of
 *     the same file to and from the same host, rounds interleaved. At replication 1 the head
 *     keeps the only replica on its own disk (placement takes the head first), so the bytes
 *     take exactly a one-host cluster's path;
 * (b) the same file written at replication 3 and at replication 1, rounds interleaved,
 *     through one desktop core in this process (`dataset.put`, its tunnel already open), so
 *     the difference is the replica pipeline and not connection set-up.
 *
 * The three hosts are formed into one cluster at once, with one agent bundle built before
 * anything is timed: adding workers later would build a bundle again whenever the agent was
 * rebuilt meanwhile.
 *
 * Every download is checked against the file's SHA-256 (untimed) and every file removed
 * for good after its round, ours and scp's alike.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { FileStat } from '../../protocol/fs.ts';
import { sha256File } from '../../e2e/fixtures/seeded-file.ts';
import type { Lab, LabHost } from '../../e2e/lab/lab.ts';
import { createCore } from '../../main/core/create-core.ts';
import { compileCoreOptions } from '../../main/core/options.ts';
import { agentBundle } from '../../main/provision/bundle.ts';

export interface TransferBenchOptions {
  lab: Lab;
  repoRoot: string;
  /** The file to move, and its SHA-256. */
  file: string;
  sha256: string;
  bytes: number;
  rounds: number;
  /** This run's scratch directory (the workspace and downloads go there). */
  dir: string;
  /** Whether to run (a), against scp, and (b), replication 3 against 1. */
  scp: boolean;
  replication: boolean;
  log: (line: string) => void;
}

export interface TransferFigures {
  /** Per round, in ms. */
  oursUp: number[];
  oursDown: number[];
  scpUp: number[];
  scpDown: number[];
  rf1: number[];
  rf3: number[];
}

interface Run {
  code: number | null;
  ms: number;
  stdout: string;
  stderr: string;
}

function timed(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, ms: performance.now() - started, stdout, stderr });
    });
  });
}

async function mustRun(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const run = await timed(file, args, env);
  if (run.code !== 0) throw new Error(`${path.basename(file)} ${args.slice(0, 4).join(' ')} … failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
  return run;
}

export async function transferBench(options: TransferBenchOptions): Promise<TransferFigures> {
  const { lab, file, rounds, log } = options;
  const [head, ...workers] = lab.hosts as [LabHost, ...LabHost[]];
  const workspace = path.join(options.dir, 'workspace');
  const cli = path.join(options.repoRoot, 'bin', 'hopsdesk.cjs');
  const hopsdesk = (args: string[]) => mustRun(process.execPath, [cli, ...args, '--workspace', workspace], { HOPSDESK_SSH_CONFIG: lab.sshConfigFile });
  const sshFlags = ['--key', lab.clientKeyFile, '--trust-new'];
  const back = path.join(options.dir, 'back.bin');
  const remote = '/Projects/bench/data/big.bin';
  const checkBack = async (what: string) => {
    if ((await sha256File(back)) !== options.sha256) throw new Error(`${what}: the file read back differs`);
    await rm(back, { force: true });
  };

  // The agent bundle is built (or found) before anything is timed, in the cache the CLI reads.
  const config = compileCoreOptions({ mode: 'cli', workspaceDir: workspace });
  await agentBundle({ agentFile: config.agentBundlePath, nodePath: config.nodePath, appRoot: config.appRoot, cacheDir: config.bundleCacheDir }, process.arch === 'arm64' ? 'arm64' : 'x64');
  log(`forming a cluster of ${lab.hosts.length} hosts…`);
  await hopsdesk(['cluster', 'create', 'bench', '--head', `${head.user}@${head.name}`, ...workers.flatMap((w) => ['--worker', `${w.user}@${w.name}`]), ...sshFlags]);
  await hopsdesk(['project', 'create', 'bench']);
  await hopsdesk(['dataset', 'mkdir', '/Projects/bench/data']);
  log('  formed; a project and a dataset made');

  const figures: TransferFigures = { oursUp: [], oursDown: [], scpUp: [], scpDown: [], rf1: [], rf3: [] };
  for (let round = 0; options.scp && round < rounds; round += 1) {
    figures.oursUp.push((await hopsdesk(['dataset', 'put', file, remote, '--replication', '1'])).ms);
    figures.oursDown.push((await hopsdesk(['dataset', 'get', remote, back])).ms);
    await checkBack('dataset get');
    // For good, not into the project's trash, so the rounds do not fill the hosts' disks.
    await hopsdesk(['dataset', 'rm', remote, '--permanent', '--yes']);
    figures.scpUp.push((await mustRun('scp', ['-q', '-F', lab.sshConfigFile, file, `${head.name}:bench.bin`])).ms);
    figures.scpDown.push((await mustRun('scp', ['-q', '-F', lab.sshConfigFile, `${head.name}:bench.bin`, back])).ms);
    await checkBack('scp');
    await head.run('rm -f ~/bench.bin');
    log(`  round ${round + 1}/${rounds}: put ${seconds(figures.oursUp.at(-1)!)}, get ${seconds(figures.oursDown.at(-1)!)}, scp up ${seconds(figures.scpUp.at(-1)!)}, scp down ${seconds(figures.scpDown.at(-1)!)}`);
  }

  if (!options.replication) return figures;
  const core = await createCore({ mode: 'cli', workspaceDir: workspace, startLocalCluster: true, sshConfigFile: lab.sshConfigFile, log: () => undefined });
  try {
    await core.start();
    const put = async (replication: number) => {
      const started = performance.now();
      const stat = (await core.dispatch('dataset.put', { localFile: file, path: remote, replication })) as FileStat;
      const ms = performance.now() - started;
      if (stat.size !== options.bytes || stat.replication !== replication) throw new Error(`dataset.put stored ${stat.size} bytes at replication ${stat.replication}`);
      await core.dispatch('dataset.remove', { path: remote, permanent: true });
      return ms;
    };
    // Warm the tunnel and the head's connections to the workers, untimed.
    await put(3);
    for (let round = 0; round < rounds; round += 1) {
      figures.rf3.push(await put(3));
      figures.rf1.push(await put(1));
      log(`  round ${round + 1}/${rounds}: replication 3 ${seconds(figures.rf3.at(-1)!)}, replication 1 ${seconds(figures.rf1.at(-1)!)}`);
    }
  } finally {
    await core.stop();
  }
  return figures;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
