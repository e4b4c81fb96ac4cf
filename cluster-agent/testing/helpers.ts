/** Shared pieces of the agent's tests: temp dirs, tokens, a capturing logger, bounded waits. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { HostInventory } from '../../protocol/host.ts';
import { compileAgentConfig, type AgentConfig, type AgentTokens } from '../config.ts';
import { createAgentLog, type AgentLog } from '../log.ts';

/** Tokens used by in-process tests (never real ones). */
export const testTokens: AgentTokens = {
  client: 'test-client-token-0123456789abcdef',
  cluster: 'test-cluster-token-fedcba9876543210',
};

/** An inventory of a made-up Linux host `<hostId>.lab`; fields can be overridden. */
export function testInventory(hostId: string, overrides: Partial<HostInventory> = {}): HostInventory {
  return {
    hostId,
    hostname: `${hostId}.lab`,
    os: { name: 'Debian GNU/Linux', version: '12', platform: 'linux', arch: 'x64' },
    kernel: '6.1.0',
    cpu: { model: 'EPYC', cores: 8 },
    memory: { totalBytes: 2 ** 34 },
    disks: [],
    gpus: [],
    labels: [],
    collectedAtMs: 1,
    ...overrides,
  };
}

/** A fresh temp dir, and a function that removes it. */
export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-agent-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A logger that keeps lines in memory (parsed), masking the test tokens like the real one. */
export function memoryLog(): AgentLog & { lines: string[]; entries: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const log = createAgentLog({ sink: (line) => lines.push(line), secrets: [testTokens.client, testTokens.cluster] });
  return Object.assign(log, {
    lines,
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  });
}

/** A compiled config for an agent under `dir`, with quick intervals for tests. */
export function testConfig(dir: string, overrides: Record<string, unknown> = {}): Promise<AgentConfig> {
  return compileAgentConfig(
    {
      hostId: 'test-host',
      dataDir: 'data',
      roles: ['head', 'worker'],
      tokens: testTokens,
      metricsIntervalMs: 100,
      heartbeatIntervalMs: 100,
      unreachableAfterMs: 400,
      ...overrides,
    },
    { source: 'test config', baseDir: dir },
  );
}

/**
 * Polls `probe` until it returns something other than undefined or false, at most
 * `timeoutMs`; fails naming `what` otherwise.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
