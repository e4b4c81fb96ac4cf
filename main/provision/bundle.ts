/**
 * The agent bundle shipped to a host: one gzip'd tar holding the agent (one JS file) and
 * the Node runtime for the host's architecture, as VS Code's remote server ships `node`.
 * Built once per agent build and architecture, cached under the workspace, and named by
 * its SHA-256 so a host that already has it is not sent it again.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { HopsError } from '../../protocol/errors.ts';

export type HostArch = 'x64' | 'arm64';

export interface AgentBundle {
  file: string;
  sha256: string;
  bytes: number;
  /** The agent's own version, as `hopsdesk-agent --version` prints it. */
  version: string;
  arch: HostArch;
}

export interface BundleSources {
  /** The built agent, dist/agent/hopsdesk-agent.mjs. */
  agentFile: string;
  /** The runtime that runs this desktop: used to ask the agent its version. */
  nodePath: string;
  /** Where the app root is, to find runtimes for other architectures. */
  appRoot: string;
  cacheDir: string;
}

const run = promisify(execFile);

/** `uname -m` → the runtime architecture we ship for it, or undefined. */
export function archOf(uname: string): HostArch | undefined {
  if (uname === 'x86_64' || uname === 'amd64') return 'x64';
  if (uname === 'aarch64' || uname === 'arm64') return 'arm64';
  return undefined;
}

/** Bundles being built, so hosts provisioned in parallel wait for one build. */
const building = new Map<string, Promise<AgentBundle>>();

/** The bundle for `arch`, built into the cache when missing or older than its sources. */
export function agentBundle(sources: BundleSources, arch: HostArch): Promise<AgentBundle> {
  const key = `${sources.cacheDir}\0${sources.agentFile}\0${arch}`;
  let pending = building.get(key);
  if (!pending) {
    pending = buildBundle(sources, arch).finally(() => building.delete(key));
    building.set(key, pending);
  }
  return pending;
}

async function buildBundle(sources: BundleSources, arch: HostArch): Promise<AgentBundle> {
  const runtime = runtimeFor(sources, arch);
  const agent = await stat(sources.agentFile).catch(() => {
    throw new HopsError('PROVISION_FAILED', `The agent bundle ${sources.agentFile} is missing.`, {
      hint: 'Build it with `npm run build` (or `node scripts/build.ts agent`).',
    });
  });
  const node = await stat(runtime);
  // Keyed by what went in, so a rebuilt agent gets a new bundle and an old one is reused;
  // the key needs no run of the agent, which costs half a second.
  const key = createHash('sha256')
    .update([arch, sources.agentFile, agent.size, agent.mtimeMs, runtime, node.size, node.mtimeMs].join('\0'))
    .digest('hex')
    .slice(0, 16);
  const manifest = path.join(sources.cacheDir, `bundle-${arch}-${key}.json`);
  if (existsSync(manifest)) {
    const cached = JSON.parse(await readFile(manifest, 'utf8')) as AgentBundle;
    if (existsSync(cached.file)) return cached;
  }
  const version = await agentVersionOf(sources);
  await mkdir(sources.cacheDir, { recursive: true, mode: 0o700 });
  const staging = await mkdtemp(path.join(sources.cacheDir, '.staging-'));
  try {
    await copyFile(sources.agentFile, path.join(staging, 'hopsdesk-agent.mjs'));
    await copyFile(runtime, path.join(staging, 'node'));
    await writeFile(path.join(staging, 'VERSION'), `${version}\n`);
    // Other processes (a second desktop, the CLI) may build the same bundle at the same
    // time: the archive is made inside this build's own staging folder and named by its
    // own SHA-256, so no build ever overwrites a file another one has hashed.
    const partial = path.join(staging, 'bundle.tar.gz');
    const tar = await import('tar');
    await tar.create({ gzip: true, cwd: staging, file: partial, portable: true }, ['VERSION', 'hopsdesk-agent.mjs', 'node']);
    const sha256 = await sha256Of(partial);
    const file = path.join(sources.cacheDir, `hopsdesk-agent-${version}-linux-${arch}-${key}-${sha256.slice(0, 12)}.tar.gz`);
    const bundle: AgentBundle = { file, sha256, bytes: (await stat(partial)).size, version, arch };
    await rename(partial, file);
    const manifestPartial = path.join(staging, 'manifest.json');
    await writeFile(manifestPartial, JSON.stringify(bundle));
    await rename(manifestPartial, manifest);
    await pruneCache(sources.cacheDir, arch);
    return bundle;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * The Linux Node runtime for `arch`: a packaged app carries them under resources/runtimes;
 * from sources, the pinned runtime serves hosts of this machine's own kind.
 */
function runtimeFor(sources: BundleSources, arch: HostArch): string {
  const packaged = path.join(sources.appRoot, 'resources', 'runtimes', `linux-${arch}`, 'node');
  if (existsSync(packaged)) return packaged;
  if (process.platform === 'linux' && process.arch === arch) {
    const pinned = path.join(sources.appRoot, 'node_modules', 'node', 'bin', 'node');
    if (existsSync(pinned)) return pinned;
  }
  throw new HopsError('PROVISION_FAILED', `This build of Hopsdesk carries no Node runtime for linux-${arch} hosts.`, {
    hint: `Put the npm package node-linux-${arch}'s bin/node at resources/runtimes/linux-${arch}/node, or use a build made for it.`,
  });
}

/** Bundles kept per architecture: every agent rebuild makes a new one (~45 MB). */
const cachedPerArch = 3;

async function pruneCache(dir: string, arch: HostArch): Promise<void> {
  const suffix = `-linux-${arch}-`;
  const names = (await readdir(dir)).filter((n) => n.includes(suffix) && n.endsWith('.tar.gz'));
  const dated = await Promise.all(names.map(async (name) => ({ name, mtimeMs: (await stat(path.join(dir, name))).mtimeMs })));
  dated.sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { name } of dated.slice(cachedPerArch)) {
    await rm(path.join(dir, name), { force: true });
    const key = /-([0-9a-f]{16})-[0-9a-f]{12}\.tar\.gz$/.exec(name)?.[1];
    if (key !== undefined) await rm(path.join(dir, `bundle-${arch}-${key}.json`), { force: true });
  }
}

async function agentVersionOf(sources: BundleSources): Promise<string> {
  const { stdout } = await run(sources.nodePath, [sources.agentFile, '--version']);
  const match = /^hopsdesk-agent (\S+)/.exec(stdout);
  if (!match) throw new HopsError('PROVISION_FAILED', `The agent ${sources.agentFile} did not print its version.`);
  return match[1]!;
}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
