/**
 * The agent API: desktop core ↔ head (client routes) and worker ↔ head (cluster routes).
 * Every route requires `Authorization: Bearer <token>`: client routes take a user's token
 * (the client token in the agent's config is its admin's), cluster routes the cluster
 * token; the one exception is redeeming an invite, which takes `Authorization: Invite <code>`. The WebSocket at `eventsPath` streams
 * `AgentEvent`s to clients.
 *
 * An agent configured with a cluster listener serves the cluster routes there only, over
 * mutual TLS (a certificate of the cluster CA, CN = hostId), and the client routes on its
 * plain listener, which the desktop reaches through an SSH tunnel.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ClusterHost, HostInventory, HostRole, MetricsSample } from './host.ts';
import { Job, WorkerJobReport, jobApiLimits } from './jobs-api.ts';

/** Bumped on any incompatible change; the handshake compares it before anything else. */
export const AGENT_PROTOCOL_VERSION = 1;

/**
 * Set in an agent's environment by the process that starts it and stays its parent (the
 * supervisor on a cluster host, the desktop for its local agent), with stdin a pipe from
 * it: the agent stops when that pipe closes, however its parent ended.
 */
export const supervisedEnv = 'HOPSDESK_AGENT_SUPERVISED';

/**
 * Options of the Node an agent runs on, given by whoever starts it (the supervisor, the
 * desktop for its local agent). A young generation of 1 MiB per semi-space: block bytes
 * arrive as 16 KiB TLS records, each in a buffer of its own whose memory V8 counts apart
 * from its heap. The buffers die at once, but with the default semi-spaces (16 MiB and
 * more) the young generation filled so rarely that the counted memory reached V8's limit
 * first, and each 64 MB or so took a full collection. Receiving 512 MiB over TLS took 9
 * full collections and 0.93 s of CPU; with 1 MiB, 1 and 0.60 s. A create costs 3-5% more.
 */
export const agentNodeOptions: readonly string[] = ['--max-semi-space-size=1'];

export const AgentLifecycleState = Type.Union([
  Type.Literal('initialized'),
  Type.Literal('starting'),
  Type.Literal('running'),
  Type.Literal('stopping'),
  Type.Literal('stopped'),
  Type.Literal('failed'),
]);
export type AgentLifecycleState = Static<typeof AgentLifecycleState>;

export const Hello = Type.Object({
  product: Type.Literal('hopsdesk-agent'),
  agentVersion: Type.String(),
  protocolVersion: Type.Integer(),
  hostId: Type.String(),
  roles: Type.Array(HostRole),
  state: AgentLifecycleState,
  startedAtMs: Type.Number(),
  pid: Type.Integer(),
});
export type Hello = Static<typeof Hello>;

export const MetricsQuery = Type.Object(
  { sinceMs: Type.Optional(Type.Number({ minimum: 0 })) },
  { additionalProperties: false },
);
export type MetricsQuery = Static<typeof MetricsQuery>;

export const MetricsReply = Type.Object({ samples: Type.Array(MetricsSample) });
export type MetricsReply = Static<typeof MetricsReply>;

export const RegisterRequest = Type.Object(
  {
    hostId: Type.String({ minLength: 1, maxLength: 128 }),
    hostname: Type.String({ minLength: 1, maxLength: 255 }),
    address: Type.String({ minLength: 1, maxLength: 255 }),
    roles: Type.Array(HostRole, { minItems: 1, maxItems: 2 }),
    agentVersion: Type.String({ maxLength: 64 }),
    protocolVersion: Type.Integer(),
    inventory: HostInventory,
  },
  { additionalProperties: false },
);
export type RegisterRequest = Static<typeof RegisterRequest>;

export const RegisterReply = Type.Object({ heartbeatIntervalMs: Type.Integer({ minimum: 100 }) });
export type RegisterReply = Static<typeof RegisterReply>;

export const HeartbeatRequest = Type.Object(
  {
    hostId: Type.String({ minLength: 1, maxLength: 128 }),
    sample: MetricsSample,
    /** Job attempts this worker runs, and ended ones the head has not yet acknowledged. */
    jobs: Type.Optional(Type.Array(WorkerJobReport, { maxItems: jobApiLimits.maxReportedJobs })),
  },
  { additionalProperties: false },
);
export type HeartbeatRequest = Static<typeof HeartbeatRequest>;

/** Returned with 404 when the head does not know the host, so the worker re-registers. */
export const HeartbeatReply = Type.Object({
  known: Type.Boolean(),
  /** The head wants this host's full block report now (it restarted, or the host was dead). */
  sendBlockReport: Type.Optional(Type.Boolean()),
  /** Ended attempts (`jobId:attempt`) the head has recorded: stop reporting them. */
  jobsRecorded: Type.Optional(Type.Array(Type.String())),
  /** Attempts reported running that the head does not know or has ended: stop them. */
  jobsToStop: Type.Optional(Type.Array(Type.String())),
});
export type HeartbeatReply = Static<typeof HeartbeatReply>;

export const HostsReply = Type.Object({ hosts: Type.Array(ClusterHost) });
export type HostsReply = Static<typeof HostsReply>;

/** The host as it is after `POST hostDrain` (state `draining`, or `unreachable` while silent). */
export const DrainReply = Type.Object({ host: ClusterHost });
export type DrainReply = Static<typeof DrainReply>;

/** Answer to `DELETE host`: the head no longer knows the host (its next heartbeat gets 404). */
export const ForgetReply = Type.Object({ hostId: Type.String() });
export type ForgetReply = Static<typeof ForgetReply>;

export const AgentEvent = Type.Union([
  Type.Object({ type: Type.Literal('host.metrics'), hostId: Type.String(), sample: MetricsSample }),
  Type.Object({ type: Type.Literal('host.state'), host: ClusterHost }),
  /** The head forgot the host (`DELETE host`). */
  Type.Object({ type: Type.Literal('host.removed'), hostId: Type.String() }),
  /** A job changed state; sent only to members of its project (and the cluster admin). */
  Type.Object({ type: Type.Literal('job.changed'), job: Job }),
]);
export type AgentEvent = Static<typeof AgentEvent>;

/**
 * What a running agent publishes about itself in its run file (0600, written atomically
 * once it listens, removed at stop): how a desktop on the same host finds it.
 */
export const RunFile = Type.Object({
  pid: Type.Integer({ minimum: 1 }),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  host: Type.String({ minLength: 1 }),
  hostId: Type.String(),
  agentVersion: Type.String(),
  protocolVersion: Type.Integer(),
  startedAtMs: Type.Number(),
  /** The cluster listener (mutual TLS), when the agent has one. */
  cluster: Type.Optional(Type.Object({ host: Type.String({ minLength: 1 }), port: Type.Integer({ minimum: 1, maximum: 65535 }) })),
});
export type RunFile = Static<typeof RunFile>;

/** Route table, the single source of paths for the agent and its clients. */
export const agentRoutes = {
  hello: '/v1/hello',
  inventory: '/v1/inventory',
  metrics: '/v1/metrics',
  register: '/v1/cluster/register',
  heartbeat: '/v1/cluster/heartbeat',
  hosts: '/v1/cluster/hosts',
  hostMetrics: '/v1/cluster/hosts/:hostId/metrics',
  /** POST: mark the host draining (client token). */
  hostDrain: '/v1/cluster/hosts/:hostId/drain',
  /** DELETE: forget the host (client token). */
  host: '/v1/cluster/hosts/:hostId',
  events: '/v1/events',
} as const;

/**
 * A block's id: 128 random bits in lowercase hex, chosen by the head. It is the block's
 * file name on a worker, so nothing else is ever accepted as one.
 */
export const BlockId = Type.String({ pattern: '^[0-9a-f]{32}$' });

/** A host further down a block's write pipeline, dialled at `address` and known by its certificate's CN. */
export const PipelineTarget = Type.Object(
  { hostId: Type.String({ minLength: 1, maxLength: 128 }), address: Type.String({ minLength: 1, maxLength: 255 }) },
  { additionalProperties: false },
);
export type PipelineTarget = Static<typeof PipelineTarget>;

/** Headers of `PUT blockRoutes.block`. */
export const blockHeaders = {
  /** JSON `PipelineTarget[]`: the hosts the receiver forwards the bytes to, in order (empty or absent for the last). */
  pipeline: 'x-hops-pipeline',
  /** The most bytes the block will have, so a worker short of space refuses before a byte is written. */
  maxSize: 'x-hops-block-max-size',
} as const;

/** What one host of a pipeline wrote: the bytes it got and their digest. */
export const ReplicaWritten = Type.Object({ hostId: Type.String(), size: Type.Integer({ minimum: 0 }), sha256: Type.String() });
export type ReplicaWritten = Static<typeof ReplicaWritten>;

/**
 * The answer to `PUT blockRoutes.block`, sent only once the receiver and every host after
 * it wrote, fsync'd and checksummed the block: the receiver first, then each downstream host.
 */
export const BlockWriteAck = Type.Object({ blockId: Type.String(), replicas: Type.Array(ReplicaWritten) });
export type BlockWriteAck = Static<typeof BlockWriteAck>;

/** `GET blockRoutes.block`: the digest the head recorded, and where to start (to resume on another replica). */
export const BlockReadQuery = Type.Object(
  { sha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })), offset: Type.Optional(Type.Integer({ minimum: 0 })) },
  { additionalProperties: false },
);
export type BlockReadQuery = Static<typeof BlockReadQuery>;

export const DeleteBlocksRequest = Type.Object({ blockIds: Type.Array(BlockId, { maxItems: 10_000 }) }, { additionalProperties: false });
export type DeleteBlocksRequest = Static<typeof DeleteBlocksRequest>;
export const DeleteBlocksReply = Type.Object({ deleted: Type.Integer({ minimum: 0 }) });
export type DeleteBlocksReply = Static<typeof DeleteBlocksReply>;

/** Every block a worker holds (finalized, not known corrupt), sent at registration and periodically. */
export const BlockReportRequest = Type.Object(
  {
    hostId: Type.String({ minLength: 1, maxLength: 128 }),
    blocks: Type.Array(Type.Object({ id: BlockId, size: Type.Integer({ minimum: 0 }) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type BlockReportRequest = Static<typeof BlockReportRequest>;

/** Blocks the worker holds that the head no longer wants (unknown, or of deleted files): the worker deletes them. */
export const BlockReportReply = Type.Object({ delete: Type.Array(Type.String()) });
export type BlockReportReply = Static<typeof BlockReportReply>;

/** A worker found a replica whose bytes no longer match their checksum. */
export const CorruptReplicaReport = Type.Object(
  { hostId: Type.String({ minLength: 1, maxLength: 128 }), blockId: BlockId, reason: Type.String({ maxLength: 1000 }) },
  { additionalProperties: false },
);
export type CorruptReplicaReport = Static<typeof CorruptReplicaReport>;

/** Agent↔agent block routes (cluster token; on the cluster listener when there is one). */
export const blockRoutes = {
  /** PUT bytes with `blockHeaders` → `BlockWriteAck`; GET `BlockReadQuery` → the bytes; DELETE → `DeleteBlocksReply`. Every worker. */
  block: '/v1/cluster/blocks/:blockId',
  /** POST `DeleteBlocksRequest` → `DeleteBlocksReply`. Every worker. */
  deleteBlocks: '/v1/cluster/blocks/delete',
  /** POST `BlockReportRequest` → `BlockReportReply`. The head. */
  report: '/v1/cluster/blocks/report',
  /** POST `CorruptReplicaReport` → `{}`. The head. */
  corrupt: '/v1/cluster/blocks/corrupt',
} as const;
