/**
 * The agent's configuration, read and defaulted in one place (as Temporal's
 * `compileWorkerOptions` does): the JSON file is validated against `AgentConfigFile`,
 * tokens are loaded from the token file, relative paths are resolved against the
 * file's directory, and the result is a fully defaulted `AgentConfig` that nothing
 * else needs to second-guess.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { HopsError } from '../protocol/errors.ts';
import { fsDefaults, fsLimits } from '../protocol/fs.ts';
import { HostRole } from '../protocol/host.ts';
import { limits } from '../protocol/limits.ts';
import { UserName } from '../protocol/projects.ts';
import { certificateProblem, type ClusterTlsMaterial } from './cluster-tls.ts';

const AgentTokens = Type.Object(
  {
    /** Presented by the desktop on client routes. */
    client: Type.String({ minLength: 16 }),
    /** Presented by workers on cluster routes (register, heartbeat). */
    cluster: Type.String({ minLength: 16 }),
  },
  { additionalProperties: false },
);
export type AgentTokens = Static<typeof AgentTokens>;

/** The cluster listener: agent↔agent routes over mutual TLS. */
const ClusterSection = Type.Object(
  {
    listen: Type.Object(
      {
        /** Default `0.0.0.0`: the cluster network reaches it, and TLS decides who gets in. */
        host: Type.Optional(Type.String({ minLength: 1 })),
        port: Type.Integer({ minimum: 0, maximum: 65535 }),
      },
      { additionalProperties: false },
    ),
    tls: Type.Object(
      {
        /** The cluster CA, the only one trusted for peers. */
        caFile: Type.String({ minLength: 1 }),
        /** This agent's certificate, CN = hostId. */
        certFile: Type.String({ minLength: 1 }),
        /** Its private key; 0600 like the token file. */
        keyFile: Type.String({ minLength: 1 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** The filesystem: block size and replication (head), disk reserve, block reports and the scrub (workers). */
const FilesystemSection = Type.Object(
  {
    /** Block size of uploads that do not ask for one; default 64 MiB. */
    blockSizeBytes: Type.Optional(Type.Integer({ minimum: fsLimits.minBlockSizeBytes, maximum: fsLimits.maxBlockSizeBytes })),
    /** Replicas of each block when an upload does not ask: min(this, healthy workers); default 3. */
    replication: Type.Optional(Type.Integer({ minimum: 1, maximum: fsLimits.maxReplication })),
    /** Disk space a worker keeps free of blocks; default 0. */
    reservedBytes: Type.Optional(Type.Integer({ minimum: 0 })),
    /** How often a worker sends its full block report; default one hour. */
    blockReportIntervalMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 7 * 24 * 3_600_000 })),
    /** How often a worker starts reading every block on its disk against its checksum (the scrub); default 7 days. */
    scrubIntervalMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 365 * 24 * 3_600_000 })),
    /** How fast the scrub reads, in bytes per second; default 8 MiB/s. */
    scrubBytesPerSecond: Type.Optional(Type.Integer({ minimum: 64 * 1024 })),
    /** How often the head looks for replicas of deleted files to delete; default 30 s. */
    reclaimIntervalMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 24 * 3_600_000 })),
    /** How long an upload session may go unused before the head drops it and reclaims its blocks; default 24 h. */
    uploadSessionTtlMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 30 * 24 * 3_600_000 })),
    /** How long removed files stay restorable in their project's trash before the head purges them; default 7 days. */
    trashRetentionMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 365 * 24 * 3_600_000 })),
    /** How often the head looks for blocks short of replicas, corrupt or in excess; default 10 s (a dead host or a corrupt replica starts a pass at once). */
    replicationIntervalMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
    /** Blocks the head copies at once to restore their replication; default 4. */
    replicationConcurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
    /** Share of blocks that must be reported before a restarted head leaves safe mode; default 0.999. */
    safeModeThreshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    /** Longest a head stays in safe mode after it starts; default 60 s. */
    safeModeMaxMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 3_600_000 })),
  },
  { additionalProperties: false },
);

/** The config file as written by the desktop (or a person); everything optional has a default. */
export const AgentConfigFile = Type.Object(
  {
    hostId: Type.String({ minLength: 1, maxLength: limits.maxNameLength }),
    dataDir: Type.String({ minLength: 1 }),
    listen: Type.Optional(
      Type.Object(
        {
          host: Type.Optional(Type.String({ minLength: 1 })),
          port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
        },
        { additionalProperties: false },
      ),
    ),
    roles: Type.Array(HostRole, { minItems: 1, maxItems: 2, uniqueItems: true }),
    tokens: Type.Optional(AgentTokens),
    /** The head's admin user, created at first start; the client token is its token. */
    adminUser: Type.Optional(UserName),
    /** Preferred over `tokens`: a 0600 JSON file `{client, cluster}`. */
    tokenFile: Type.Optional(Type.String({ minLength: 1 })),
    /** The head a worker-only agent registers with. */
    head: Type.Optional(
      Type.Object(
        {
          url: Type.String({ minLength: 1 }),
          /** The head's hostId: the CN its certificate must carry; required with an https url. */
          hostId: Type.Optional(Type.String({ minLength: 1, maxLength: limits.maxNameLength })),
        },
        { additionalProperties: false },
      ),
    ),
    cluster: Type.Optional(ClusterSection),
    filesystem: Type.Optional(FilesystemSection),
    jobs: Type.Optional(
      Type.Object(
        {
          /**
           * After a host turned unreachable, how long the head waits before its running jobs
           * fail with "node lost" (and are requeued if retries allow); default 60 s.
           */
          nodeLostAfterMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 3_600_000 })),
          /** Bytes of staged datasets a worker keeps for later jobs; default 10 GiB. */
          stageCacheBytes: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
    labels: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: limits.maxNameLength }), { maxItems: 64 })),
    metricsIntervalMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
    heartbeatIntervalMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
    /** Default: three heartbeat intervals (for a head+worker, three metrics intervals if longer). */
    unreachableAfterMs: Type.Optional(Type.Integer({ minimum: 100 })),
    /** Silence after which the head declares a host dead and re-replicates its blocks; default 10 minutes. */
    deadHostAfterMs: Type.Optional(Type.Integer({ minimum: 100 })),
    metricsRetention: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    nvidiaSmi: Type.Optional(Type.String({ minLength: 1 })),
    runFile: Type.Optional(Type.String({ minLength: 1 })),
    logFile: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export type AgentConfigFile = Static<typeof AgentConfigFile>;

/** The cluster listener as compiled: defaults filled, the TLS files read and checked. */
export interface ClusterConfig {
  listen: { host: string; port: number };
  tls: ClusterTlsMaterial & { caFile: string; certFile: string; keyFile: string };
}

/** The filesystem settings as compiled (see `FilesystemSection`). */
export interface FilesystemConfig {
  blockSizeBytes: number;
  replication: number;
  reservedBytes: number;
  blockReportIntervalMs: number;
  scrubIntervalMs: number;
  scrubBytesPerSecond: number;
  reclaimIntervalMs: number;
  uploadSessionTtlMs: number;
  trashRetentionMs: number;
  replicationIntervalMs: number;
  replicationConcurrency: number;
  safeModeThreshold: number;
  safeModeMaxMs: number;
}

/** The compiled configuration: every field present, every path absolute. */
export interface AgentConfig {
  hostId: string;
  dataDir: string;
  listen: { host: string; port: number };
  roles: HostRole[];
  tokens: AgentTokens;
  /** The cluster admin's user name (a head creates the user; the client token is its token). */
  adminUser: string;
  /**
   * Set for a worker-only agent, never for one with the head role. With an https url,
   * `hostId` is set and `cluster` holds the certificate the link presents.
   */
  head: { url: string; hostId?: string } | undefined;
  /** The mutual-TLS cluster listener; undefined when cluster routes share `listen`. */
  cluster: ClusterConfig | undefined;
  filesystem: FilesystemConfig;
  jobs: { nodeLostAfterMs: number; stageCacheBytes: number };
  labels: string[];
  metricsIntervalMs: number;
  heartbeatIntervalMs: number;
  unreachableAfterMs: number;
  /** Silence after which a host is declared dead (always more than `unreachableAfterMs`). */
  deadHostAfterMs: number;
  metricsRetention: number;
  /** A command name looked up on PATH, or an absolute path. */
  nvidiaSmi: string;
  runFile: string;
  logFile: string | undefined;
  /** Where this configuration came from, named in messages. */
  source: string;
}

/** Where a config came from: named in errors, and the base for its relative paths. */
export interface ConfigOrigin {
  source: string;
  baseDir: string;
}

const configHint = 'Fix the agent configuration and start the agent again.';
const fileChecker = TypeCompiler.Compile(AgentConfigFile);
const tokensChecker = TypeCompiler.Compile(AgentTokens);

/** Reads, validates and defaults the config file at `file`. */
export async function loadAgentConfig(file: string): Promise<AgentConfig> {
  const absolute = path.resolve(file);
  const origin = { source: absolute, baseDir: path.dirname(absolute) };
  return compileAgentConfig(await readJson(absolute, 'agent config'), origin);
}

/** Validates `input` (a parsed config file) and turns it into a fully defaulted `AgentConfig`. */
export async function compileAgentConfig(input: unknown, origin: ConfigOrigin): Promise<AgentConfig> {
  const file = check(fileChecker, input, `agent config ${origin.source}`);
  const resolve = (p: string): string => path.resolve(origin.baseDir, p);
  const dataDir = resolve(file.dataDir);
  const heartbeatIntervalMs = file.heartbeatIntervalMs ?? 2000;
  const metricsIntervalMs = file.metricsIntervalMs ?? 2000;
  const roles = [...file.roles];
  // A head that is also a worker heartbeats itself with each sample, so for it the
  // default allows three missed samples as well as three missed heartbeats.
  const selfHeartbeat = roles.includes('head') && roles.includes('worker');
  const unreachableAfterMs =
    file.unreachableAfterMs ?? 3 * (selfHeartbeat ? Math.max(heartbeatIntervalMs, metricsIntervalMs) : heartbeatIntervalMs);

  const fail = (field: string, message: string): never => {
    throw new HopsError('VALIDATION', `Invalid agent config ${origin.source}: ${message}`, { field, hint: configHint });
  };
  if (unreachableAfterMs <= heartbeatIntervalMs) {
    fail('/unreachableAfterMs', `unreachableAfterMs (${unreachableAfterMs}) must exceed heartbeatIntervalMs (${heartbeatIntervalMs}).`);
  }
  if (selfHeartbeat && unreachableAfterMs <= metricsIntervalMs) {
    fail('/unreachableAfterMs', `unreachableAfterMs (${unreachableAfterMs}) must exceed metricsIntervalMs (${metricsIntervalMs}).`);
  }
  const deadHostAfterMs = file.deadHostAfterMs ?? 10 * 60_000;
  if (deadHostAfterMs <= unreachableAfterMs) {
    fail('/deadHostAfterMs', `deadHostAfterMs (${deadHostAfterMs}) must exceed unreachableAfterMs (${unreachableAfterMs}): a host is unreachable before it is dead.`);
  }
  let head: AgentConfig['head'];
  if (roles.includes('head')) {
    if (file.head !== undefined) fail('/head', 'head is only for worker-only agents; this agent has the head role itself.');
  } else {
    if (file.head === undefined) fail('/head/url', 'a worker-only agent needs head.url, the address of its head.');
    // Routes are absolute paths, so only the origin of the URL matters.
    const url = checkHeadUrl(file.head?.url ?? '', fail);
    const hostId = file.head?.hostId;
    head = hostId === undefined ? { url } : { url, hostId };
    if (url.startsWith('https:')) {
      // The head is known by its certificate's CN, not by the address dialled.
      if (hostId === undefined) fail('/head/hostId', 'an https head.url needs head.hostId, the CN the head\'s certificate must carry.');
      if (file.cluster === undefined) fail('/cluster', 'an https head.url needs cluster.tls: the CA, and the certificate this agent presents.');
    }
  }
  const cluster = file.cluster === undefined ? undefined : await compileCluster(file.cluster, file.hostId, resolve);

  let tokens: AgentTokens;
  if (file.tokens !== undefined && file.tokenFile !== undefined) {
    fail('/tokenFile', 'give either tokens or tokenFile, not both (tokenFile is preferred).');
  }
  if (file.tokenFile !== undefined) {
    tokens = await readTokenFile(resolve(file.tokenFile));
  } else if (file.tokens !== undefined) {
    tokens = file.tokens;
  } else {
    tokens = fail('/tokenFile', 'tokenFile is required: a 0600 JSON file holding {"client": …, "cluster": …}.');
  }

  const nvidiaSmi = file.nvidiaSmi ?? 'nvidia-smi';
  return {
    hostId: file.hostId,
    dataDir,
    listen: { host: file.listen?.host ?? '127.0.0.1', port: file.listen?.port ?? 0 },
    roles,
    tokens,
    adminUser: file.adminUser ?? 'admin',
    head,
    cluster,
    filesystem: {
      blockSizeBytes: file.filesystem?.blockSizeBytes ?? fsDefaults.blockSizeBytes,
      replication: file.filesystem?.replication ?? fsDefaults.replication,
      reservedBytes: file.filesystem?.reservedBytes ?? 0,
      blockReportIntervalMs: file.filesystem?.blockReportIntervalMs ?? 3_600_000,
      scrubIntervalMs: file.filesystem?.scrubIntervalMs ?? 7 * 24 * 3_600_000,
      scrubBytesPerSecond: file.filesystem?.scrubBytesPerSecond ?? 8 * 1024 * 1024,
      reclaimIntervalMs: file.filesystem?.reclaimIntervalMs ?? 30_000,
      uploadSessionTtlMs: file.filesystem?.uploadSessionTtlMs ?? 24 * 3_600_000,
      trashRetentionMs: file.filesystem?.trashRetentionMs ?? 7 * 24 * 3_600_000,
      replicationIntervalMs: file.filesystem?.replicationIntervalMs ?? 10_000,
      replicationConcurrency: file.filesystem?.replicationConcurrency ?? 4,
      safeModeThreshold: file.filesystem?.safeModeThreshold ?? 0.999,
      safeModeMaxMs: file.filesystem?.safeModeMaxMs ?? 60_000,
    },
    jobs: { nodeLostAfterMs: file.jobs?.nodeLostAfterMs ?? 60_000, stageCacheBytes: file.jobs?.stageCacheBytes ?? 10 * 1024 ** 3 },
    labels: [...(file.labels ?? [])],
    metricsIntervalMs,
    heartbeatIntervalMs,
    unreachableAfterMs,
    deadHostAfterMs,
    metricsRetention: file.metricsRetention ?? 900,
    // A bare name is looked up on PATH; anything with a slash is a path.
    nvidiaSmi: nvidiaSmi.includes('/') ? resolve(nvidiaSmi) : nvidiaSmi,
    runFile: file.runFile === undefined ? path.join(dataDir, 'run.json') : resolve(file.runFile),
    logFile: file.logFile === undefined ? undefined : resolve(file.logFile),
    source: origin.source,
  };
}

/** Loads tokens from a file that must not be readable by anyone but its owner. */
async function readTokenFile(file: string): Promise<AgentTokens> {
  await checkPrivate(file, 'token file', '/tokenFile');
  return check(tokensChecker, await readJson(file, 'token file'), `token file ${file}`);
}

/**
 * Reads the cluster listener's CA, certificate and key (the key only if 0600), and checks
 * that they fit together and name this host, so that a bad file stops the agent at start
 * with its name rather than failing every handshake later.
 */
async function compileCluster(section: Static<typeof ClusterSection>, hostId: string, resolve: (p: string) => string): Promise<ClusterConfig> {
  const files = { caFile: resolve(section.tls.caFile), certFile: resolve(section.tls.certFile), keyFile: resolve(section.tls.keyFile) };
  await checkPrivate(files.keyFile, 'TLS key file', '/cluster/tls/keyFile');
  const read = async (name: keyof typeof files): Promise<string> => {
    try {
      return await readFile(files[name], 'utf8');
    } catch (err) {
      throw new HopsError('VALIDATION', `Cannot read cluster.tls.${name} ${files[name]}: ${(err as Error).message}`, {
        field: `/cluster/tls/${name}`,
        hint: configHint,
      });
    }
  };
  const material = { ca: await read('caFile'), cert: await read('certFile'), key: await read('keyFile') };
  const problem = certificateProblem(material, hostId);
  if (problem !== undefined) {
    throw new HopsError('VALIDATION', `cluster.tls.${problem.file} ${files[problem.file]} ${problem.message}.`, {
      field: `/cluster/tls/${problem.file}`,
      hint: 'Issue this host a certificate again from Hopsdesk (re-add the host), or fix the paths in cluster.tls.',
    });
  }
  return { listen: { host: section.listen.host ?? '0.0.0.0', port: section.listen.port }, tls: { ...files, ...material } };
}

/** Refuses a secret file that group or others can read (or that cannot be read at all). */
async function checkPrivate(file: string, what: string, field: string): Promise<void> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (err) {
    throw new HopsError('VALIDATION', `Cannot read the ${what} ${file}: ${(err as Error).message}`, { field, hint: configHint });
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(3, '0');
    throw new HopsError('VALIDATION', `The ${what} ${file} is readable by group or others (mode ${octal}); refusing to use it.`, {
      field,
      hint: `Run: chmod 600 ${file}`,
    });
  }
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new HopsError('VALIDATION', `Cannot read the ${what} ${file}: ${(err as Error).message}`, { hint: configHint });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HopsError('VALIDATION', `The ${what} ${file} is not valid JSON: ${(err as Error).message}`, { hint: configHint });
  }
}

/** Validates against a compiled schema; the error names the first bad field and the source. */
function check<T extends TSchema>(checker: TypeCheck<T>, value: unknown, source: string): Static<T> {
  if (checker.Check(value)) return value;
  const first = checker.Errors(value).First();
  const field = first?.path ?? '';
  const name = field === '' ? 'the top level' : `field "${field.slice(1).replaceAll('/', '.')}"`;
  throw new HopsError('VALIDATION', `Invalid ${source}: ${name}: ${first?.message ?? 'invalid value'}.`, {
    ...(field === '' ? {} : { field }),
    hint: configHint,
  });
}

function checkHeadUrl(url: string, fail: (field: string, message: string) => never): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('/head/url', `head.url "${url}" is not a URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    fail('/head/url', `head.url "${url}" must start with http:// or https://.`);
  }
  return parsed.origin;
}
