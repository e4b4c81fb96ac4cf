/**
 * The slurm.conf of one Slurm run on the lab in a box, written into the run's own directory:
 * every state, spool, pid and log file is under it, so nothing system-wide is read or
 * touched (the daemons and commands are pointed at it with `-f` and `SLURM_CONF`).
 *
 * Two configurations of the peer:
 * - `defaults`: only what Slurm requires (the controller, the nodes, a partition, the run's
 *   paths, its authentication socket) and two settings this machine needs: process tracking
 *   by /proc, as the lab's namespaces have no cgroup of their own (Slurm's default,
 *   proctrack/cgroup, would need one); and job completion records in a text file, which is
 *   how the benchmark reads each job's end without a slurmdbd.
 * - `high-throughput`: the same plus the settings of Slurm's "High Throughput Computing
 *   Administration Guide" (https://slurm.schedmd.com/high_throughput.html): the FIFO
 *   scheduler for short jobs, deferred and batched scheduling, a bigger scheduling depth,
 *   scheduling paused while RPCs pile up, job records purged soon after the end, errors-only
 *   logging, a range of controller ports, per-core selection without memory tracking, and a
 *   longer message timeout.
 */

export type SlurmConfig = 'defaults' | 'high-throughput';

export const slurmConfigs: readonly SlurmConfig[] = ['defaults', 'high-throughput'];

export interface SlurmNode {
  name: string;
  address: string;
  /** The machine as `slurmd -C` describes it (`CPUs=2 Boards=1 … ThreadsPerCore=1`): the namespaces share it. */
  hardware: string;
  memoryMiB: number;
}

export interface SlurmConfOptions {
  config: SlurmConfig;
  /** The run's directory: state, spool, pid, log and completion files go under it. */
  dir: string;
  controller: { name: string; address: string };
  nodes: SlurmNode[];
  /** The MUNGE daemon's socket this run started. */
  mungeSocket: string;
}

/**
 * Slurm's own controller port; the high-throughput configuration listens on a range from it.
 * The lab's namespaces are the run's own, so fixed ports cannot clash with another run.
 */
const controllerPort = 6817;
/** Past the controller's range, so a node daemon may share the controller's namespace. */
const nodePort = 6821;

/** The settings of the High Throughput Computing Administration Guide, as applied here. */
export const highThroughputSettings: ReadonlyArray<readonly [string, string]> = [
  ['SchedulerType', 'sched/builtin'],
  ['SchedulerParameters', 'defer,batch_sched_delay=1,sched_min_interval=100000,default_queue_depth=1000,max_rpc_cnt=150'],
  ['SelectType', 'select/cons_tres'],
  ['SelectTypeParameters', 'CR_Core'],
  ['MinJobAge', '2'],
  ['MessageTimeout', '30'],
  ['SlurmctldDebug', 'error'],
  ['SlurmdDebug', 'error'],
];

export function slurmConf(o: SlurmConfOptions): string {
  const lines = [
    `ClusterName=hopsdeskbench`,
    `SlurmctldHost=${o.controller.name}(${o.controller.address})`,
    // The daemons run as root in this run only; jobs run as the lab user who submits them.
    `SlurmUser=root`,
    `SlurmdUser=root`,
    `AuthType=auth/munge`,
    `AuthInfo=socket=${o.mungeSocket}`,
    `StateSaveLocation=${o.dir}/state`,
    `SlurmdSpoolDir=${o.dir}/spool/%n`,
    `SlurmctldPidFile=${o.dir}/slurmctld.pid`,
    `SlurmdPidFile=${o.dir}/slurmd-%n.pid`,
    `SlurmctldLogFile=${o.dir}/slurmctld.log`,
    `SlurmdLogFile=${o.dir}/slurmd-%n.log`,
    `PlugStackConfig=${o.dir}/plugstack.conf`,
    `SlurmctldPort=${o.config === 'high-throughput' ? `${controllerPort}-${nodePort - 1}` : controllerPort}`,
    `SlurmdPort=${nodePort}`,
    `MailProg=/bin/true`,
    `ProctrackType=proctrack/linuxproc`,
    `JobCompType=jobcomp/filetxt`,
    `JobCompLoc=${o.dir}/jobcomp.txt`,
    ...(o.config === 'high-throughput' ? highThroughputSettings.map(([key, value]) => `${key}=${value}`) : []),
    ...o.nodes.map((n) => `NodeName=${n.name} NodeAddr=${n.address} ${n.hardware} RealMemory=${n.memoryMiB} State=UNKNOWN`),
    `PartitionName=bench Nodes=${o.nodes.map((n) => n.name).join(',')} Default=YES MaxTime=INFINITE State=UP`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * cgroup.conf beside slurm.conf: slurmd loads the cgroup plugin even with process tracking by
 * /proc, and its version autodetection fails where /sys/fs/cgroup is a tmpfs of v1 controllers
 * (as in containers); the version is then named instead.
 */
export function cgroupConf(v1: boolean): string {
  return `CgroupPlugin=${v1 ? 'cgroup/v1' : 'autodetect'}\n`;
}

/** The hardware fields of `slurmd -C` (`CPUs=… ThreadsPerCore=…`), for the nodes' lines. */
export function hardwareOf(slurmdC: string): string {
  const fields = ['CPUs', 'Boards', 'SocketsPerBoard', 'CoresPerSocket', 'ThreadsPerCore'].map((name) => new RegExp(`\\b${name}=\\d+`).exec(slurmdC)?.[0]);
  if (fields.some((f) => f === undefined)) throw new Error(`slurmd -C did not describe this machine:\n${slurmdC}`);
  return fields.join(' ');
}
