/**
 * Resumable uploads. A session is opened for a path (data.write, the quota checked when
 * the size is declared), then fed by appends, each starting at the session's
 * `committedBytes`; the head commits a block once its whole pipeline acknowledged it, in
 * one transaction with the session's progress, while the next block's bytes already
 * arrive. A dropped link loses only the blocks in flight: the client asks for
 * `committedBytes` and sends from there. `complete` makes the file visible atomically
 * (replacing an existing one only then, when the session said `overwrite`); `abort`
 * drops it.
 *
 * Sessions live in the cluster database with their committed blocks, so they survive a
 * head restart; one unused for `ttlMs` expires and its blocks are reclaimed. Only the
 * user who opened a session may use it, and every call checks again that they still hold
 * data.write in its project. A newer append to a session takes over from one still in
 * flight (whose link is presumed dead): that one is stopped and its unfinished block
 * dropped before the newer one starts.
 */
import { randomBytes } from 'node:crypto';
import { HopsError } from '../../protocol/errors.ts';
import { parseFsPath, showPath, uploadLimits, type CreateUploadRequest, type FileStat, type UploadSession } from '../../protocol/fs.ts';
import type { User } from '../../protocol/projects.ts';
import type { AgentLog } from '../log.ts';
import type { BlockMap } from './block-map.ts';
import type { Namespace, Upload } from './namespace.ts';
import type { ProjectStore } from './project-store.ts';
import { formatBytes, type Quotas } from './quotas.ts';
import type { BlockWriter, OpenBlock } from './upload-sessions-blocks.ts';
import type { UploadSessionRecord, UploadSessionStore } from './upload-sessions-store.ts';

export interface UploadSessionSettings {
  /** Block size of uploads that do not ask for one. */
  blockSizeBytes: number;
  /** A session unused this long expires. */
  ttlMs: number;
}

/** One append's bytes and how to stop them coming. */
export interface AppendBody {
  offset: number;
  /** The file's last bytes (for a session without a declared size). */
  final: boolean;
  chunks: AsyncIterable<Buffer>;
  /** Stops the request the bytes come from (a newer append took over). */
  stop: () => void;
}

/** The block an append is writing, for a takeover to abort. */
interface OpenBlockRef {
  block: OpenBlock | undefined;
}

interface ActiveAppend {
  stop: () => void;
  settled: Promise<unknown>;
}

/** How often expired sessions are looked for, at most. */
const sweepEveryMs = 60_000;

export class UploadSessions {
  private readonly namespace: Namespace;
  private readonly store: UploadSessionStore;
  private readonly projects: ProjectStore;
  private readonly quotas: Quotas;
  private readonly blocks: BlockWriter;
  private readonly blockMap: Pick<BlockMap, 'reclaimSoon'>;
  private readonly settings: UploadSessionSettings;
  private readonly log: AgentLog;
  private readonly now: () => number;
  private readonly active = new Map<string, ActiveAppend>();
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(deps: {
    namespace: Namespace;
    store: UploadSessionStore;
    projects: ProjectStore;
    quotas: Quotas;
    blocks: BlockWriter;
    blockMap: Pick<BlockMap, 'reclaimSoon'>;
    settings: UploadSessionSettings;
    log: AgentLog;
    now?: () => number;
  }) {
    this.namespace = deps.namespace;
    this.store = deps.store;
    this.projects = deps.projects;
    this.quotas = deps.quotas;
    this.blocks = deps.blocks;
    this.blockMap = deps.blockMap;
    this.settings = deps.settings;
    this.log = deps.log;
    this.now = deps.now ?? Date.now;
  }

  /** Starts expiring sessions unused for `ttlMs`. */
  start(): void {
    const every = Math.min(sweepEveryMs, Math.max(1000, Math.floor(this.settings.ttlMs / 2)));
    this.sweepTimer = setInterval(() => this.expire(), every);
    this.sweepTimer.unref();
  }

  /** Stops the sweeps and every append in flight (their sessions stay, to be resumed). */
  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    const settling = [...this.active.values()].map((append) => {
      append.stop();
      return append.settled;
    });
    await Promise.allSettled(settling);
  }

  /**
   * Opens an upload of `request.path` (data.write): its directory must exist, an existing
   * file is replaced only with `overwrite`, and a declared size must fit the project's
   * quota (507 `QUOTA_EXCEEDED` before any byte moves).
   */
  async create(caller: User, request: CreateUploadRequest): Promise<UploadSession> {
    const parts = parseFsPath(request.path);
    const blockSize = request.blockSize ?? this.settings.blockSizeBytes;
    const nowMs = this.now();
    const session = await this.store.together(() => {
      const open = this.store.countOpenBy(caller.name);
      if (open >= uploadLimits.maxOpenPerUser) {
        throw new HopsError('LIMIT_REACHED', `${caller.name} has ${open} uploads open, the most one user may (${uploadLimits.maxOpenPerUser}).`, {
          hint: 'Finish or cancel an upload first; unused ones expire by themselves.',
        });
      }
      const upload = this.namespace.beginUpload(caller, request.path, {
        overwrite: request.overwrite ?? false,
        blockSize,
        replication: () => this.blocks.replicationFor(request.replication),
      });
      const project = this.projects.project(parts.project ?? '');
      if (project === undefined) throw new HopsError('PROJECT_NOT_FOUND', `The cluster has no project "${parts.project ?? ''}".`);
      if (request.size !== undefined) {
        this.quotas.ensureRoom(project, request.size, `the upload of ${showPath(request.path)} (${formatBytes(request.size)})`);
      }
      const record: UploadSessionRecord = {
        id: randomBytes(16).toString('hex'),
        inodeId: upload.inodeId,
        projectId: project.id,
        path: request.path,
        user: caller.name,
        size: request.size ?? null,
        overwrite: upload.overwrite,
        blockSize,
        replication: upload.replication,
        committedBytes: 0,
        committedBlocks: 0,
        reservedBytes: request.size ?? 0,
        createdAtMs: nowMs,
        expiresAtMs: nowMs + this.settings.ttlMs,
      };
      this.store.insert(record);
      return record;
    });
    this.log.info('upload opened', { uploadId: session.id, path: session.path, size: session.size, user: caller.name });
    return this.view(session);
  }

  /**
   * Creates the empty file `request.path` (data.write) as a whole upload would, in one
   * transaction: no session and no block, so nothing to append or complete.
   */
  async createEmpty(caller: User, request: Pick<CreateUploadRequest, 'path' | 'overwrite' | 'blockSize' | 'replication'>): Promise<FileStat> {
    const stat = await this.store.together(() =>
      this.namespace.createEmptyFile(caller, request.path, {
        overwrite: request.overwrite ?? false,
        blockSize: request.blockSize ?? this.settings.blockSizeBytes,
        replication: () => this.blocks.replicationFor(request.replication),
      }),
    );
    this.log.info('file uploaded', { path: stat.path, bytes: 0, blocks: 0, replication: stat.replication });
    return stat;
  }

  /** A session as it stands (its creator, data.write); using it pushes its expiry back. */
  status(caller: User, uploadId: string): UploadSession {
    const session = this.own(caller, uploadId);
    const expiresAtMs = this.now() + this.settings.ttlMs;
    this.store.touch(session.id, expiresAtMs);
    return this.view({ ...session, expiresAtMs });
  }

  /**
   * Appends `body` at `body.offset`, which must be the session's `committedBytes` (409
   * `UPLOAD_OFFSET_MISMATCH` otherwise). Every full block is committed as its pipeline
   * acknowledges; the last, short block only when it ends the file (the declared size,
   * or `final`). Bytes of a block not committed are dropped: the reply's `committedBytes`
   * says where to go on. A declared size is a bound; without one, crossing the project's
   * quota ends the upload with 507 `QUOTA_EXCEEDED` and nothing of it kept.
   */
  async append(caller: User, uploadId: string, body: AppendBody): Promise<UploadSession> {
    this.own(caller, uploadId);
    await this.takeOver(uploadId);
    let settle: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const open: OpenBlockRef = { block: undefined };
    // Stopping also aborts the block in flight: a pipeline to a host cut off with the client would otherwise hold on.
    const stop = () => {
      body.stop();
      void open.block?.sink.abort();
    };
    this.active.set(uploadId, { stop, settled });
    try {
      return await this.appendBlocks(caller, uploadId, body, open);
    } finally {
      if (this.active.get(uploadId)?.settled === settled) this.active.delete(uploadId);
      settle();
    }
  }

  /**
   * Makes the uploaded file visible (its creator, data.write), atomically: the file, the
   * replaced one if the session said `overwrite`, and the session's end land in one
   * transaction. A declared size must have been committed whole (400 `UPLOAD_INCOMPLETE`).
   */
  async complete(caller: User, uploadId: string): Promise<FileStat> {
    this.own(caller, uploadId);
    await this.takeOver(uploadId);
    const session = this.own(caller, uploadId);
    if (session.size !== null && session.committedBytes !== session.size) {
      throw new HopsError(
        'UPLOAD_INCOMPLETE',
        `The upload of ${showPath(session.path)} has ${session.committedBytes} of its ${session.size} bytes; send the rest from ${session.committedBytes} first.`,
        { hint: 'Append the remaining bytes from committedBytes, then complete it.' },
      );
    }
    const stat = await this.store.together(() => {
      const file = this.namespace.completeUpload(this.uploadOf(session), session.committedBytes);
      this.store.delete(session.id);
      return file;
    });
    this.log.info('file uploaded', { path: stat.path, bytes: stat.size, blocks: session.committedBlocks, replication: session.replication, uploadId });
    return stat;
  }

  /** Drops the session and everything it wrote (its creator, data.write). */
  async abort(caller: User, uploadId: string): Promise<void> {
    this.own(caller, uploadId);
    await this.takeOver(uploadId);
    const session = this.store.session(uploadId);
    if (session !== undefined) this.drop(session, 'cancelled');
  }

  /** Drops sessions unused for `ttlMs` (but not one an append is feeding). */
  expire(): number {
    let dropped = 0;
    for (const session of this.store.expired(this.now(), 100)) {
      if (this.active.has(session.id)) continue;
      this.drop(session, 'expired');
      dropped += 1;
    }
    return dropped;
  }

  // Appending.

  private async appendBlocks(caller: User, uploadId: string, body: AppendBody, open: OpenBlockRef): Promise<UploadSession> {
    let session = this.own(caller, uploadId);
    if (body.offset !== session.committedBytes) {
      throw new HopsError(
        'UPLOAD_OFFSET_MISMATCH',
        `The upload of ${showPath(session.path)} has ${session.committedBytes} bytes committed; this append starts at ${body.offset}.`,
        { field: '/offset' },
      );
    }
    if (this.ended(session)) {
      throw new HopsError('UPLOAD_OFFSET_MISMATCH', `The upload of ${showPath(session.path)} already has its last block (${session.committedBytes} bytes); complete it.`, {
        field: '/offset',
      });
    }
    // Blocks a broken append (or a head that stopped) left uncommitted are given up first.
    if (this.store.dropUncommittedBlocks(session.inodeId, session.committedBlocks) > 0) this.blockMap.reclaimSoon();
    const upload = this.uploadOf(session);
    const project = { id: session.projectId, name: parseFsPath(session.path).project ?? '' };
    // Without a declared size, the quota is checked as bytes arrive against what was free when the block opened.
    let headroom = session.size === null ? this.quotas.headroom(session.projectId) : Number.POSITIVE_INFINITY;
    let current: OpenBlock | undefined;
    // A full block's commit (its pipeline's fsyncs and acks, then the database) runs while
    // the next block's bytes arrive; at most one is in flight, and they land in order.
    // Without a declared size each waits, as the next block's room depends on it.
    let committing: Promise<UploadSessionRecord> | undefined;
    const landed = async (): Promise<UploadSessionRecord> => {
      if (committing !== undefined) {
        const pending = committing;
        committing = undefined;
        session = await pending;
      }
      return session;
    };
    let received = 0;
    try {
      for await (const chunk of body.chunks) {
        let at = 0;
        while (at < chunk.length) {
          const pendingBytes = committing === undefined ? 0 : session.blockSize;
          const position = session.committedBytes + pendingBytes + (current?.size ?? 0);
          if (session.size !== null && position + chunk.length - at > session.size) {
            throw new HopsError('VALIDATION', `The upload of ${showPath(session.path)} declared ${session.size} bytes; this append goes past them.`, {
              field: '/offset',
            });
          }
          if (current === undefined) {
            const start = session.committedBytes + pendingBytes;
            const remaining = session.size === null ? session.blockSize : Math.min(session.blockSize, session.size - start);
            current = await this.blocks.open(upload, session.committedBlocks + (committing === undefined ? 0 : 1), remaining);
          }
          open.block = current;
          const piece = chunk.subarray(at, at + session.blockSize - current.size);
          if (current.size + piece.length > headroom) {
            throw this.quotas.exceeded(project, `the upload of ${showPath(session.path)} (past ${formatBytes(session.committedBytes + current.size + piece.length)})`);
          }
          await this.blocks.write(current, piece);
          at += piece.length;
          received += piece.length;
          if (current.size === session.blockSize) {
            // Should the previous commit fail, this block is still `current`, and dropped below.
            const before = await landed();
            committing = this.commitOrDrop(before, current);
            current = undefined;
            // Heard when awaited; until then a failure must not count as unhandled.
            committing.catch(() => undefined);
            if (session.size === null) {
              await landed();
              headroom = this.quotas.headroom(session.projectId);
            }
          }
        }
      }
      await landed();
      if (current !== undefined) {
        const endsFile = body.final || (session.size !== null && session.committedBytes + current.size === session.size);
        const last = current;
        current = undefined;
        if (endsFile) session = await this.commitOrDrop(session, last);
        else await this.blocks.drop(last);
      }
      if (session.size === null && body.final && session.committedBytes % session.blockSize === 0) session = this.markEnded(session);
      return this.view(session);
    } catch (err) {
      // A commit in flight lands or fails first, so the log and the next append see where it got to.
      await landed().catch(() => undefined);
      if (current !== undefined) await this.blocks.drop(current).catch(() => undefined);
      this.blockMap.reclaimSoon();
      if (err instanceof HopsError && err.code === 'QUOTA_EXCEEDED') this.drop(session, 'over quota');
      this.log.warn('append stopped; the upload resumes from its committed bytes', {
        uploadId,
        path: session.path,
        committedBytes: session.committedBytes,
        bytesReceived: received,
        problem: (err as Error).message,
      });
      throw err;
    }
  }

  /** `commit`, and when it fails the block is given up, as a block never finished would be. */
  private async commitOrDrop(session: UploadSessionRecord, block: OpenBlock): Promise<UploadSessionRecord> {
    try {
      return await this.commit(session, block);
    } catch (err) {
      await this.blocks.drop(block).catch(() => undefined);
      throw err;
    }
  }

  /** Ends a block's pipeline and commits it with the session's progress, in one transaction. */
  private async commit(session: UploadSessionRecord, block: OpenBlock): Promise<UploadSessionRecord> {
    const written = await this.blocks.finish(block);
    const next: UploadSessionRecord = {
      ...session,
      committedBytes: session.committedBytes + written.size,
      committedBlocks: session.committedBlocks + 1,
      reservedBytes: session.size ?? session.committedBytes + written.size,
      expiresAtMs: this.now() + this.settings.ttlMs,
    };
    await this.store.together(() => {
      if (this.store.session(session.id) === undefined) {
        throw new HopsError('UPLOAD_NOT_FOUND', `The upload of ${showPath(session.path)} ended (cancelled, expired, or its directory removed) while a block was written.`);
      }
      if (session.size === null) {
        const project = { id: session.projectId, name: parseFsPath(session.path).project ?? '' };
        this.quotas.ensureRoom(project, written.size, `the upload of ${showPath(session.path)} (past ${formatBytes(next.committedBytes)})`);
      }
      this.namespace.blockWritten(this.uploadOf(session), written.blockId, written.size, written.sha256, written.hostIds);
      this.store.committed(session.id, next);
    });
    return next;
  }

  /**
   * Whether the session holds its file's last block: the declared size reached, or a short
   * last block (only the end of a file is short).
   */
  private ended(session: UploadSessionRecord): boolean {
    if (session.size !== null) return session.committedBytes === session.size && session.size > 0;
    return session.committedBytes % session.blockSize !== 0;
  }

  /**
   * A session without a declared size whose `final` append ended on a block boundary:
   * from now on its size is what it committed, so nothing more is taken.
   */
  private markEnded(session: UploadSessionRecord): UploadSessionRecord {
    const ended = { ...session, size: session.committedBytes };
    this.store.declareSize(session.id, session.committedBytes);
    return ended;
  }

  // Sessions.

  /** The session, once the caller is its creator and still holds data.write in its project. */
  private own(caller: User, uploadId: string): UploadSessionRecord {
    const session = this.store.session(uploadId);
    if (session === undefined) {
      throw new HopsError('UPLOAD_NOT_FOUND', `The cluster has no upload ${uploadId}: it finished, was cancelled, expired, or never existed.`);
    }
    if (session.user !== caller.name) {
      throw new HopsError('FORBIDDEN', `Upload ${uploadId} was started by ${session.user}; only the user who starts an upload may continue, complete or cancel it.`, {
        hint: 'Start an upload of your own.',
      });
    }
    // By role or through a share, as when the upload was opened: a share ended since closes it.
    this.namespace.requireAccess(caller, session.path, 'data.write', `writing ${session.path}`);
    return session;
  }

  /**
   * Stops any append still feeding `uploadId` and waits until it let go. Returns with no
   * append registered, so the caller's next synchronous step owns the session (of two
   * callers waiting, the later one takes over from the earlier).
   */
  private async takeOver(uploadId: string): Promise<void> {
    for (let previous = this.active.get(uploadId); previous !== undefined; previous = this.active.get(uploadId)) {
      this.log.info('a newer request takes over an upload; stopping the one in flight', { uploadId });
      previous.stop();
      await previous.settled;
    }
  }

  private drop(session: UploadSessionRecord, why: string): void {
    this.store.transaction(() => {
      this.namespace.abandonUpload(this.uploadOf(session));
      this.store.delete(session.id);
    });
    this.blockMap.reclaimSoon();
    this.log.info(`upload ${why}; its blocks are reclaimed`, { uploadId: session.id, path: session.path, committedBytes: session.committedBytes });
  }

  private uploadOf(session: UploadSessionRecord): Upload {
    return {
      inodeId: session.inodeId,
      path: session.path,
      user: session.user,
      overwrite: session.overwrite,
      replication: session.replication,
      blockSize: session.blockSize,
    };
  }

  private view(session: UploadSessionRecord): UploadSession {
    return {
      uploadId: session.id,
      path: session.path,
      size: session.size,
      committedBytes: session.committedBytes,
      blockSize: session.blockSize,
      replication: session.replication,
      expiresAtMs: session.expiresAtMs,
    };
  }
}
