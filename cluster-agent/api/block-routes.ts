/**
 * Agent↔agent block routes (cluster token; on the cluster listener when there is one):
 *
 * - every worker stores blocks: PUT (a hop of a write pipeline, streamed and forwarded
 *   to the hosts named in `x-hops-pipeline`), GET (each chunk checked as it is served: `send-reading.ts`),
 *   DELETE, and a batch delete;
 * - the head takes block reports and corrupt-replica reports; a certificate speaks only
 *   for its own host in them.
 *
 * An agent without the role answers with 404 saying so.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  BlockId,
  BlockReadQuery,
  BlockReportRequest,
  CorruptReplicaReport,
  DeleteBlocksRequest,
  PipelineTarget,
  blockHeaders,
  blockRoutes,
  type BlockReportReply,
  type BlockWriteAck,
  type DeleteBlocksReply,
} from '../../protocol/agent-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { fsLimits } from '../../protocol/fs.ts';
import { checkedReadBytes } from '../blocks/chunk-checksums.ts';
import { openPipeline, type PipelineHost } from '../blocks/pipeline.ts';
import { ReadBuffers } from '../blocks/read-buffers.ts';
import type { BlockMap } from '../head/block-map.ts';
import type { TokenKind } from './auth.ts';
import { assertPeerIs } from './cluster-routes.ts';
import { sendReading } from './send-reading.ts';
import { passBodiesThrough, streamedBody, streamingRoute } from './streamed-body.ts';

type Protect = (url: string, kind: TokenKind) => string;

const BlockParams = Type.Object({ blockId: BlockId });
type BlockParams = Static<typeof BlockParams>;
const pipelineChecker = TypeCompiler.Compile(Type.Array(PipelineTarget, { maxItems: fsLimits.maxReplication - 1 }));

/** How long a pipeline hop waits for the next bytes from upstream. */
const upstreamIdleMs = 120_000;
/** How long a refused block's sender gets to stop sending before its connection is cut. */
const refusedUploadGraceMs = 10_000;
/** A block report lists every block of a host: allowed up to about a million blocks. */
const maxBlockReportBytes = 64 * 1024 * 1024;

/** Declares the block routes of a worker, over its store. */
export function workerBlockRoutes(app: FastifyInstance, host: PipelineHost, protect: Protect): void {
  app.register(async (scope) => {
    passBodiesThrough(scope);
    scope.put<{ Params: BlockParams }>(
      protect(blockRoutes.block, 'cluster'),
      { schema: { params: BlockParams }, ...streamingRoute },
      async (request): Promise<BlockWriteAck> => {
        const downstream = pipelineOf(request.headers[blockHeaders.pipeline]);
        const maxSize = maxSizeOf(request.headers[blockHeaders.maxSize]);
        const { blockId } = request.params;
        try {
          const sink = await openPipeline(host, blockId, downstream, maxSize);
          try {
            for await (const chunk of streamedBody(request, upstreamIdleMs, `Block ${blockId}`)) await sink.write(chunk);
            return await sink.finish();
          } catch (err) {
            await sink.abort();
            throw err;
          }
        } catch (err) {
          // The upstream host aborts when refused; one that does not loses its connection.
          dropUnlessEnded(request.raw, refusedUploadGraceMs);
          throw err;
        }
      },
    );
  });

  app.get<{ Params: BlockParams; Querystring: Static<typeof BlockReadQuery> }>(
    protect(blockRoutes.block, 'cluster'),
    { schema: { params: BlockParams, querystring: BlockReadQuery } },
    async (request, reply) => {
      const offset = request.query.offset ?? 0;
      const buffers = new ReadBuffers(checkedReadBytes);
      const block = await host.store.read(request.params.blockId, { sha256: request.query.sha256, offset, buffers });
      await sendReading(reply, block.stream, block.size - offset, (chunk) => buffers.written(chunk));
    },
  );

  app.delete<{ Params: BlockParams }>(
    protect(blockRoutes.block, 'cluster'),
    { schema: { params: BlockParams } },
    async (request): Promise<DeleteBlocksReply> => ({ deleted: (await host.store.delete(request.params.blockId)) ? 1 : 0 }),
  );

  app.post<{ Body: Static<typeof DeleteBlocksRequest> }>(
    protect(blockRoutes.deleteBlocks, 'cluster'),
    { schema: { body: DeleteBlocksRequest } },
    async (request): Promise<DeleteBlocksReply> => {
      let deleted = 0;
      for (const id of request.body.blockIds) if (await host.store.delete(id)) deleted += 1;
      return { deleted };
    },
  );
}

/** Declares the head's block routes: block reports and corrupt replicas. */
export function headBlockRoutes(app: FastifyInstance, blockMap: Pick<BlockMap, 'report' | 'markCorrupt'>, protect: Protect): void {
  app.post<{ Body: Static<typeof BlockReportRequest> }>(
    protect(blockRoutes.report, 'cluster'),
    { schema: { body: BlockReportRequest }, bodyLimit: maxBlockReportBytes },
    async (request): Promise<BlockReportReply> => {
      assertPeerIs(request, request.body.hostId);
      return blockMap.report(request.body);
    },
  );
  app.post<{ Body: Static<typeof CorruptReplicaReport> }>(
    protect(blockRoutes.corrupt, 'cluster'),
    { schema: { body: CorruptReplicaReport } },
    async (request): Promise<Record<string, never>> => {
      assertPeerIs(request, request.body.hostId);
      blockMap.markCorrupt(request.body.hostId, request.body.blockId, request.body.reason);
      return {};
    },
  );
}

/** Declares the block routes of the roles this agent lacks, each a 404 saying so. */
export function missingRoleBlockRoutes(app: FastifyInstance, hostId: string, protect: Protect, missing: { worker: boolean; head: boolean }): void {
  const refuse = (role: string, servedBy: string) => async (_request: FastifyRequest, _reply: FastifyReply): Promise<never> => {
    throw new HopsError('NOT_FOUND', `This agent (${hostId}) has no ${role} role; ${servedBy}.`);
  };
  if (missing.worker) {
    const handler = refuse('worker', 'blocks are stored by workers');
    for (const method of ['PUT', 'GET', 'DELETE'] as const) app.route({ method, url: protect(blockRoutes.block, 'cluster'), handler });
    app.route({ method: 'POST', url: protect(blockRoutes.deleteBlocks, 'cluster'), handler });
  }
  if (missing.head) {
    const handler = refuse('head', "block reports go to the cluster's head");
    for (const url of [blockRoutes.report, blockRoutes.corrupt]) app.route({ method: 'POST', url: protect(url, 'cluster'), handler });
  }
}

/** Destroys `request`'s connection in `graceMs` unless the request is over by then. */
function dropUnlessEnded(request: IncomingMessage, graceMs: number): void {
  if (request.complete || request.destroyed) return;
  const timer = setTimeout(() => request.socket.destroy(), graceMs);
  timer.unref();
  request.once('close', () => clearTimeout(timer));
}

function pipelineOf(header: string | string[] | undefined): Static<typeof PipelineTarget>[] {
  if (header === undefined || header === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(Array.isArray(header) ? header.join(',') : header);
  } catch {
    value = undefined;
  }
  if (!pipelineChecker.Check(value)) {
    throw new HopsError('VALIDATION', `The ${blockHeaders.pipeline} header must be a JSON array of at most ${fsLimits.maxReplication - 1} {hostId, address}.`);
  }
  return value;
}

function maxSizeOf(header: string | string[] | undefined): number {
  const value = Number(Array.isArray(header) ? header[0] : header);
  if (!Number.isInteger(value) || value < 1 || value > fsLimits.maxBlockSizeBytes) {
    throw new HopsError('VALIDATION', `The ${blockHeaders.maxSize} header must be the block's largest size, 1 to ${fsLimits.maxBlockSizeBytes} bytes.`);
  }
  return value;
}
