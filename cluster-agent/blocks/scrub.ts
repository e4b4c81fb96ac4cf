/**
 * The block scrub (HDFS's block scanner): a worker reads every block on its disk against
 * its checksum now and then, slowly, so that a replica gone bad on a disk nobody reads
 * from is found — set aside and reported to the head, which copies a good replica back
 * — while good ones still exist, not on the day a read needs it.
 *
 * A pass goes through the blocks in id order at no more than `bytesPerSecond`, and the
 * next starts `intervalMs` after the last one started. Where it is goes to `stateFile`
 * after each block, so an agent started again goes on from there instead of starting over
 * (a pass over a large disk takes days at a gentle rate).
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { writeJsonFile } from '../json-file.ts';
import type { AgentLog } from '../log.ts';
import type { BlockStore } from './block-store.ts';

export interface ScrubOptions {
  intervalMs: number;
  bytesPerSecond: number;
  /** Where the scrub keeps where it is (`<dataDir>/scrub.json`). */
  stateFile: string;
  log: AgentLog;
}

/** What `stateFile` holds. */
interface ScrubState {
  /** When the pass under way (or the last one) started. */
  passStartedAtMs: number;
  /** The last block checked in that pass; absent once it is over. */
  afterBlockId?: string;
}

/** Starts scrubbing `store` in the background; resolves the returned function once stopped. */
export function startScrub(store: BlockStore, options: ScrubOptions): () => Promise<void> {
  const stopping = new AbortController();
  const running = scrubForever(store, options, stopping.signal).catch((err: unknown) => {
    if (!stopping.signal.aborted) options.log.error('the block scrub stopped', { problem: (err as Error).message });
  });
  return async () => {
    stopping.abort();
    await running;
  };
}

async function scrubForever(store: BlockStore, options: ScrubOptions, signal: AbortSignal): Promise<void> {
  let state = await readState(options.stateFile);
  for (;;) {
    if (state === undefined || state.afterBlockId === undefined) {
      // The next pass starts an interval after the last one started.
      const wait = state === undefined ? 0 : state.passStartedAtMs + options.intervalMs - Date.now();
      if (wait > 0) await delay(wait, undefined, { signal });
      state = { passStartedAtMs: Date.now(), afterBlockId: '' };
    }
    state = await scrubPass(store, options, state, signal);
  }
}

/** Checks the blocks after `state.afterBlockId`, in id order; returns the state once the pass is over. */
async function scrubPass(store: BlockStore, options: ScrubOptions, state: ScrubState, signal: AbortSignal): Promise<ScrubState> {
  const started = performance.now();
  const after = state.afterBlockId ?? '';
  const blocks = (await store.list()).filter((block) => block.id > after).sort((a, b) => (a.id < b.id ? -1 : 1));
  let bytes = 0;
  let corrupt = 0;
  let unreadable = 0;
  for (const block of blocks) {
    signal.throwIfAborted();
    try {
      // A corrupt replica is set aside and reported by the store itself.
      if ((await store.verify(block.id)) === 'corrupt') corrupt += 1;
    } catch (err) {
      // A block the disk will not give back (EIO) is left to the reads and block reports; the pass goes on.
      unreadable += 1;
      options.log.warn('block scrub could not read a block', { blockId: block.id, problem: (err as Error).message });
    }
    bytes += block.size;
    await writeJsonFile(options.stateFile, { passStartedAtMs: state.passStartedAtMs, afterBlockId: block.id } satisfies ScrubState);
    // Reads no faster than the rate: the disk is the users' first.
    const due = (bytes / options.bytesPerSecond) * 1000 - (performance.now() - started);
    if (due > 0) await delay(due, undefined, { signal });
  }
  const done: ScrubState = { passStartedAtMs: state.passStartedAtMs };
  await writeJsonFile(options.stateFile, done);
  options.log.info('block scrub pass finished', { blocks: blocks.length, bytes, corrupt, unreadable, seconds: Math.round((performance.now() - started) / 1000) });
  return done;
}

async function readState(file: string): Promise<ScrubState | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Partial<ScrubState>;
    if (typeof value.passStartedAtMs !== 'number') return undefined;
    return { passStartedAtMs: value.passStartedAtMs, ...(typeof value.afterBlockId === 'string' ? { afterBlockId: value.afterBlockId } : {}) };
  } catch {
    // None yet, or unreadable: a pass starts now.
    return undefined;
  }
}
