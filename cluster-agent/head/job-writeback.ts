/**
 * What an ended attempt leaves in its project's filesystem, written by the head as the
 * user who submitted the job (so their rights apply, and a share that ended stops it):
 * - its logs, `/Projects/<p>/Jobs/<jobId>/attempt-<n>/stdout.log` and `stderr.log` (rank
 *   r > 0 of a multi-host job as `rank-<r>.stdout.log`);
 * - the files it left in `output/` on its first host, under `spec.output`, replacing
 *   files of the same name.
 * The `Jobs` dataset is made on a project's first job, on behalf of one of its Data Owners
 * (making a dataset takes data.import, which a Data Scientist who runs a job lacks).
 */
import type { Readable } from 'node:stream';
import type { JobLogStream } from '../../protocol/jobs-api.ts';
import type { User } from '../../protocol/projects.ts';
import type { AgentLog } from '../log.ts';
import type { FileTransfers } from './file-transfers.ts';
import type { JobWorkers } from './job-workers.ts';
import type { StoredJob } from './job-store.ts';
import { jobIdOf, jobsDatasetName, logFileOf } from './job-view.ts';
import type { Namespace } from './namespace.ts';
import type { ProjectStore } from './project-store.ts';

export interface WritebackDeps {
  namespace: Namespace;
  transfers: Pick<FileTransfers, 'upload'>;
  projects: ProjectStore;
  workers: JobWorkers;
  log: AgentLog;
}

/** What could not be kept, in words for the job's message; empty when all was. */
export type WritebackProblems = string[];

export class JobWriteback {
  private readonly deps: WritebackDeps;

  constructor(deps: WritebackDeps) {
    this.deps = deps;
  }

  /** Keeps the attempt's logs (from every host that ran it) and its output; never throws. */
  async keep(job: StoredJob, withOutput: boolean): Promise<WritebackProblems> {
    const problems: WritebackProblems = [];
    const user = this.userOf(job.submittedBy);
    if (user === undefined) return [`its submitter ${job.submittedBy} no longer exists, so its logs and output were not kept`];
    const hosts = job.placement?.hosts ?? [];
    try {
      this.ensureJobsDataset(job.project);
      for (const host of hosts) {
        for (const stream of ['stdout', 'stderr'] as JobLogStream[]) {
          const file = logFileOf(job, job.attempt, stream, host.rank);
          await this.copy(user, file, () => this.deps.workers.openLog(host.hostId, jobIdOf(job.seq), job.attempt, stream)).catch((err: Error) => {
            problems.push(`its ${stream} from ${host.name} could not be kept in ${file}: ${err.message}`);
          });
        }
      }
    } catch (err) {
      problems.push(`its logs could not be kept: ${(err as Error).message}`);
    }
    const first = hosts.find((host) => host.rank === 0);
    if (withOutput && job.spec.output !== undefined && first !== undefined) {
      await this.keepOutput(job, user, first.hostId, job.spec.output).catch((err: Error) => problems.push(`its output could not be written to ${job.spec.output}: ${err.message}`));
    }
    for (const problem of problems) this.deps.log.warn('job write-back incomplete', { jobId: jobIdOf(job.seq), problem });
    return problems;
  }

  private async keepOutput(job: StoredJob, user: User, hostId: string, output: string): Promise<void> {
    const files = await this.deps.workers.outputFiles(hostId, jobIdOf(job.seq), job.attempt);
    for (const file of files) {
      await this.copy(user, `${output}/${file.path}`, () => this.deps.workers.openOutputFile(hostId, jobIdOf(job.seq), job.attempt, file.path));
    }
  }

  /** Stores what `open` streams as the file `path`, its folders made first. */
  private async copy(user: User, path: string, open: () => Promise<Readable> | Readable): Promise<void> {
    const dir = path.slice(0, path.lastIndexOf('/'));
    this.deps.namespace.mkdir(user, dir, true);
    const stream = await open();
    await this.deps.transfers.upload(user, { path, overwrite: true }, { chunks: stream as AsyncIterable<Buffer>, stop: () => stream.destroy() }, undefined);
  }

  private ensureJobsDataset(project: string): void {
    const record = this.deps.projects.project(project);
    if (record === undefined) throw new Error(`project ${project} no longer exists`);
    const owner = this.deps.projects.members(record.id).find((member) => member.role === 'data-owner');
    const user = owner === undefined ? undefined : this.userOf(owner.user);
    if (user === undefined) throw new Error(`project ${project} has no Data Owner to make its ${jobsDatasetName} dataset`);
    this.deps.namespace.mkdir(user, `/Projects/${project}/${jobsDatasetName}`, true);
  }

  private userOf(name: string): User | undefined {
    const record = this.deps.projects.user(name);
    return record === undefined ? undefined : { name: record.name, admin: record.admin, createdAtMs: record.createdAtMs };
  }
}
