/**
 * The filesystem's health as the head reports it (as `hdfs fsck` and `hdfs dfsadmin
 * -safemode get` do): totals, blocks short of replicas, blocks no live host holds,
 * corrupt replicas, and whether the head is in safe mode after a restart.
 *
 * A block is counted once, in its worst state: `missing` (no finalized replica on a
 * reachable host: reads fail), then `corrupt` (a replica failed its checksum and waits
 * to be replaced), then `underReplicated` (fewer finalized replicas on reachable hosts
 * than its file's replication). Lists are capped at `fsckLimits.maxListed`; the counts
 * are always whole.
 */
import { Type, type Static } from '@sinclair/typebox';
import { FsPath, ReplicaState } from './fs.ts';

export const fsckLimits = {
  /** Most blocks listed per kind of problem; the counts go on past it. */
  maxListed: 1000,
} as const;

/** `GET fsck`: the whole cluster (admin) or the tree under `path` (a Data Owner of its project, or the admin). */
export const FsckQuery = Type.Object({ path: Type.Optional(FsPath) }, { additionalProperties: false });
export type FsckQuery = Static<typeof FsckQuery>;

/** Safe mode: the head's filesystem is read-only after a start until enough blocks are reported. */
export const SafeModeState = Type.Object({
  on: Type.Boolean(),
  /** What it waits for (or why it ended), in words. */
  reason: Type.String(),
  /** Blocks of complete files, and how many of them a reporting worker holds. */
  blocksTotal: Type.Integer({ minimum: 0 }),
  blocksReported: Type.Integer({ minimum: 0 }),
  /** Share of blocks that must be reported, 0–1. */
  threshold: Type.Number({ minimum: 0, maximum: 1 }),
  workersReported: Type.Integer({ minimum: 0 }),
  workersRegistered: Type.Integer({ minimum: 0 }),
  /** When the head started, and when safe mode ends at the latest. */
  sinceMs: Type.Number(),
  untilMs: Type.Number(),
});
export type SafeModeState = Static<typeof SafeModeState>;

/** `GET status`: what the desktop shows about the filesystem as a whole. */
export const FsStatus = Type.Object({ safeMode: SafeModeState });
export type FsStatus = Static<typeof FsStatus>;

/** One block with a problem: its file, its place in it, and every replica the head knows. */
export const FsckBlock = Type.Object({
  path: Type.String(),
  blockId: Type.String(),
  index: Type.Integer({ minimum: 0 }),
  size: Type.Integer({ minimum: 0 }),
  replication: Type.Integer({ minimum: 0 }),
  /** Finalized replicas on reachable hosts. */
  live: Type.Integer({ minimum: 0 }),
  replicas: Type.Array(Type.Object({ hostId: Type.String(), state: ReplicaState, hostState: Type.String() })),
});
export type FsckBlock = Static<typeof FsckBlock>;

const ProblemList = Type.Object({ count: Type.Integer({ minimum: 0 }), blocks: Type.Array(FsckBlock) });

export const FsckVerdict = Type.Union([Type.Literal('HEALTHY'), Type.Literal('UNDER_REPLICATED'), Type.Literal('CORRUPT')]);
export type FsckVerdict = Static<typeof FsckVerdict>;

export const FsckReport = Type.Object({
  path: Type.String(),
  checkedAtMs: Type.Number(),
  totals: Type.Object({
    files: Type.Integer({ minimum: 0 }),
    dirs: Type.Integer({ minimum: 0 }),
    blocks: Type.Integer({ minimum: 0 }),
    bytes: Type.Integer({ minimum: 0 }),
  }),
  underReplicated: ProblemList,
  missing: ProblemList,
  corrupt: ProblemList,
  /** Workers by state: how many the head counts replicas on. */
  workers: Type.Object({ live: Type.Integer({ minimum: 0 }), dead: Type.Integer({ minimum: 0 }), total: Type.Integer({ minimum: 0 }) }),
  safeMode: SafeModeState,
  /** CORRUPT when a block is missing or corrupt, UNDER_REPLICATED when one is short, else HEALTHY. */
  verdict: FsckVerdict,
});
export type FsckReport = Static<typeof FsckReport>;
