/**
 * Where Hopsdesk puts things on a host, all under `~/.hopsdesk` so that one `rm -r`
 * (plus the service entry) removes every trace:
 *
 *   agent/<version>/     node + hopsdesk-agent.mjs + VERSION + .bundle-sha256
 *   agent/current        link to the running version (switched atomically)
 *   etc/agent.json       the agent's config;  etc/tokens.json (0600)
 *   etc/tls/             ca.crt, agent.crt, agent.key (0600)
 *   data/                the agent's data dir: run file, cluster database, supervisor pid
 *   log/agent.log
 *
 * Paths here are relative to $HOME, for commands that `cd` there first.
 */
export const remoteRoot = '.hopsdesk';
export const remotePaths = {
  root: remoteRoot,
  agents: `${remoteRoot}/agent`,
  agentDir: (version: string) => `${remoteRoot}/agent/${version}`,
  current: `${remoteRoot}/agent/current`,
  incoming: `${remoteRoot}/agent/.incoming`,
  config: `${remoteRoot}/etc/agent.json`,
  tokens: `${remoteRoot}/etc/tokens.json`,
  caCert: `${remoteRoot}/etc/tls/ca.crt`,
  agentCert: `${remoteRoot}/etc/tls/agent.crt`,
  agentKey: `${remoteRoot}/etc/tls/agent.key`,
  dataDir: `${remoteRoot}/data`,
  runFile: `${remoteRoot}/data/run.json`,
  supervisorPid: `${remoteRoot}/data/supervisor.pid`,
  log: `${remoteRoot}/log/agent.log`,
  systemdUnit: '.config/systemd/user/hopsdesk-agent.service',
} as const;

/** The systemd unit name; one agent per user and host. */
export const systemdUnitName = 'hopsdesk-agent.service';
/** Marks the crontab line the supervisor mode adds, so it can be found and removed. */
export const cronMarker = '# hopsdesk-agent';
/** Versions kept on a host: the running one and the one before it, for a quick rollback. */
export const keptVersions = 2;
