/**
 * How the head reaches the job service of each worker: its own (when the head is a worker
 * too) in-process, every other one over the worker's cluster listener (mutual TLS, the
 * cluster token) at the address it registered with — as the block transport does.
 */
import type { Readable } from 'node:stream';
import type { ClusterHost } from '../../protocol/host.ts';
import { HopsError } from '../../protocol/errors.ts';
import { workerJobRoutes, type JobLogStream, type JobUsageSample, type WorkerJobStart } from '../../protocol/jobs-api.ts';
import type { PeerClient } from '../blocks/peer-client.ts';
import type { OutputFile, WorkerJobs } from '../worker/worker-jobs.ts';

/** A piece of a log, as a worker's `logs` route answers it (data base64-encoded on the wire). */
export interface LogPiece {
  data: Buffer;
  size: number;
}

export interface JobWorkersDeps {
  /** This agent's job service, when it is a worker too. */
  local: { hostId: string; jobs: WorkerJobs } | undefined;
  peers: PeerClient;
  hosts: () => ClusterHost[];
}

export class JobWorkers {
  private readonly deps: JobWorkersDeps;

  constructor(deps: JobWorkersDeps) {
    this.deps = deps;
  }

  async start(hostId: string, request: WorkerJobStart): Promise<void> {
    const local = this.localJobs(hostId);
    if (local !== undefined) return local.start(request);
    await this.deps.peers.call(this.target(hostId), 'POST', workerJobRoutes.jobs, request);
  }

  async stop(hostId: string, jobId: string, attempt: number): Promise<void> {
    const local = this.localJobs(hostId);
    if (local !== undefined) return local.stop(jobId, attempt);
    await this.deps.peers.call(this.target(hostId), 'POST', route(workerJobRoutes.stop, jobId), { attempt });
  }

  async readLog(hostId: string, jobId: string, attempt: number, stream: JobLogStream, offset: number, length: number): Promise<LogPiece> {
    const local = this.localJobs(hostId);
    if (local !== undefined) return local.readLog(jobId, attempt, stream, offset, length);
    const query = new URLSearchParams({ attempt: String(attempt), stream, offset: String(offset), length: String(length) });
    const reply = await this.deps.peers.call<{ data: string; size: number }>(this.target(hostId), 'GET', `${route(workerJobRoutes.logs, jobId)}?${query.toString()}`);
    return { data: Buffer.from(reply.data, 'base64'), size: reply.size };
  }

  /** The whole log of `stream`, for keeping it in the project's filesystem. */
  async openLog(hostId: string, jobId: string, attempt: number, stream: JobLogStream): Promise<Readable> {
    const local = this.localJobs(hostId);
    if (local !== undefined) return local.openLog(jobId, attempt, stream);
    const query = new URLSearchParams({ attempt: String(attempt), stream, whole: 'true' });
    return this.deps.peers.openStream(this.target(hostId), `${route(workerJobRoutes.logs, jobId)}?${query.toString()}`);
  }

  async outputFiles(hostId: string, jobId: string, attempt: number): Promise<OutputFile[]> {
    const local = this.localJobs(hostId);
    if (local !== undefined) return local.outputFiles(jobId, attempt);
    const query = new URLSearchParams({ attempt: String(attempt) });
    return (await this.deps.peers.call<{ files: OutputFile[] }>(this.target(hostId), 'GET', `${route(workerJobRoutes.output, jobId)}?${query.toString()}`)).files;
  }

  async openOutputFile(hostId: string, jobId: string, attempt: number, path: string): Promise<Readable> {
    const local = this.localJobs(hostId);
    if (local !== undefined) return local.openOutputFile(jobId, attempt, path);
    const query = new URLSearchParams({ attempt: String(attempt), path });
    return this.deps.peers.openStream(this.target(hostId), `${route(workerJobRoutes.outputFile, jobId)}?${query.toString()}`);
  }

  async usage(hostId: string, jobId: string, attempt: number): Promise<JobUsageSample[]> {
    const local = this.localJobs(hostId);
    const samples =
      local !== undefined
        ? local.usage(jobId, attempt)
        : (await this.deps.peers.call<{ samples: JobUsageSample[] }>(this.target(hostId), 'GET', `${route(workerJobRoutes.usage, jobId)}?attempt=${attempt}`)).samples;
    return samples.map((sample) => ({ ...sample, hostId }));
  }

  private localJobs(hostId: string): WorkerJobs | undefined {
    const local = this.deps.local;
    return local !== undefined && local.hostId === hostId ? local.jobs : undefined;
  }

  private target(hostId: string): { hostId: string; address: string } {
    const host = this.deps.hosts().find((h) => h.hostId === hostId);
    if (host === undefined) throw new HopsError('HOST_NOT_FOUND', `The cluster has no host ${hostId}.`);
    return { hostId, address: host.address };
  }
}

function route(pattern: string, jobId: string): string {
  return pattern.replace(':jobId', jobId);
}
