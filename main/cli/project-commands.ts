/**
 * `hopsdesk project …` and `hopsdesk cluster join`: projects, members and roles on the
 * active (or named) cluster, and joining a cluster with an invite code.
 */
import type { ClusterSummary } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { roleTitles, type AuditEntry, type Invite, type Project, type Role, type User } from '../../protocol/projects.ts';
import type { Core } from '../core/core.ts';
import type { CommandOutput } from './cluster-commands.ts';
import { formatBytes, formatTable, parseSize } from './format.ts';
import { accessFrom, type Values } from './setup-commands.ts';

const one = (value: Values[string]): string | undefined => {
  const all = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const last = all.at(-1);
  return typeof last === 'string' ? last : undefined;
};
const clusterOf = (values: Values) => {
  const cluster = one(values.cluster);
  return cluster === undefined ? {} : { cluster };
};

/** `--role owner|scientist` (or the full names) → the wire's role. */
export function parseRole(value: string | undefined): Role {
  if (value === undefined) throw new HopsError('VALIDATION', '--role is required: data-owner or data-scientist.', { field: '--role' });
  const normal = value.toLowerCase().replace(/[\s_]+/g, '-');
  if (['data-owner', 'owner'].includes(normal)) return 'data-owner';
  if (['data-scientist', 'scientist'].includes(normal)) return 'data-scientist';
  throw new HopsError('VALIDATION', `Unknown role "${value}": use data-owner or data-scientist.`, { field: '--role' });
}

function need(value: string | undefined, usage: string, field: string): string {
  if (value === undefined) throw new HopsError('VALIDATION', `Usage: ${usage}`, { field });
  return value;
}

function membersTable(project: Project): string {
  const rows = project.members.map((m) => [m.user, roleTitles[m.role], new Date(m.addedAtMs).toISOString().slice(0, 10)]);
  return formatTable(['USER', 'ROLE', 'SINCE'], rows);
}

export async function projectCommand(core: Core, action: string, operand: string | undefined, values: Values): Promise<CommandOutput> {
  const cluster = clusterOf(values);
  switch (action) {
    case 'list': {
      const { projects } = (await core.dispatch('project.list', cluster)) as { projects: Project[] };
      const rows = projects.map((p) => [p.name, p.myRole === null ? '-' : roleTitles[p.myRole], String(p.members.length), p.description]);
      return { json: { projects }, text: projects.length === 0 ? 'No projects yet: hopsdesk project create NAME' : formatTable(['PROJECT', 'YOUR ROLE', 'MEMBERS', 'DESCRIPTION'], rows) };
    }
    case 'create': {
      const name = need(operand, 'hopsdesk project create NAME [--description TEXT]', 'NAME');
      const description = one(values.description);
      const project = (await core.dispatch('project.create', { ...cluster, name, ...(description === undefined ? {} : { description }) })) as Project;
      return { json: project, text: `Project "${project.name}" created; you are its Data Owner.` };
    }
    case 'members': {
      const project = (await core.dispatch('project.get', { ...cluster, project: need(operand, 'hopsdesk project members PROJECT', 'PROJECT') })) as Project;
      return { json: project, text: membersTable(project) };
    }
    case 'add-member': {
      const name = need(operand, 'hopsdesk project add-member PROJECT --user USER --role data-owner|data-scientist', 'PROJECT');
      const user = need(one(values.user), 'hopsdesk project add-member PROJECT --user USER --role ROLE', '--user');
      const project = (await core.dispatch('project.addMember', { ...cluster, project: name, user, role: parseRole(one(values.role)) })) as Project;
      return { json: project, text: membersTable(project) };
    }
    case 'remove-member': {
      const name = need(operand, 'hopsdesk project remove-member PROJECT --user USER', 'PROJECT');
      const user = need(one(values.user), 'hopsdesk project remove-member PROJECT --user USER', '--user');
      const project = (await core.dispatch('project.removeMember', { ...cluster, project: name, user })) as Project;
      return { json: project, text: membersTable(project) };
    }
    case 'invite': {
      const role = one(values.role);
      const invite = (await core.dispatch('project.invite', {
        ...cluster,
        ...(operand === undefined ? {} : { project: operand }),
        ...(role === undefined ? {} : { role: parseRole(role) }),
      })) as Invite & { headAddress: string; clientPort: number };
      const where = invite.project === null ? 'the cluster' : `project "${invite.project}" as ${roleTitles[invite.role!]}`;
      const text = [
        `Invite to ${where}, valid until ${new Date(invite.expiresAtMs).toISOString().slice(0, 16).replace('T', ' ')} UTC, for one use:`,
        '',
        `  ${invite.code}`,
        '',
        'The invitee runs, with their own SSH login on the head host:',
        `  hopsdesk cluster join NAME --head THEIR_USER@${invite.headAddress} --client-port ${invite.clientPort} --invite ${invite.code} --user THEIR_NAME`,
      ].join('\n');
      return { json: invite, text };
    }
    case 'audit': {
      const name = need(operand, 'hopsdesk project audit PROJECT', 'PROJECT');
      const { entries } = (await core.dispatch('project.audit', { ...cluster, project: name })) as { entries: AuditEntry[] };
      const rows = entries.map((e) => [new Date(e.atMs).toISOString().slice(0, 19).replace('T', ' '), e.user, e.action, e.target ?? '-', e.detail]);
      return { json: { entries }, text: formatTable(['WHEN (UTC)', 'USER', 'ACTION', 'TARGET', 'DETAIL'], rows) };
    }
    default:
      throw new HopsError('VALIDATION', `Unknown command "project ${action}".`, { hint: 'Run `hopsdesk --help` for usage.' });
  }
}

/** `hopsdesk project quota PROJECT SIZE|none`: the cluster admin sets (or lifts) a project's byte quota. */
export async function projectQuota(core: Core, operands: string[], values: Values): Promise<CommandOutput> {
  const usage = 'hopsdesk project quota PROJECT SIZE|none   (SIZE such as 500GiB, 2TB or 1073741824)';
  const [name, size] = operands;
  if (name === undefined || size === undefined || operands.length > 2) throw new HopsError('VALIDATION', `Usage: ${usage}`, { field: 'SIZE' });
  const quotaBytes = size.toLowerCase() === 'none' ? null : parseSize(size);
  if (quotaBytes === undefined) throw new HopsError('VALIDATION', `"${size}" is not a size: give one such as 500GiB, 2TB or 1073741824, or none.`, { field: 'SIZE' });
  const project = (await core.dispatch('project.setQuota', { ...clusterOf(values), project: name, quotaBytes })) as Project;
  const used = formatBytes(project.usedBytes);
  const text =
    project.quotaBytes === null
      ? `Project "${project.name}" has no quota now; it uses ${used}.`
      : `Project "${project.name}" may hold ${formatBytes(project.quotaBytes)}; it uses ${used}.`;
  return { json: project, text };
}

export async function clusterJoin(core: Core, name: string | undefined, values: Values): Promise<CommandOutput> {
  const usage = 'hopsdesk cluster join NAME --head USER@HOST --invite CODE --user NAME [--client-port N]';
  const head = need(one(values.head), usage, '--head');
  const code = need(one(values.invite), usage, '--invite');
  const user = need(one(values.user), usage, '--user');
  const port = one(values['client-port']);
  const result = (await core.dispatch('cluster.join', {
    name: need(name, usage, 'NAME'),
    head,
    code,
    user,
    ...(port === undefined ? {} : { clientPort: Number(port) }),
    ...(await accessFrom(values)),
  })) as { cluster: ClusterSummary; user: User; project: string | null };
  const text = `Joined cluster "${result.cluster.name}" as ${result.user.name}${result.project === null ? '' : `, member of project "${result.project}"`}. It is now the active cluster.`;
  return { json: result, text };
}
