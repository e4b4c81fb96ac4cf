/**
 * Jobs on the wire: the head's job routes (desktop core → head, a user's token), what the
 * head tells a worker to run and what a worker reports back (cluster routes), and the job
 * as every client sees it. The specification itself is `jobs.ts`.
 *
 * The head owns the queue: a submitted job is in its database before the submit is
 * answered, and every change of state is a row there, so a head restart neither loses nor
 * repeats a job. Workers run what they are told (`WorkerJobStart`) and report what runs and
 * how it ended in each heartbeat until the head has recorded it.
 */
import { Type, type Static } from '@sinclair/typebox';
import { JobSpec, JobState, PendingReason } from './jobs.ts';
import { ProjectName, UserName } from './projects.ts';

export const jobApiLimits = {
  /** Jobs on one page of `GET jobRoutes.jobs`. */
  maxPageSize: 500,
  /** Bytes of one `GET jobRoutes.logs` answer. */
  maxLogReadBytes: 4 * 1024 * 1024,
  /** Timeline entries kept per job; the oldest beyond are dropped, the first is kept. */
  maxTimelineEntries: 200,
  /** Jobs a worker reports in one heartbeat. */
  maxReportedJobs: 10_000,
} as const;

/** `j-` and the job's submit number: short enough to type, unique in the cluster. */
export const JobId = Type.String({ minLength: 3, maxLength: 32, pattern: '^j-[0-9]+$' });

/** Why a run ended, as the worker saw it (`node-lost` is the head's word for a worker gone mid-run). */
export const JobEndReason = Type.Union([
  Type.Literal('exited'),
  Type.Literal('stopped'),
  Type.Literal('time-limit'),
  Type.Literal('failed-to-start'),
  Type.Literal('staging-failed'),
  Type.Literal('node-lost'),
  /** A job it runs after (`after`) did not succeed. */
  Type.Literal('dependency-failed'),
]);
export type JobEndReason = Static<typeof JobEndReason>;

/** What the job holds on one host. */
export const JobHostPlacement = Type.Object({
  hostId: Type.String(),
  /** The host's name as people read it. */
  name: Type.String(),
  gpus: Type.Array(Type.Integer({ minimum: 0 })),
  cpus: Type.Integer({ minimum: 0 }),
  memoryBytes: Type.Number({ minimum: 0 }),
  /** Its rank among the job's hosts (`NODE_RANK`). */
  rank: Type.Integer({ minimum: 0 }),
});
export type JobHostPlacement = Static<typeof JobHostPlacement>;

export const JobTimelineEntry = Type.Object({
  atMs: Type.Number(),
  state: JobState,
  /** Words for a person: "placed on gpu-a (GPUs 0,1)", "node lost: gpu-b stopped answering". */
  message: Type.Optional(Type.String()),
});
export type JobTimelineEntry = Static<typeof JobTimelineEntry>;

export const JobUsage = Type.Object({
  cpuSeconds: Type.Number({ minimum: 0 }),
  peakMemoryBytes: Type.Number({ minimum: 0 }),
  /** Peak GPU utilisation in percent, over its GPUs; absent without GPUs. */
  peakGpuPercent: Type.Optional(Type.Number({ minimum: 0 })),
});
export type JobUsage = Static<typeof JobUsage>;

/** A job as clients see it. */
export const Job = Type.Object({
  jobId: JobId,
  spec: JobSpec,
  state: JobState,
  /** 1 for the first run; each retry (automatic or asked for) adds one. */
  attempt: Type.Integer({ minimum: 1 }),
  submittedBy: UserName,
  submittedAtMs: Type.Number(),
  /** When the current attempt started running; absent before. */
  startedAtMs: Type.Optional(Type.Number()),
  endedAtMs: Type.Optional(Type.Number()),
  /** Why a pending job waits. */
  pendingReason: Type.Optional(PendingReason),
  /** Where the current (or last) attempt runs or ran. */
  placement: Type.Optional(Type.Array(JobHostPlacement)),
  endReason: Type.Optional(JobEndReason),
  exitCode: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  signal: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** Words for a person about how it ended: the cause and what to do. */
  message: Type.Optional(Type.String()),
  usage: Type.Optional(JobUsage),
  /** Where its output logs are kept in the project's filesystem once it ends. */
  logDir: Type.String(),
  /** The jobs it waits for (they must succeed first). */
  after: Type.Array(JobId),
  /** The schedule that submitted it, if one did. */
  scheduleId: Type.Optional(Type.String()),
  timeline: Type.Array(JobTimelineEntry),
});
export type Job = Static<typeof Job>;

/** `POST jobRoutes.jobs`. */
export const SubmitJobRequest = Type.Object(
  {
    spec: JobSpec,
    /** Start only once every one of these has succeeded (B runs when A succeeds). */
    after: Type.Optional(Type.Array(JobId, { maxItems: 64 })),
    /**
     * Makes a submit safe to repeat: the same user submitting with the same id again (after
     * a dropped link, a head restart) gets the job made the first time, never a second one.
     */
    requestId: Type.Optional(Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
  },
  { additionalProperties: false },
);
export type SubmitJobRequest = Static<typeof SubmitJobRequest>;

export const JobListQuery = Type.Object(
  {
    project: Type.Optional(ProjectName),
    /** Comma-separated states, e.g. `pending,running`. */
    state: Type.Optional(Type.String({ maxLength: 200, pattern: '^[a-z,]*$' })),
    /** Jobs submitted before this job id's submit number (the next page). */
    before: Type.Optional(JobId),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: jobApiLimits.maxPageSize })),
  },
  { additionalProperties: false },
);
export type JobListQuery = Static<typeof JobListQuery>;

/** Newest first. `next` is the `before` of the next page. */
export const JobListReply = Type.Object({ jobs: Type.Array(Job), next: Type.Optional(JobId) });
export type JobListReply = Static<typeof JobListReply>;

export const JobLogStream = Type.Union([Type.Literal('stdout'), Type.Literal('stderr')]);
export type JobLogStream = Static<typeof JobLogStream>;

export const JobLogQuery = Type.Object(
  {
    stream: Type.Optional(JobLogStream),
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
    length: Type.Optional(Type.Integer({ minimum: 1, maximum: jobApiLimits.maxLogReadBytes })),
  },
  { additionalProperties: false },
);
export type JobLogQuery = Static<typeof JobLogQuery>;

/** A piece of a log read by `GET jobRoutes.logs`. `size` is the log's size now. */
export const JobLogChunk = Type.Object({
  stream: JobLogStream,
  offset: Type.Integer({ minimum: 0 }),
  data: Type.String(),
  size: Type.Integer({ minimum: 0 }),
  /** Whether the log can still grow (the job is not over). */
  live: Type.Boolean(),
});
export type JobLogChunk = Static<typeof JobLogChunk>;

/** One message on the `jobRoutes.follow` WebSocket. */
export const JobLogMessage = Type.Union([
  Type.Object({ type: Type.Literal('line'), stream: JobLogStream, line: Type.String() }),
  /** The job ended: no more lines come. */
  Type.Object({ type: Type.Literal('end'), job: Job }),
]);
export type JobLogMessage = Static<typeof JobLogMessage>;

/** A sample of a running job's use, for its charts. */
export const JobUsageSample = Type.Object({
  atMs: Type.Number(),
  hostId: Type.String(),
  cpuPercent: Type.Number({ minimum: 0 }),
  memoryBytes: Type.Number({ minimum: 0 }),
  gpuPercent: Type.Optional(Type.Number({ minimum: 0 })),
  gpuMemoryBytes: Type.Optional(Type.Number({ minimum: 0 })),
});
export type JobUsageSample = Static<typeof JobUsageSample>;

export const JobUsageReply = Type.Object({ samples: Type.Array(JobUsageSample) });
export type JobUsageReply = Static<typeof JobUsageReply>;

/** A cron-style schedule that submits a job. */
export const JobSchedule = Type.Object({
  scheduleId: Type.String(),
  project: ProjectName,
  /** Five fields, minute first, as crontab (`*\/15 * * * *`), in UTC. */
  cron: Type.String({ minLength: 9, maxLength: 200 }),
  spec: JobSpec,
  enabled: Type.Boolean(),
  createdBy: UserName,
  nextRunMs: Type.Union([Type.Number(), Type.Null()]),
  lastJobId: Type.Optional(JobId),
});
export type JobSchedule = Static<typeof JobSchedule>;

export const CreateScheduleRequest = Type.Object(
  { cron: Type.String({ minLength: 9, maxLength: 200 }), spec: JobSpec },
  { additionalProperties: false },
);
export type CreateScheduleRequest = Static<typeof CreateScheduleRequest>;

export const ScheduleListReply = Type.Object({ schedules: Type.Array(JobSchedule) });
export type ScheduleListReply = Static<typeof ScheduleListReply>;

/** Head routes for jobs (client token: a user's). */
export const jobRoutes = {
  jobs: '/v1/jobs',
  job: '/v1/jobs/:jobId',
  stop: '/v1/jobs/:jobId/stop',
  retry: '/v1/jobs/:jobId/retry',
  logs: '/v1/jobs/:jobId/logs',
  /** WebSocket: `JobLogMessage`s, from the start of the logs, until the job ends. */
  follow: '/v1/jobs/:jobId/follow',
  usage: '/v1/jobs/:jobId/usage',
  schedules: '/v1/schedules',
  schedule: '/v1/schedules/:scheduleId',
} as const;

// ——— head ↔ worker ———

/** A dataset file to stage in: where it goes under the input and the blocks it is made of. */
export const StageFile = Type.Object({
  /** Path below the dataset's root, `/`-separated; empty for a dataset that is one file. */
  path: Type.String({ maxLength: 8192 }),
  size: Type.Integer({ minimum: 0 }),
  blocks: Type.Array(
    Type.Object({
      blockId: Type.String(),
      size: Type.Integer({ minimum: 0 }),
      sha256: Type.String(),
      /** Hosts holding a good replica, nearest first. */
      replicas: Type.Array(Type.Object({ hostId: Type.String(), address: Type.String() })),
    }),
  ),
});
export type StageFile = Static<typeof StageFile>;

/** One dataset (or a path inside one) to stage, as `inputs/<name>` in the job's working directory. */
export const StageInput = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  kind: Type.Union([Type.Literal('file'), Type.Literal('dir')]),
  files: Type.Array(StageFile),
});
export type StageInput = Static<typeof StageInput>;

/**
 * `POST workerJobRoutes.jobs`: run one attempt of a placed job on this host. Project files
 * named in the command or arguments were replaced by the head with `inputs/<name>`, and are
 * staged like the datasets.
 */
export const WorkerJobStart = Type.Object(
  {
    jobId: JobId,
    attempt: Type.Integer({ minimum: 1 }),
    argv: Type.Array(Type.String(), { minItems: 1 }),
    env: Type.Record(Type.String(), Type.String()),
    gpuIndices: Type.Array(Type.Integer({ minimum: 0 })),
    /** For a job on several hosts: torchrun's rendezvous. */
    rendezvous: Type.Optional(
      Type.Object({ masterAddr: Type.String(), masterPort: Type.Integer({ minimum: 1, maximum: 65535 }), worldSize: Type.Integer({ minimum: 1 }), rank: Type.Integer({ minimum: 0 }) }),
    ),
    inputs: Type.Array(StageInput),
    timeLimitMs: Type.Optional(Type.Integer({ minimum: 1000 })),
  },
  { additionalProperties: false },
);
export type WorkerJobStart = Static<typeof WorkerJobStart>;

/** What a worker knows of one attempt, sent in every heartbeat until the head has recorded its end. */
export const WorkerJobReport = Type.Object({
  jobId: JobId,
  attempt: Type.Integer({ minimum: 1 }),
  state: Type.Union([Type.Literal('staging'), Type.Literal('running'), Type.Literal('ended')]),
  startedAtMs: Type.Optional(Type.Number()),
  end: Type.Optional(
    Type.Object({
      reason: JobEndReason,
      exitCode: Type.Union([Type.Integer(), Type.Null()]),
      signal: Type.Union([Type.String(), Type.Null()]),
      message: Type.Optional(Type.String()),
      endedAtMs: Type.Number(),
      usage: JobUsage,
    }),
  ),
});
export type WorkerJobReport = Static<typeof WorkerJobReport>;

/** Cluster routes a worker serves for its head. */
export const workerJobRoutes = {
  jobs: '/v1/worker/jobs',
  stop: '/v1/worker/jobs/:jobId/stop',
  logs: '/v1/worker/jobs/:jobId/logs',
  usage: '/v1/worker/jobs/:jobId/usage',
  /** The files the job left in `output/`, to be written back. */
  output: '/v1/worker/jobs/:jobId/output',
  outputFile: '/v1/worker/jobs/:jobId/output/file',
} as const;
