/**
 * `hopsdesk dataset share|unshare|shares|accept|trash|restore|find`: sharing datasets
 * between projects, the trash, and search by name, from the command line (`--json` on
 * each, as everywhere).
 */
import { HopsError } from '../../protocol/errors.ts';
import type { Share, SharesReply } from '../../protocol/fs-shares.ts';
import type { TrashReply } from '../../protocol/fs-trash.ts';
import type { FileStat, SearchReply } from '../../protocol/fs.ts';
import type { Core } from '../core/core.ts';
import type { CommandOutput } from './cluster-commands.ts';
import { formatBytes, formatTable } from './format.ts';
import type { Values } from './setup-commands.ts';

const usage = {
  share: 'hopsdesk dataset share PATH --with PROJECT [--read-only]',
  unshare: 'hopsdesk dataset unshare PATH --with PROJECT',
  shares: 'hopsdesk dataset shares --project P',
  accept: 'hopsdesk dataset accept PATH --project P',
  trash: 'hopsdesk dataset trash --project P',
  restore: 'hopsdesk dataset restore ID [--to PATH]',
  find: 'hopsdesk dataset find PATH QUERY [--limit N] [--order newest|path]',
} as const;

/** The `dataset` actions this file handles. */
export const sharingActions: ReadonlySet<string> = new Set(Object.keys(usage));

const when = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

export async function datasetSharingCommand(core: Core, action: string, operands: string[], values: Values): Promise<CommandOutput> {
  const cluster = typeof values.cluster === 'string' ? { cluster: values.cluster } : {};
  const wrong = (field: string) => new HopsError('VALIDATION', `Usage: ${usage[action as keyof typeof usage]}`, { field });
  const count = (n: number) => {
    if (operands.length !== n) throw wrong(n === 0 ? 'operands' : 'PATH');
  };
  const text = (flag: string): string => {
    const value = values[flag];
    if (typeof value !== 'string' || value === '') throw wrong(`--${flag}`);
    return value;
  };
  switch (action) {
    case 'share': {
      count(1);
      const share = (await core.dispatch('dataset.share', { ...cluster, path: operands[0], withProject: text('with'), ...(values['read-only'] === true ? { readOnly: true } : {}) })) as Share;
      return { json: share, text: `Shared ${share.path} with ${share.withProject} (${share.readOnly ? 'read-only' : 'read-write'}); a Data Owner of ${share.withProject} accepts it with \`hopsdesk dataset accept ${share.path} --project ${share.withProject}\`` };
    }
    case 'unshare': {
      count(1);
      const share = (await core.dispatch('dataset.unshare', { ...cluster, path: operands[0], withProject: text('with') })) as Share;
      return { json: share, text: `${share.path} is no longer shared with ${share.withProject}` };
    }
    case 'accept': {
      count(1);
      const share = (await core.dispatch('dataset.acceptShare', { ...cluster, project: text('project'), path: operands[0] })) as Share;
      return { json: share, text: `${share.withProject} now reads ${share.path}${share.readOnly ? ' (read-only)' : ' (read-write)'}` };
    }
    case 'shares': {
      count(0);
      const reply = (await core.dispatch('dataset.shares', { ...cluster, project: text('project') })) as SharesReply;
      const rows = [
        ...reply.incoming.map((s) => ['from', s.project, s.path, s.readOnly ? 'read-only' : 'read-write', s.state, s.sharedBy]),
        ...reply.outgoing.map((s) => ['to', s.withProject, s.path, s.readOnly ? 'read-only' : 'read-write', s.state, s.sharedBy]),
      ];
      return { json: reply, text: rows.length === 0 ? '(no shares)' : formatTable(['', 'PROJECT', 'DATASET', 'ACCESS', 'STATE', 'BY'], rows) };
    }
    case 'trash': {
      count(0);
      const reply = (await core.dispatch('dataset.trash', { ...cluster, project: text('project') })) as TrashReply;
      const rows = reply.entries.map((e) => [String(e.id), e.type === 'dir' ? `${e.path}/` : e.path, formatBytes(e.size), e.removedBy, when(e.removedAtMs), when(e.purgeAtMs)]);
      return { json: reply, text: rows.length === 0 ? '(the trash is empty)' : formatTable(['ID', 'PATH', 'SIZE', 'BY', 'REMOVED (UTC)', 'PURGED (UTC)'], rows, new Set([0, 2])) };
    }
    case 'restore': {
      count(1);
      const trashId = Number(operands[0]);
      if (!/^[1-9]\d{0,15}$/.test(operands[0] ?? '')) throw new HopsError('VALIDATION', `"${operands[0] ?? ''}" is not a trash entry id; \`hopsdesk dataset trash --project P\` lists them.`, { field: 'ID' });
      const stat = (await core.dispatch('dataset.restore', {
        ...cluster,
        trashId,
        ...(typeof values.to === 'string' ? { to: values.to } : {}),
        ...(typeof values.project === 'string' ? { project: values.project } : {}),
      })) as FileStat;
      return { json: stat, text: `Restored ${stat.path}` };
    }
    case 'find': {
      count(2);
      const limit = values.limit === undefined ? undefined : Number(values.limit);
      if (limit !== undefined && !Number.isInteger(limit)) throw wrong('--limit');
      const order = values.order;
      if (order !== undefined && order !== 'newest' && order !== 'path') throw wrong('--order');
      const reply = (await core.dispatch('dataset.search', {
        ...cluster,
        path: operands[0],
        query: operands[1],
        ...(limit === undefined ? {} : { limit }),
        ...(order === undefined ? {} : { order }),
      })) as SearchReply;
      const rows = reply.entries.map((e) => [e.type === 'dir' ? `${e.path}/` : e.path, e.type === 'dir' ? '-' : formatBytes(e.size), when(e.mtimeMs)]);
      const more = reply.truncated ? `\n(more match; narrow the query or raise --limit, at most 200)` : '';
      return { json: reply, text: rows.length === 0 ? '(nothing found)' : `${formatTable(['PATH', 'SIZE', 'MODIFIED (UTC)'], rows, new Set([1]))}${more}` };
    }
    default:
      throw new HopsError('VALIDATION', `Unknown command "dataset ${action}".`, { hint: 'Run `hopsdesk --help` for usage.' });
  }
}
