/**
 * Following job logs: one WebSocket to the head's `jobRoutes.follow` per follow, its lines
 * passed on as `job.log` events in batches (a flood of lines becomes a few events a second,
 * not one event per line) and a closing `job.logEnd`. Every follow of a cluster ends when
 * that cluster's connection drops — and so all of them when the core stops (the window
 * went, or the command finished), since stopping disconnects every cluster.
 */
import { randomBytes } from 'node:crypto';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import WebSocket from 'ws';
import { HopsError } from '../../protocol/errors.ts';
import { JobLogMessage, jobRoutes, type Job, type JobLogStream } from '../../protocol/jobs-api.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { AgentEndpoint } from './agent-client.ts';
import { wireError } from './head-http.ts';

export const jobFollowLimits = {
  /** Follows open at once in one desktop (each holds a socket to the head). */
  maxFollows: 64,
  /** Lines are gathered this long before one event carries them. */
  flushEveryMs: 100,
  /** Lines in one `job.log` event; more go in the next ones of the same flush. */
  maxLinesPerEvent: 2000,
  /** One WebSocket message from the head; a longer line is a broken head, not a log. */
  maxMessageBytes: 4 * 1024 * 1024,
  handshakeTimeoutMs: 5_000,
} as const;

const isLogMessage = TypeCompiler.Compile(JobLogMessage);

interface Follow {
  cluster: string;
  jobId: string;
  socket: WebSocket;
  /** Runs of lines of one stream, in the order they came. */
  pending: Array<{ stream: JobLogStream; lines: string[] }>;
  timer: NodeJS.Timeout | undefined;
}

export class JobFollows {
  private readonly bus: EventBus;
  private readonly open = new Map<string, Follow>();

  constructor(bus: EventBus) {
    this.bus = bus;
    // A follow's socket goes through the cluster's link: when the link drops, the follow is over.
    bus.subscribe((event, payload) => {
      if (event !== 'connection.changed') return;
      const { cluster, connection } = payload as { cluster: string; connection: { state: string; detail: string } };
      if (connection.state === 'connected') return;
      for (const [followId, follow] of this.open) {
        if (follow.cluster === cluster) {
          this.end(followId, { error: `The connection to cluster "${cluster}" dropped (${connection.detail}); follow the log again once it is back.` });
        }
      }
    });
  }

  /** Opens a follow of `jobId`'s logs on the head at `endpoint`; lines arrive as events under the returned id. */
  start(cluster: string, endpoint: AgentEndpoint, jobId: string): { followId: string } {
    if (this.open.size >= jobFollowLimits.maxFollows) {
      throw new HopsError('LIMIT_REACHED', `${jobFollowLimits.maxFollows} job logs are being followed already.`, {
        hint: 'Stop following another job log first (close its log view, or job.unfollow).',
      });
    }
    const followId = randomBytes(9).toString('base64url');
    const url = endpoint.baseUrl.replace(/^http/, 'ws') + jobRoutes.follow.replace(':jobId', encodeURIComponent(jobId));
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${endpoint.token}` },
      handshakeTimeout: jobFollowLimits.handshakeTimeoutMs,
      maxPayload: jobFollowLimits.maxMessageBytes,
    });
    const follow: Follow = { cluster, jobId, socket, pending: [], timer: undefined };
    this.open.set(followId, follow);

    socket.on('message', (data) => {
      let message: unknown;
      try {
        message = JSON.parse(String(data));
      } catch {
        message = undefined;
      }
      if (!isLogMessage.Check(message)) {
        this.end(followId, { error: `The head sent a log message this desktop does not understand for job ${jobId}; update Hopsdesk or the agents.` });
        return;
      }
      if (message.type === 'end') this.end(followId, { job: message.job });
      else this.add(followId, follow, message.stream, message.line);
    });
    // A refused upgrade carries the head's error (404 JOB_NOT_FOUND, 403 naming the permission).
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < 64 * 1024) body += chunk;
      });
      response.on('end', () => this.end(followId, { error: wireError(response.statusCode ?? 500, body, `the log of job ${jobId}`).message }));
      response.on('error', () => this.end(followId, { error: `The head refused to stream the log of job ${jobId} (${response.statusCode}).` }));
    });
    socket.on('error', (err) => this.end(followId, { error: `The log stream of job ${jobId} failed: ${err.message}.` }));
    // The head closes with its reason when it cannot go on (the job is unknown, the follower too slow).
    socket.on('close', (code, reason) => {
      const why = reason.length > 0 ? `: ${reason.toString('utf8')}` : ` (${code})`;
      this.end(followId, { error: `The head closed the log stream of job ${jobId} before the job ended${why}.` });
    });
    return { followId };
  }

  /** Stops a follow without a `job.logEnd`; following an ended or unknown follow again is harmless. */
  stop(followId: string): void {
    const follow = this.open.get(followId);
    if (!follow) return;
    this.open.delete(followId);
    clearTimeout(follow.timer);
    follow.socket.terminate();
  }

  private add(followId: string, follow: Follow, stream: JobLogStream, line: string): void {
    const last = follow.pending.at(-1);
    if (last?.stream === stream) last.lines.push(line);
    else follow.pending.push({ stream, lines: [line] });
    follow.timer ??= setTimeout(() => this.flush(followId, follow), jobFollowLimits.flushEveryMs);
  }

  private flush(followId: string, follow: Follow): void {
    clearTimeout(follow.timer);
    follow.timer = undefined;
    for (const { stream, lines } of follow.pending) {
      for (let start = 0; start < lines.length; start += jobFollowLimits.maxLinesPerEvent) {
        this.bus.emit('job.log', { followId, jobId: follow.jobId, stream, lines: lines.slice(start, start + jobFollowLimits.maxLinesPerEvent) });
      }
    }
    follow.pending = [];
  }

  /** The last lines go out first, then the end; only the first end of a follow counts. */
  private end(followId: string, how: { job?: Job; error?: string }): void {
    const follow = this.open.get(followId);
    if (!follow) return;
    this.flush(followId, follow);
    this.open.delete(followId);
    follow.socket.terminate();
    this.bus.emit('job.logEnd', { followId, jobId: follow.jobId, ...how });
  }
}
