/**
 * A real little cluster for filesystem tests: a head that is also a worker and worker-only
 * agents, in-process, each with its own data dir and a certificate of one test CA, joined
 * over mutual TLS on 127.0.0.1; and a client of the head's API as the desktop calls it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { agentRoutes, type HostsReply } from '../../protocol/agent-api.ts';
import { fsRoutes, type BlockLocations, type FileStat } from '../../protocol/fs.ts';
import { projectRoutes } from '../../protocol/projects.ts';
import { startAgent, type AgentHandle } from '../agent.ts';
import type { AgentConfig } from '../config.ts';
import { memoryLog, testConfig, testTokens, waitFor } from './helpers.ts';
import { hostCert, makeTestPki, type TestPki } from './pki.ts';

export interface ClusterAgent {
  hostId: string;
  dir: string;
  dataDir: string;
  handle: AgentHandle;
  log: ReturnType<typeof memoryLog>;
}

export interface Reply {
  status: number;
  bytes: Buffer;
  text: string;
  json<T>(): T;
}

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Bytes that differ at every position, so a misplaced block shows. */
export function testBytes(size: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i += 1) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

/** Every block file (and partial block) under `dataDir/blocks`. */
export async function blockFiles(dataDir: string): Promise<{ blocks: string[]; partial: string[]; corrupt: string[] }> {
  const entries = await readdir(path.join(dataDir, 'blocks'), { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  return {
    blocks: files.filter((f) => /blk_[0-9a-f]{32}_[0-9a-f]{64}$/.test(f)),
    partial: files.filter((f) => f.endsWith('.part')),
    corrupt: files.filter((f) => f.endsWith('.corrupt')),
  };
}

/** The file holding block `blockId` in `dataDir`. */
export async function blockFile(dataDir: string, blockId: string): Promise<string> {
  const { blocks } = await blockFiles(dataDir);
  const file = blocks.find((f) => path.basename(f).startsWith(`blk_${blockId}_`));
  assert.ok(file !== undefined, `block ${blockId} in ${dataDir}`);
  return file;
}

export class TestCluster {
  readonly agents: ClusterAgent[] = [];
  private readonly configs = new Map<string, AgentConfig>();
  private pki: TestPki | undefined;
  private readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  get head(): ClusterAgent {
    const head = this.agents[0];
    assert.ok(head !== undefined, 'the cluster has a head');
    return head;
  }

  agent(hostId: string): ClusterAgent {
    const agent = this.agents.find((a) => a.hostId === hostId);
    assert.ok(agent !== undefined, `agent ${hostId}`);
    return agent;
  }

  /** Starts `head-1` (head and worker) and `workers` worker-only agents, and waits until all are healthy. */
  async start(
    workers: number,
    options: { filesystem?: Record<string, unknown>; agent?: Record<string, unknown>; beforeStart?: (hostId: string, dataDir: string) => Promise<void> } = {},
  ): Promise<void> {
    const hostIds = ['head-1', ...Array.from({ length: workers }, (_, i) => `worker-${i + 1}`)];
    this.pki = await makeTestPki(path.join(this.root, 'pki'), hostIds);
    for (const hostId of hostIds) {
      const dir = path.join(this.root, hostId);
      const dataDir = path.join(dir, 'data');
      await options.beforeStart?.(hostId, dataDir);
      const isHead = hostId === 'head-1';
      const config = await testConfig(dir, {
        hostId,
        roles: isHead ? ['head', 'worker'] : ['worker'],
        ...(isHead ? {} : { head: { url: `https://127.0.0.1:${this.clusterPort()}`, hostId: 'head-1' } }),
        cluster: this.clusterSection(hostId),
        nvidiaSmi: 'nvidia-smi-not-installed',
        // Roomy liveness: a busy test machine must not make hosts flap. Samples are taken
        // seldom, as each tries to spawn nvidia-smi, which stalls a big test process.
        metricsIntervalMs: 1000,
        heartbeatIntervalMs: 500,
        unreachableAfterMs: 5000,
        filesystem: { reclaimIntervalMs: 200, blockReportIntervalMs: 1000, ...options.filesystem },
        ...options.agent,
      });
      this.configs.set(hostId, config);
      const log = memoryLog();
      this.agents.push({ hostId, dir, dataDir, handle: await startAgent(config, { log }), log });
    }
    await waitFor('every host healthy', async () => {
      const hosts = await this.hosts();
      return hostIds.every((id) => hosts.some((h) => h.hostId === id && h.state === 'healthy'));
    });
  }

  /**
   * Starts an agent again (stopping it first if it runs) with its data dir and the same
   * cluster port, so that the others reach it where they did. `whileStopped` runs in
   * between (the head holds its cluster.db alone while it runs).
   */
  async restart(hostId: string, whileStopped?: (dataDir: string) => Promise<void> | void): Promise<void> {
    const agent = this.agent(hostId);
    const config = this.configs.get(hostId);
    assert.ok(config?.cluster !== undefined, `the config of ${hostId}`);
    const port = agent.handle.cluster?.port ?? 0;
    await agent.handle.stop();
    await whileStopped?.(agent.dataDir);
    agent.handle = await startAgent({ ...config, cluster: { ...config.cluster, listen: { ...config.cluster.listen, port } } }, { log: agent.log });
  }

  async stop(): Promise<void> {
    for (const agent of [...this.agents].reverse()) await agent.handle.stop();
  }

  async hosts(): Promise<HostsReply['hosts']> {
    return (await this.call('GET', agentRoutes.hosts)).json<HostsReply>().hosts;
  }

  /** One request to the head's client API (plain HTTP, as through the SSH tunnel). */
  async call(
    method: string,
    route: string,
    options: { token?: string; query?: Record<string, string | number | boolean>; json?: unknown; body?: Buffer; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const search = new URLSearchParams(Object.entries(options.query ?? {}).map(([k, v]) => [k, String(v)]));
    const url = `http://127.0.0.1:${this.head.handle.port}${route}${search.size > 0 ? `?${search.toString()}` : ''}`;
    const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? testTokens.client}`, ...options.headers };
    let body: Uint8Array<ArrayBuffer> | string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.body !== undefined) {
      headers['content-type'] ??= 'application/octet-stream';
      body = new Uint8Array(options.body);
    }
    const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
    const bytes = Buffer.from(await response.arrayBuffer());
    const text = bytes.toString('utf8');
    return { status: response.status, bytes, text, json: <T>() => JSON.parse(text) as T };
  }

  /** Calls and asserts a 200; returns the parsed reply. */
  async ok<T>(method: string, route: string, options: Parameters<TestCluster['call']>[2] = {}): Promise<T> {
    const reply = await this.call(method, route, options);
    assert.equal(reply.status, 200, `${method} ${route}: ${reply.text}`);
    return reply.json<T>();
  }

  async put(filePath: string, bytes: Buffer, query: Record<string, string | number | boolean> = {}, token?: string): Promise<FileStat> {
    return this.ok<FileStat>('PUT', fsRoutes.content, { query: { path: filePath, ...query }, body: bytes, ...(token === undefined ? {} : { token }) });
  }

  /** The file's bytes, read through the head. */
  async read(filePath: string, token?: string): Promise<Buffer> {
    const reply = await this.call('GET', fsRoutes.content, { query: { path: filePath }, ...(token === undefined ? {} : { token }) });
    assert.equal(reply.status, 200, reply.text);
    return reply.bytes;
  }

  async blocks(filePath: string): Promise<BlockLocations> {
    return this.ok<BlockLocations>('GET', fsRoutes.blocks, { query: { path: filePath } });
  }

  /** A new user, invited by the admin and redeemed; returns their token. */
  async user(name: string): Promise<string> {
    const { code } = await this.ok<{ code: string }>('POST', projectRoutes.invites, { json: {} });
    const response = await fetch(`http://127.0.0.1:${this.head.handle.port}${projectRoutes.redeem}`, {
      method: 'POST',
      headers: { authorization: `Invite ${code}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: name }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as { token: string }).token;
  }

  /**
   * How a desktop holding the cluster CA reaches the head's cluster listener for file
   * content: its address, the head's host id and a desktop certificate of the test CA.
   */
  desktopAccess(): { host: string; port: number; headHostId: string; tls: { ca: string; cert: string; key: string } } {
    assert.ok(this.pki !== undefined);
    return { host: '127.0.0.1', port: this.clusterPort(), headHostId: 'head-1', tls: { ca: this.pki.ca, cert: this.pki.desktop.cert, key: this.pki.desktop.key } };
  }

  private clusterPort(): number {
    const port = this.head.handle.cluster?.port;
    assert.ok(port !== undefined, 'the head has a cluster listener');
    return port;
  }

  private clusterSection(hostId: string) {
    assert.ok(this.pki !== undefined);
    const cert = hostCert(this.pki, hostId);
    return { listen: { host: '127.0.0.1', port: 0 }, tls: { caFile: this.pki.caFile, certFile: cert.certFile, keyFile: cert.keyFile } };
  }
}
