/**
 * bench/fs, part (c): namespace operations per second on a head — creating an empty file,
 * stat, and listing a page — measured two ways, to show where the time goes:
 *
 * - over HTTP: a head agent as its own process (from the sources, with the Node options an
 *   agent runs with on a host), called by a handful of concurrent clients through its
 *   client API with a user's token, the way desktops call it;
 * - in-process: the same namespace module (`head/namespace.ts`) over a real cluster.db in
 *   this process, one call after another (node:sqlite is synchronous). What-ifs on the same
 *   code show where its time goes: the connection with `synchronous = NORMAL` instead of
 *   the shipped `FULL` (the cost of a commit's fsync), and the store's inserts batched 1000
 *   to a transaction (the ceiling group commit would approach).
 *
 * A create is what an empty upload does: `createEmptyFile`, one transaction. Over HTTP, the
 * timed creates follow 2,000 untimed ones: the figure is of a head that has been serving
 * for a while, not of its first seconds (a cold one did about a tenth fewer at 8 clients).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { agentNodeOptions, agentRoutes, type HostsReply } from '../../protocol/agent-api.ts';
import { fsRoutes, type ListPage } from '../../protocol/fs.ts';
import type { User } from '../../protocol/projects.ts';
import { responseOf } from '../../main/cluster/head-http.ts';
import { ClusterDb, clusterDbPragmas } from '../../cluster-agent/head/cluster-db.ts';
import { Namespace } from '../../cluster-agent/head/namespace.ts';
import { NamespaceStore, projectsInodeId } from '../../cluster-agent/head/namespace-store.ts';
import { ProjectStore } from '../../cluster-agent/head/project-store.ts';
import { Projects } from '../../cluster-agent/head/projects.ts';
import { Users } from '../../cluster-agent/head/users.ts';
import { createAgentLog } from '../../cluster-agent/log.ts';

export interface NamespaceBenchOptions {
  /** A directory of this run's own, for data dirs and configs. */
  dir: string;
  repoRoot: string;
  /** Files created (and stated) in each measurement. */
  files: number;
  /** Concurrent HTTP clients. */
  clients: number;
  /** A second, busier measurement over HTTP with this many clients, if wanted. */
  busyClients?: number;
  /** Where the head process writes a CPU profile (`--cpu-prof`), if wanted. */
  profileDir?: string;
}

/** Operations per second of each kind. */
export interface OpsRates {
  creates: number;
  stats: number;
  /** Pages of `listPage` entries. */
  lists: number;
}

/** How the in-process namespace's connection is set up. */
export interface Variant {
  synchronous: 'FULL' | 'NORMAL';
}

export const shipped: Variant = { synchronous: 'FULL' };

export interface NamespaceFigures {
  http: OpsRates;
  /** Over HTTP with `busyClients` clients, when asked for. */
  busy?: { clients: number; rates: OpsRates };
  /** In-process, as shipped. */
  inProcess: OpsRates;
  whatIf: Array<{ what: string; rates: OpsRates }>;
  /** In-process creates, 1000 store inserts per transaction. */
  batched: number;
  listPage: number;
}

/** Creates made over HTTP before the timed ones, to warm the head (its JIT compiler above all). */
const warmUpCreates = 2000;

/** Entries per listing page in this measurement. */
const listPage = 100;
const blockSize = 64 * 1024 * 1024;

const perSecond = (count: number, ms: number) => count / (ms / 1000);

/** Runs `work` and returns how long it took, in ms. */
async function timeIt(work: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export async function namespaceBench(options: NamespaceBenchOptions): Promise<NamespaceFigures> {
  const http = await overHttp(options);
  // Unprofiled: `--profile` is of the first measurement.
  const busy =
    options.busyClients === undefined
      ? undefined
      : { clients: options.busyClients, rates: await overHttp({ dir: path.join(options.dir, 'busy'), repoRoot: options.repoRoot, files: options.files, clients: options.busyClients }) };
  const inProcess = await inProcessRates(path.join(options.dir, 'shipped'), options.files, shipped);
  const whatIf = [
    { what: '`synchronous = NORMAL`', rates: await inProcessRates(path.join(options.dir, 'normal'), options.files, { synchronous: 'NORMAL' }) },
  ];
  const batched = batchedCreates(path.join(options.dir, 'batched'), options.files);
  return { http, ...(busy === undefined ? {} : { busy }), inProcess, whatIf, batched, listPage };
}

// ---------------------------------------------------------------- over HTTP

interface HeadProcess {
  port: number;
  token: string;
  child: ChildProcess;
}

/** Starts a head agent (also a worker) as its own process, from the sources; resolves once its only host is healthy. */
async function startHead(dir: string, repoRoot: string, profileDir: string | undefined): Promise<HeadProcess> {
  const token = randomBytes(24).toString('base64url');
  const config = path.join(dir, 'agent.json');
  await writeFile(
    config,
    JSON.stringify({
      hostId: 'bench-head',
      dataDir: 'data',
      roles: ['head', 'worker'],
      tokens: { client: token, cluster: randomBytes(24).toString('base64url') },
      nvidiaSmi: 'nvidia-smi-not-installed',
    }),
    { mode: 0o600 },
  );
  const args = [...agentNodeOptions, ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]), path.join(repoRoot, 'cluster-agent', 'main.ts'), '--config', config];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the head agent exited (${code}):\n${stderr}`))));
  const runFile = path.join(dir, 'data', 'run.json');
  const started = (async () => {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      const run = await readFile(runFile, 'utf8').then((text) => JSON.parse(text) as { port: number }, () => undefined);
      if (run === undefined) continue;
      const hosts = await call<HostsReply>(run.port, token, 'GET', agentRoutes.hosts).catch(() => undefined);
      if (hosts?.hosts.some((h) => h.state === 'healthy')) return { port: run.port, token, child };
    }
    throw new Error(`the head agent did not become healthy within 30 s:\n${stderr}`);
  })();
  try {
    return await Promise.race([started, exited]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

async function stopHead(head: HeadProcess): Promise<void> {
  const exited = new Promise((resolve) => head.child.once('exit', resolve));
  head.child.kill('SIGTERM');
  await exited;
}

async function call<T>(port: number, token: string, method: string, route: string, options: { query?: Record<string, string>; json?: unknown; body?: Uint8Array<ArrayBuffer> } = {}): Promise<T> {
  const search = options.query === undefined ? '' : `?${new URLSearchParams(options.query).toString()}`;
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/octet-stream';
    body = options.body;
  }
  if (body !== undefined) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  const request = http.request({ host: '127.0.0.1', port, path: `${route}${search}`, method, headers, agent: keepAlive });
  const answer = responseOf(request);
  request.end(body);
  const { status, body: text } = await answer;
  if (status !== 200) throw new Error(`${method} ${route}${search} answered ${status}: ${text}`);
  return JSON.parse(text) as T;
}

/**
 * The clients' connections, kept open between requests as a desktop's are. Node's own
 * `http` rather than `fetch`: the clients share the head's two cores here, and `fetch`
 * spent about as much CPU per request as the head did serving it.
 */
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });

async function overHttp(options: NamespaceBenchOptions): Promise<OpsRates> {
  const dir = path.join(options.dir, 'http');
  await mkdir(dir, { recursive: true });
  const head = await startHead(dir, options.repoRoot, options.profileDir);
  try {
    const api = <T>(method: string, route: string, init: Parameters<typeof call>[4] = {}) => call<T>(head.port, head.token, method, route, init);
    await api('POST', '/v1/projects', { json: { name: 'bench' } });
    const folders = Array.from({ length: options.clients }, (_, c) => `/Projects/bench/ns/client-${c}`);
    for (const folder of folders) await api('POST', fsRoutes.mkdir, { json: { path: folder, parents: true } });
    const each = Math.ceil(options.files / options.clients);
    const empty = new Uint8Array(0);
    /** Every client runs `work(i)` for its own i = 0…count-1, one request at a time; all clients at once. */
    const allClients = (count: number, work: (folder: string, i: number) => Promise<unknown>) =>
      Promise.all(folders.map(async (folder) => {
        for (let i = 0; i < count; i += 1) await work(folder, i);
      }));
    const create = (name: string) => (folder: string, i: number) => api('PUT', fsRoutes.content, { query: { path: `${folder}/${name}-${i}` }, body: empty });
    // Untimed: a head serves creates for days, so the figure is of one whose code is compiled and warm.
    await allClients(Math.ceil(warmUpCreates / options.clients), create('warm'));
    const createMs = await timeIt(() => allClients(each, create('f')));
    const statMs = await timeIt(() => allClients(each, (folder, i) => api('GET', fsRoutes.stat, { query: { path: `${folder}/f-${i}` } })));
    // Each client walks its folder page by page, as often as it takes to list as many entries as it created.
    const pages = Math.ceil(each / listPage);
    const cursors = new Map<string, string | undefined>();
    const listMs = await timeIt(() =>
      allClients(pages, async (folder) => {
        const cursor = cursors.get(folder);
        const page = await api<ListPage>('GET', fsRoutes.list, { query: { path: folder, limit: String(listPage), ...(cursor === undefined ? {} : { cursor }) } });
        cursors.set(folder, page.nextCursor ?? undefined);
      }),
    );
    const total = each * options.clients;
    return { creates: perSecond(total, createMs), stats: perSecond(total, statMs), lists: perSecond(pages * options.clients, listMs) };
  } finally {
    await stopHead(head);
  }
}

// ---------------------------------------------------------------- in-process

/** The head's namespace over a fresh cluster.db in `dir`, composed as the agent does, with the admin as caller. */
function openNamespace(dir: string, variant: Variant): { namespace: Namespace; admin: User; close: () => void } {
  const file = path.join(dir, 'cluster.db');
  // ClusterDb creates and migrates the file; the stores then run over a connection set up as the variant says.
  ClusterDb.open(file).close();
  const db = new DatabaseSync(file, { enableForeignKeyConstraints: true, timeout: 5000 });
  db.exec(clusterDbPragmas(variant.synchronous));
  const namespaceStore = new NamespaceStore(db);
  const projectStore = new ProjectStore(db);
  const token = randomBytes(24).toString('base64url');
  const users = new Users(projectStore);
  users.ensureAdmin('admin', token, createAgentLog({ sink: () => undefined, secrets: [token] }));
  const admin = users.authenticate(token);
  if (admin === undefined) throw new Error('the admin was not created');
  const namespace = new Namespace(namespaceStore, projectStore);
  const projects = new Projects(projectStore, Date.now, { created: namespace.projectCreated.bind(namespace), deleting: namespace.projectDeleting.bind(namespace) });
  projects.create(admin, { name: 'bench' });
  namespace.mkdir(admin, '/Projects/bench/ns');
  return { namespace, admin, close: () => db.close() };
}

async function inProcessRates(dir: string, files: number, variant: Variant): Promise<OpsRates> {
  await mkdir(dir, { recursive: true });
  const { namespace, admin, close } = openNamespace(dir, variant);
  try {
    const at = (i: number) => `/Projects/bench/ns/f-${i}`;
    const createMs = await timeIt(() => {
      for (let i = 0; i < files; i += 1) {
        namespace.createEmptyFile(admin, at(i), { overwrite: false, blockSize, replication: () => 1 });
      }
    });
    const statMs = await timeIt(() => {
      for (let i = 0; i < files; i += 1) namespace.stat(admin, at(i));
    });
    const pages = Math.ceil(files / listPage);
    const listMs = await timeIt(() => {
      let cursor: string | undefined;
      for (let i = 0; i < pages; i += 1) cursor = namespace.list(admin, '/Projects/bench/ns', cursor, listPage).nextCursor ?? undefined;
    });
    return { creates: perSecond(files, createMs), stats: perSecond(files, statMs), lists: perSecond(pages, listMs) };
  } finally {
    close();
  }
}

/** Creates through the store, 1000 to a transaction: no permission checks, one commit per thousand. */
function batchedCreates(dir: string, files: number): number {
  mkdirSync(dir, { recursive: true });
  const db = ClusterDb.open(path.join(dir, 'cluster.db'));
  try {
    const store = db.namespace;
    const folder = store.insertDir(projectsInodeId, 'bench', 'admin', Date.now());
    const started = performance.now();
    for (let start = 0; start < files; start += 1000) {
      store.transaction(() => {
        for (let i = start; i < Math.min(start + 1000, files); i += 1) {
          const file = store.insertWritingFile(folder.id, `f-${i}`, { replication: 1, blockSize, createdBy: 'admin', mtimeMs: Date.now() });
          store.completeFile(file.id, 0, Date.now());
        }
      });
    }
    return perSecond(files, performance.now() - started);
  } finally {
    db.close();
  }
}
