/**
 * `hopsdesk cluster create|list|use|uninstall` and `hopsdesk host add|remove|upgrade`:
 * turning SSH hosts into a cluster from the command line, with the same core the app uses.
 */
import type { HostSpec, ProvisionedHost, SshAccess, UninstallReport } from '../../protocol/cluster-setup.ts';
import type { ClusterSummary, ParamsOf } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { Core } from '../core/core.ts';
import type { CommandOutput } from './cluster-commands.ts';
import { formatTable } from './format.ts';
import { ask, askSecret, canAsk } from './prompt.ts';

export type Values = Record<string, string | boolean | Array<string | boolean> | undefined>;

const strings = (value: Values[string]): string[] =>
  value === undefined ? [] : (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
const one = (value: Values[string]): string | undefined => strings(value).at(-1);

/** Login settings shared by every setup command: key, bastion, host-key trust, password. */
export async function accessFrom(values: Values): Promise<SshAccess> {
  const accepted = strings(values['accept-host-key']);
  if (values['trust-new'] === true && accepted.length > 0) {
    throw new HopsError('VALIDATION', 'Give --trust-new or --accept-host-key, not both.', { field: '--accept-host-key' });
  }
  const key = one(values.key);
  const jump = one(values.jump);
  const access: SshAccess = {
    ...(key === undefined ? {} : { keyFile: key }),
    ...(jump === undefined ? {} : { jump }),
    ...(values['trust-new'] === true ? { trustNewHostKey: true } : {}),
    ...(accepted.length === 0 ? {} : { acceptHostKeys: accepted }),
  };
  if (values['ask-password'] === true) {
    const password = await askSecret('SSH password (used once, never stored): ');
    if (password === '') throw new HopsError('VALIDATION', 'No password was given.', { field: '--ask-password' });
    access.password = password;
  }
  return access;
}

/**
 * Runs a setup call; when the key turns out to need a passphrase and there is a terminal,
 * asks for it once and tries again.
 */
export async function withPassphrase<T>(access: SshAccess, call: (access: SshAccess) => Promise<T>): Promise<T> {
  try {
    return await call(access);
  } catch (err) {
    if (!(err instanceof HopsError && err.code === 'SSH_PASSPHRASE_REQUIRED') || !canAsk() || access.passphrase !== undefined) throw err;
    const passphrase = await askSecret(`Passphrase for ${access.keyFile ?? 'the SSH key'}: `);
    return call({ ...access, passphrase });
  }
}

/** `--label HOST=LABEL` entries for `cluster create`: HOST is the target or its host part. */
export function hostSpecs(targets: string[], labels: string[]): HostSpec[] {
  const specs: HostSpec[] = targets.map((target) => ({ target }));
  for (const entry of labels) {
    const at = entry.lastIndexOf('=');
    const host = entry.slice(0, at);
    const label = entry.slice(at + 1);
    const spec = specs.find((s) => s.target === host || s.target.slice(s.target.indexOf('@') + 1).replace(/:\d+$/, '') === host);
    if (at <= 0 || label === '' || spec === undefined) {
      throw new HopsError('VALIDATION', `--label "${entry}" must be HOST=LABEL with HOST one of the hosts given.`, { field: '--label' });
    }
    spec.labels = [...(spec.labels ?? []), label];
  }
  return specs;
}

export async function clusterCreate(core: Core, name: string | undefined, values: Values): Promise<CommandOutput> {
  const head = one(values.head);
  if (name === undefined || head === undefined) {
    throw new HopsError('VALIDATION', 'Usage: hopsdesk cluster create NAME --head USER@HOST[:PORT] [--worker USER@HOST[:PORT]]…', {
      field: name === undefined ? 'NAME' : '--head',
    });
  }
  const workers = strings(values.worker);
  const [headSpec, ...workerSpecs] = hostSpecs([head, ...workers], strings(values.label));
  const port = one(values['cluster-port']);
  const access = await accessFrom(values);
  const result = await withPassphrase(access, (a) =>
    core.dispatch('cluster.create', {
      name,
      head: headSpec,
      workers: workerSpecs,
      ...(port === undefined ? {} : { clusterPort: Number(port) }),
      ...a,
    } satisfies Partial<ParamsOf<'cluster.create'>>),
  ) as { cluster: ClusterSummary; hosts: ProvisionedHost[]; secretsWarning?: string };
  const text = [
    `Cluster "${name}" is formed and active: ${result.hosts.length} hosts healthy.`,
    '',
    hostsTable(result.hosts),
    ...(result.secretsWarning === undefined ? [] : ['', `Note: ${result.secretsWarning}`]),
  ].join('\n');
  return { json: result, text };
}

export async function clusterList(core: Core): Promise<CommandOutput> {
  const { clusters } = (await core.dispatch('cluster.list', {})) as { clusters: ClusterSummary[] };
  const rows = clusters.map((c) => [c.active ? '*' : '', c.name, c.kind, new Date(c.createdAtMs).toISOString().slice(0, 16).replace('T', ' ')]);
  return { json: { clusters }, text: formatTable(['', 'NAME', 'KIND', 'CREATED'], rows) };
}

export async function clusterUse(core: Core, name: string | undefined): Promise<CommandOutput> {
  if (name === undefined) throw new HopsError('VALIDATION', 'Usage: hopsdesk cluster use NAME', { field: 'NAME' });
  const summary = (await core.dispatch('cluster.use', { name })) as ClusterSummary;
  return { json: summary, text: `Cluster "${name}" is now active.` };
}

export async function clusterUninstall(core: Core, name: string | undefined, values: Values): Promise<CommandOutput & { clean: boolean }> {
  if (name === undefined) throw new HopsError('VALIDATION', 'Usage: hopsdesk cluster uninstall NAME [--yes]', { field: 'NAME' });
  await confirm(values, `This stops every agent of cluster "${name}" and deletes its files, including the cluster's data, on all its hosts.`, name);
  const access = await accessFrom(values);
  const report = (await withPassphrase(access, (a) => core.dispatch('cluster.uninstall', { name, ...a }))) as UninstallReport;
  const clean = report.hosts.every((h) => h.clean);
  const rows = report.hosts.map((h) => [h.hostId, h.target, h.clean ? 'clean' : 'NOT CLEAN', h.detail]);
  const verdict = clean
    ? `Cluster "${name}" is uninstalled and removed from this workspace.`
    : `Some hosts were not cleaned; cluster "${name}" stays in this workspace so you can try again.`;
  return { json: report, text: [verdict, '', formatTable(['HOST', 'TARGET', 'RESULT', 'DETAIL'], rows)].join('\n'), clean };
}

export async function hostAdd(core: Core, target: string | undefined, values: Values): Promise<CommandOutput> {
  if (target === undefined) throw new HopsError('VALIDATION', 'Usage: hopsdesk host add USER@HOST[:PORT] [--label LABEL]…', { field: 'USER@HOST' });
  const labels = strings(values.label);
  const access = await accessFrom(values);
  const cluster = one(values.cluster);
  const host = (await withPassphrase(access, (a) =>
    core.dispatch('host.add', {
      ...(cluster === undefined ? {} : { cluster }),
      host: { target, ...(labels.length === 0 ? {} : { labels }) },
      ...a,
    }),
  )) as ProvisionedHost;
  return { json: host, text: `${host.hostId} (${host.target}) joined the cluster.` };
}

export async function hostRemove(core: Core, hostId: string | undefined, values: Values): Promise<CommandOutput> {
  if (hostId === undefined) throw new HopsError('VALIDATION', 'Usage: hopsdesk host remove HOST-ID [--yes]', { field: 'HOST-ID' });
  await confirm(values, `This drains ${hostId}, stops its agent and deletes its files.`, hostId);
  const access = await accessFrom(values);
  const cluster = one(values.cluster);
  const result = (await withPassphrase(access, (a) =>
    core.dispatch('host.remove', { ...(cluster === undefined ? {} : { cluster }), hostId, ...a }),
  )) as { hostId: string; clean: boolean; detail: string };
  return {
    json: result,
    text: result.clean ? `${hostId} is removed; nothing of Hopsdesk is left on it.` : `${hostId} is removed, but not cleanly: ${result.detail}.`,
  };
}

export async function hostUpgrade(core: Core, hostId: string | undefined, values: Values): Promise<CommandOutput> {
  const access = await accessFrom(values);
  const cluster = one(values.cluster);
  const result = (await withPassphrase(access, (a) =>
    core.dispatch('host.upgrade', { ...(cluster === undefined ? {} : { cluster }), ...(hostId === undefined ? {} : { hostId }), ...a }),
  )) as { hosts: ProvisionedHost[] };
  return { json: result, text: ['Upgraded.', '', hostsTable(result.hosts)].join('\n') };
}

function hostsTable(hosts: ProvisionedHost[]): string {
  const rows = hosts.map((h) => [h.hostId, h.target, h.roles.join(','), h.labels.join(',') || '-', h.agentVersion, h.service]);
  return formatTable(['HOST', 'TARGET', 'ROLES', 'LABELS', 'AGENT', 'SERVICE'], rows);
}

/** Destroying data needs a yes: `--yes`, or the name typed back on a terminal. */
async function confirm(values: Values, what: string, name: string): Promise<void> {
  if (values.yes === true) return;
  if (!canAsk()) {
    throw new HopsError('VALIDATION', `${what} Add --yes to confirm.`, { field: '--yes' });
  }
  const answer = await ask(`${what}\nType "${name}" to confirm: `);
  if (answer !== name) throw new HopsError('VALIDATION', 'Not confirmed; nothing was changed.', { field: '--yes' });
}
