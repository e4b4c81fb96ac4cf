/**
 * A worker's block reports: every block on its disk, sent to the head at registration
 * and periodically; the head answers with the blocks it no longer wants (unknown, or of
 * deleted files), which the worker deletes. A worker-only agent sends them through its
 * head link; a head that is also a worker hands them over in-process.
 */
import type { BlockReportReply, BlockReportRequest } from '../../protocol/agent-api.ts';
import type { BlockMap } from '../head/block-map.ts';
import type { AgentLog } from '../log.ts';
import type { BlockStore } from './block-store.ts';

/** The report's entries: every whole block on disk, from a fresh scan. */
export async function collectBlockReport(store: BlockStore): Promise<BlockReportRequest['blocks']> {
  return (await store.list()).map(({ id, size }) => ({ id, size }));
}

/** Deletes the blocks the head answered it no longer wants. */
export async function applyBlockReportReply(store: BlockStore, reply: BlockReportReply, log: AgentLog): Promise<void> {
  let deleted = 0;
  for (const id of reply.delete) if (await store.delete(id)) deleted += 1;
  if (deleted > 0) log.info('deleted blocks the head no longer wants', { blocks: deleted });
}

/** Reports this host's blocks to its own head now and every `intervalMs`; returns the function that stops. */
export function reportInProcess(blockMap: Pick<BlockMap, 'report'>, store: BlockStore, hostId: string, intervalMs: number, log: AgentLog): () => Promise<void> {
  let running: Promise<void> | undefined;
  const report = (): void => {
    if (running !== undefined) return;
    running = (async () => {
      const reply = blockMap.report({ hostId, blocks: await collectBlockReport(store) });
      await applyBlockReportReply(store, reply, log);
    })()
      .catch((err: unknown) => log.warn('block report failed', { problem: (err as Error).message }))
      .finally(() => (running = undefined));
  };
  report();
  const timer = setInterval(report, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
