/**
 * What a job's process is handed: its argv, checked, and its environment, built from
 * nothing but a few harmless variables of the agent's, the job's own and the ones the
 * scheduler sets for its GPUs and, on several hosts, for torchrun's rendezvous.
 */
import { jobLimits, schedulerEnvNames } from '../../protocol/jobs.ts';
import { HopsError } from '../../protocol/errors.ts';

/**
 * The only variables taken from the agent's own environment. Everything else of the
 * agent's (its tokens, its configuration) stays out of jobs.
 */
export const inheritedEnvNames = ['PATH', 'HOME', 'LANG'] as const;

/** A job's place in a job that runs on several hosts, one process per host. */
export interface JobRendezvous {
  /** Address of the host of rank 0, where the others meet. */
  masterAddr: string;
  masterPort: number;
  /** Hosts of the job: one process each. */
  worldSize: number;
  /** This host's rank, 0 … worldSize − 1. */
  rank: number;
  /**
   * The network interface the cluster reaches this host on. Gloo and NCCL otherwise pick
   * the address the host name resolves to, which is often 127.0.0.1 or another network.
   */
  networkInterface?: string;
}

/** What the scheduler placed the job on, on this host. */
export interface JobPlacement {
  /** Indices of the GPUs given to the job on this host (none: no GPU). */
  gpuIndices: readonly number[];
  /** Present when the job spans several hosts. */
  rendezvous?: JobRendezvous;
}

const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Throws a 400 `VALIDATION` naming the field unless `argv` can be handed to `execve` within the job limits. */
export function checkArgv(argv: readonly string[]): void {
  if (!Array.isArray(argv) || argv.length === 0 || argv[0] === '') throw new HopsError('VALIDATION', 'The job has no command to run.', { field: '/command' });
  if (argv.length - 1 > jobLimits.maxArgs) {
    throw new HopsError('VALIDATION', `The job has ${argv.length - 1} arguments; at most ${jobLimits.maxArgs} are allowed.`, { field: '/args' });
  }
  let bytes = 0;
  for (const [index, arg] of argv.entries()) {
    const field = index === 0 ? '/command' : `/args/${index - 1}`;
    if (typeof arg !== 'string') throw new HopsError('VALIDATION', 'Every argument must be text.', { field });
    if (arg.includes('\0')) throw new HopsError('VALIDATION', 'An argument holds a NUL character, which cannot be passed to a program.', { field });
    bytes += utf8Length(arg) + 1;
  }
  if (bytes > jobLimits.maxArgvBytes) {
    throw new HopsError('VALIDATION', `The command and its arguments take ${bytes} bytes; at most ${jobLimits.maxArgvBytes} are allowed.`, { field: '/args' });
  }
}

/**
 * The scheduler's variables: `CUDA_VISIBLE_DEVICES` always (empty when the job has no
 * GPU, so a CUDA program sees none rather than all of them), and for a job on several
 * hosts the rendezvous torchrun reads. One process runs per host, so `LOCAL_RANK` is 0
 * and `NODE_RANK` equals `RANK`; a launcher that starts one process per GPU sets its own.
 */
export function schedulerEnv(placement: JobPlacement): Record<string, string> {
  const env: Record<string, string> = { CUDA_VISIBLE_DEVICES: placement.gpuIndices.join(',') };
  const rendezvous = placement.rendezvous;
  if (rendezvous !== undefined) {
    const { masterAddr, masterPort, worldSize, rank } = rendezvous;
    const sound =
      /^[A-Za-z0-9.:-]{1,253}$/.test(masterAddr) &&
      Number.isInteger(masterPort) && masterPort >= 1 && masterPort <= 65535 &&
      Number.isInteger(worldSize) && worldSize >= 1 && worldSize <= jobLimits.maxHosts &&
      Number.isInteger(rank) && rank >= 0 && rank < worldSize;
    if (!sound) {
      throw new HopsError('VALIDATION', `The job's rendezvous is not sound: ${JSON.stringify(rendezvous)} (a host name or address, a port, and 0 ≤ rank < worldSize ≤ ${jobLimits.maxHosts}).`, { field: '/rendezvous' });
    }
    Object.assign(env, {
      MASTER_ADDR: masterAddr,
      MASTER_PORT: String(masterPort),
      WORLD_SIZE: String(worldSize),
      RANK: String(rank),
      LOCAL_RANK: '0',
      NODE_RANK: String(rank),
    });
  }
  const badIndex = placement.gpuIndices.find((index) => !Number.isInteger(index) || index < 0 || index >= jobLimits.maxGpusPerHost);
  if (badIndex !== undefined) throw new HopsError('VALIDATION', `GPU index ${badIndex} is not one a host can have.`, { field: '/gpuIndices' });
  return env;
}

/**
 * The job's whole environment: `inheritedEnvNames` from `agentEnv`, then the job's own
 * variables, then the scheduler's. Refused with a 400 `VALIDATION` naming the variable
 * before anything starts when the job's part breaks the limits of a job specification
 * (64 KiB, 1024 names) or sets a variable the scheduler owns.
 */
export function jobEnvironment(jobEnv: Readonly<Record<string, string>>, placement: JobPlacement, agentEnv: NodeJS.ProcessEnv): Record<string, string> {
  const entries = Object.entries(jobEnv);
  if (entries.length > jobLimits.maxEnvVars) {
    throw new HopsError('VALIDATION', `The environment has ${entries.length} variables; at most ${jobLimits.maxEnvVars} are allowed.`, { field: '/env' });
  }
  let bytes = 0;
  for (const [name, value] of entries) {
    const field = `/env/${name.slice(0, 64)}`;
    if (!envNamePattern.test(name) || name.length > jobLimits.maxEnvNameLength) {
      throw new HopsError('VALIDATION', `${JSON.stringify(name.slice(0, 64))} is not a variable name: letters, digits and _, not starting with a digit.`, { field });
    }
    if (typeof value !== 'string' || value.includes('\0')) {
      throw new HopsError('VALIDATION', `${name} must be text without NUL characters.`, { field });
    }
    if ((schedulerEnvNames as readonly string[]).includes(name)) {
      throw new HopsError('VALIDATION', `${name} is set by the scheduler for the GPUs and hosts it gives the job; remove it from the environment.`, { field });
    }
    bytes += utf8Length(name) + utf8Length(value) + 2;
    // Stop counting early: megabytes of environment need not be walked to be refused.
    if (bytes > jobLimits.maxEnvBytes) {
      throw new HopsError('VALIDATION', `The environment takes more than ${jobLimits.maxEnvBytes} bytes (${bytes} by ${name}); pass large data in a file of a dataset instead.`, { field: '/env' });
    }
  }
  const env: Record<string, string> = {};
  for (const name of inheritedEnvNames) {
    const value = agentEnv[name];
    if (value !== undefined) env[name] = value;
  }
  // Network hints come before the job's own variables: a job that knows better (InfiniBand) sets its own.
  const iface = placement.rendezvous?.networkInterface;
  const network: Record<string, string> = iface !== undefined && /^[A-Za-z0-9_.:-]{1,15}$/.test(iface) ? { GLOO_SOCKET_IFNAME: iface, NCCL_SOCKET_IFNAME: iface } : {};
  return { ...env, ...network, ...jobEnv, ...schedulerEnv(placement) };
}
