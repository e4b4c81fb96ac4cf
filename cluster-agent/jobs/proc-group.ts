/**
 * A job's process group as Linux shows it in /proc: its members, their CPU time and
 * resident memory, and a process's start time, which tells a live process from a later
 * one that was given the same pid.
 */
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Clock ticks per second in /proc/<pid>/stat. The kernel reports these in USER_HZ, which
 * is 100 on every architecture the agent ships for (x86-64, arm64), whatever CONFIG_HZ is.
 */
export const clockTicksPerSecond = 100;

/** The fields of /proc/<pid>/stat a job runner needs. */
export interface ProcStat {
  pid: number;
  /** One letter: R running, S sleeping, Z zombie, … */
  state: string;
  pgid: number;
  /** User plus system CPU time, in clock ticks. */
  cpuTicks: number;
  /** When the process started, in clock ticks after boot. */
  startTicks: number;
}

/**
 * Parses one /proc/<pid>/stat line. The command name sits in parentheses and may itself
 * hold spaces and parentheses, so the fields are counted from the last `)`.
 */
export function parseProcStat(pid: number, text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // Fields from the third on: state(3) ppid(4) pgrp(5) … utime(14) stime(15) … starttime(22).
  const fields = text.slice(close + 2).trim().split(' ');
  const number = (field: number): number => Number(fields[field - 3]);
  const stat: ProcStat = {
    pid,
    state: fields[0] ?? '',
    pgid: number(5),
    cpuTicks: number(14) + number(15),
    startTicks: number(22),
  };
  const valid = [stat.pgid, stat.cpuTicks, stat.startTicks].every((value) => Number.isSafeInteger(value) && value >= 0);
  return valid && stat.state !== '' ? stat : undefined;
}

/** Reads /proc/<pid>/stat; undefined when the process is gone. */
export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  try {
    return parseProcStat(pid, await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Parses `VmRSS:  1234 kB` out of /proc/<pid>/status, in bytes; 0 where absent (kernel threads, zombies). */
export function parseRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s*kB/m.exec(status);
  return match?.[1] === undefined ? 0 : Number(match[1]) * 1024;
}

/** Resident memory of a process in bytes; 0 when it is gone. */
export async function readRssBytes(pid: number): Promise<number> {
  try {
    return parseRssBytes(await readFile(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return 0;
  }
}

/**
 * The live (not zombie) members of process group `pgid`. Zombies are left out: where no
 * init reaps orphans (some containers), they would keep a finished group alive forever.
 */
export async function groupMembers(pgid: number): Promise<ProcStat[]> {
  if (!signalGroup(pgid, 0)) return [];
  const members: ProcStat[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readProcStat(Number(entry));
    if (stat !== undefined && stat.pgid === pgid && stat.state !== 'Z') members.push(stat);
  }
  return members;
}

/** Sends `signal` to every process of group `pgid`; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  // A pgid below 2 would address every process we may signal, or our own group.
  if (!Number.isSafeInteger(pgid) || pgid < 2) throw new RangeError(`not a process group id: ${pgid}`);
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** Waits until group `pgid` has no live member, polling every `everyMs`; false if `timeoutMs` passes first. */
export async function waitGroupGone(pgid: number, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await groupMembers(pgid)).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

/**
 * Ends process group `pgid`: SIGTERM to all of it, SIGKILL to what is left after
 * `graceMs`. Resolves when no member is left (true), or false if one survived SIGKILL
 * for `killWaitMs` (a process stuck in the kernel, in state D).
 */
export async function endGroup(pgid: number, graceMs: number, killWaitMs = 5000): Promise<boolean> {
  if (!signalGroup(pgid, 'SIGTERM')) return true;
  if (await waitGroupGone(pgid, graceMs)) return true;
  signalGroup(pgid, 'SIGKILL');
  return waitGroupGone(pgid, killWaitMs);
}

/** This boot's id: with a start time it names one process across reboots, where pids start over. */
export async function readBootId(): Promise<string> {
  try {
    return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  } catch {
    return 'unknown';
  }
}
