/**
 * One agent per data directory, and one supervisor. Each lock is a file created
 * exclusively that holds the owner's pid (`agent.lock`, `supervisor.pid`); a lock whose
 * pid is no longer alive (the process was killed) is taken over. It is created by
 * hard-linking a fully written 0600 temp file, so no reader ever sees an empty lock that
 * a starting process has not filled in yet.
 */
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HopsError } from '../protocol/errors.ts';

/** Who holds which lock, for file names and messages. */
const holders = {
  agent: { name: 'agent.lock', who: 'the agent', uses: 'is in use by' },
  supervisor: { name: 'supervisor.pid', who: 'the supervisor', uses: 'is already supervised by' },
} as const;
type Holder = keyof typeof holders;

/**
 * Lock files this process holds. A lock naming our own pid is ours only if listed here;
 * otherwise it was left by an earlier process that happened to have the same pid
 * (common in containers) and is stale.
 */
const heldHere = new Set<string>();

/** A held lock on a data directory. */
export interface DataDirLock {
  readonly file: string;
  /** Removes the lock file if it still names this process. */
  release(): Promise<void>;
}

/**
 * Takes the lock on `dataDir` for this process; throws
 * `AGENT_ALREADY_RUNNING` when a live process holds it.
 */
export function acquireDataDirLock(dataDir: string): Promise<DataDirLock> {
  return acquire(dataDir, 'agent');
}

/**
 * Takes the supervisor's lock on `dataDir`, whose file `supervisor.pid` is also how
 * others find the supervisor; throws `AGENT_ALREADY_RUNNING` when a live one holds it.
 */
export function acquireSupervisorLock(dataDir: string): Promise<DataDirLock> {
  return acquire(dataDir, 'supervisor');
}

async function acquire(dataDir: string, holder: Holder): Promise<DataDirLock> {
  const pid = process.pid;
  const file = path.join(dataDir, holders[holder].name);
  const temp = `${file}.${pid}.tmp`;
  await writeFile(temp, `${pid}\n`, { mode: 0o600 });
  try {
    return await takeLock(file, temp, pid, holder);
  } finally {
    await unlink(temp).catch(ignoreMissing);
  }
}

async function takeLock(file: string, temp: string, pid: number, kind: Holder): Promise<DataDirLock> {
  // Two rounds: create, or remove a stale lock and create again. A second EEXIST means
  // another agent won a race for the stale lock, so it is reported like a live holder.
  for (let round = 0; round < 2; round += 1) {
    try {
      await link(temp, file);
      heldHere.add(file);
      return { file, release: () => releaseLock(file, pid) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readHolder(file);
    const live = holder === pid ? heldHere.has(file) : holder !== undefined && isAlive(holder);
    if (live) {
      throw alreadyRunning(file, holder, kind);
    }
    await unlink(file).catch(ignoreMissing);
  }
  throw alreadyRunning(file, await readHolder(file), kind);
}

async function releaseLock(file: string, pid: number): Promise<void> {
  if (!heldHere.delete(file)) return;
  if ((await readHolder(file)) === pid) await unlink(file).catch(ignoreMissing);
}

/** The pid in a lock file; undefined when it is missing or garbled. */
async function readHolder(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (EPERM means it exists but is another user's). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function alreadyRunning(file: string, holder: number | undefined, kind: Holder): HopsError {
  const { who, uses } = holders[kind];
  const named = holder === undefined ? who.replace('the ', 'another ') : `${who} with pid ${holder}`;
  return new HopsError('AGENT_ALREADY_RUNNING', `The data directory ${uses} ${named} (lock ${file}).`, {
    hint: `Stop that ${kind} or use it. If no ${kind} runs with that pid, delete ${file}.`,
  });
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}
