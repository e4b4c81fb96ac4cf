/**
 * `hopsdesk dataset ls|stat|mkdir|put|get|rm|mv`: the cluster filesystem from the command
 * line, paths as `/Projects/<project>/<dataset>/…`, progress on a terminal for put and get.
 * Sharing, the trash and search are `dataset-sharing-commands.ts`.
 */
import path from 'node:path';
import { HopsError } from '../../protocol/errors.ts';
import type { FileStat, ListPage, RemoveReply } from '../../protocol/fs.ts';
import type { Core } from '../core/core.ts';
import type { CommandOutput } from './cluster-commands.ts';
import { formatBytes, formatTable, parseSize } from './format.ts';
import { ask, canAsk } from './prompt.ts';
import { datasetSharingCommand, sharingActions } from './dataset-sharing-commands.ts';
import type { Values } from './setup-commands.ts';

const usage = {
  ls: 'hopsdesk dataset ls PATH',
  stat: 'hopsdesk dataset stat PATH',
  mkdir: 'hopsdesk dataset mkdir PATH [--parents]',
  put: 'hopsdesk dataset put LOCAL… PATH [--overwrite] [--block-size SIZE] [--replication N]',
  get: 'hopsdesk dataset get PATH LOCAL [--overwrite]',
  rm: 'hopsdesk dataset rm PATH [--recursive] [--permanent] [--yes]',
  mv: 'hopsdesk dataset mv FROM TO',
} as const;

export async function datasetCommand(core: Core, action: string, operands: string[], values: Values): Promise<CommandOutput> {
  if (sharingActions.has(action)) return datasetSharingCommand(core, action, operands, values);
  const cluster = typeof values.cluster === 'string' ? { cluster: values.cluster } : {};
  const count = (n: number, atLeast = false) => {
    if (atLeast ? operands.length < n : operands.length !== n) {
      throw new HopsError('VALIDATION', `Usage: ${usage[action as keyof typeof usage] ?? 'hopsdesk --help'}`, { field: 'PATH' });
    }
  };
  switch (action) {
    case 'ls': {
      count(1);
      const entries: FileStat[] = [];
      let cursor: string | undefined;
      do {
        const page = (await core.dispatch('dataset.list', { ...cluster, path: operands[0], ...(cursor === undefined ? {} : { cursor }) })) as ListPage;
        entries.push(...page.entries);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      const rows = entries.map((e) => [e.type === 'dir' ? `${e.name}/` : e.name, e.type === 'dir' ? '-' : formatBytes(e.size), e.type === 'dir' ? '-' : String(e.replication), new Date(e.mtimeMs).toISOString().slice(0, 16).replace('T', ' '), e.createdBy]);
      return { json: { entries }, text: entries.length === 0 ? '(empty)' : formatTable(['NAME', 'SIZE', 'REPLICAS', 'MODIFIED (UTC)', 'BY'], rows, new Set([1])) };
    }
    case 'stat': {
      count(1);
      const stat = (await core.dispatch('dataset.stat', { ...cluster, path: operands[0] })) as FileStat;
      return { json: stat, text: Object.entries(stat).map(([k, v]) => `${k.padEnd(12)} ${String(v)}`).join('\n') };
    }
    case 'mkdir': {
      count(1);
      const stat = (await core.dispatch('dataset.mkdir', { ...cluster, path: operands[0], ...(values.parents === true ? { parents: true } : {}) })) as FileStat;
      return { json: stat, text: `Created ${stat.path}` };
    }
    case 'put': {
      count(2, true);
      const target = operands.at(-1)!;
      const locals = operands.slice(0, -1);
      // Several files, or a target that is a directory: each goes in under its own name.
      const intoDir = locals.length > 1 || (await isDir(core, cluster, target));
      const done: FileStat[] = [];
      for (const local of locals) {
        const where = intoDir ? `${target}/${path.basename(local)}` : target;
        done.push((await core.dispatch('dataset.put', { ...cluster, localFile: local, path: where, ...(values.overwrite === true ? { overwrite: true } : {}), ...putLayout(values) })) as FileStat);
      }
      return { json: { files: done }, text: done.map((f) => `${f.path}  ${formatBytes(f.size)}, ${f.replication} replicas`).join('\n') };
    }
    case 'get': {
      count(2);
      const [from, to] = operands as [string, string];
      const result = (await core.dispatch('dataset.get', { ...cluster, path: from, localFile: to, ...(values.overwrite === true ? { overwrite: true } : {}) })) as { localFile: string; bytes: number };
      return { json: result, text: `${result.localFile}  ${formatBytes(result.bytes)}` };
    }
    case 'rm': {
      count(1);
      if (values.recursive === true && values.permanent !== true && values.yes !== true) {
        if (!canAsk()) throw new HopsError('VALIDATION', `This removes ${operands[0]} and everything in it. Add --yes to confirm.`, { field: '--yes' });
        if ((await ask(`Remove ${operands[0]} and everything in it? Type "yes": `)) !== 'yes') {
          throw new HopsError('VALIDATION', 'Not confirmed; nothing was removed.', { field: '--yes' });
        }
      }
      // Skipping the trash cannot be undone: asked on a terminal, --yes elsewhere.
      if (values.permanent === true && values.yes !== true) {
        if (!canAsk()) throw new HopsError('VALIDATION', `--permanent deletes ${operands[0]} for good, skipping the trash. Add --yes to confirm.`, { field: '--yes' });
        if ((await ask(`Delete ${operands[0]} for good (it will not be in the trash)? Type "yes": `)) !== 'yes') {
          throw new HopsError('VALIDATION', 'Not confirmed; nothing was removed.', { field: '--yes' });
        }
      }
      const reply = (await core.dispatch('dataset.remove', {
        ...cluster,
        path: operands[0],
        ...(values.recursive === true ? { recursive: true } : {}),
        ...(values.permanent === true ? { permanent: true } : {}),
      })) as RemoveReply;
      const what = `${reply.path} (${reply.files} files, ${reply.dirs} directories)`;
      const text = reply.trashId === undefined ? `Deleted ${what} for good` : `Moved ${what} to the trash as entry ${reply.trashId}; undo with \`hopsdesk dataset restore ${reply.trashId}\``;
      return { json: reply, text };
    }
    case 'mv': {
      count(2);
      const stat = (await core.dispatch('dataset.move', { ...cluster, from: operands[0], to: operands[1] })) as FileStat;
      return { json: stat, text: `Moved to ${stat.path}` };
    }
    default:
      throw new HopsError('VALIDATION', `Unknown command "dataset ${action}".`, { hint: 'Run `hopsdesk --help` for usage.' });
  }
}

async function isDir(core: Core, cluster: { cluster?: string }, where: string): Promise<boolean> {
  try {
    return ((await core.dispatch('dataset.stat', { ...cluster, path: where })) as FileStat).type === 'dir';
  } catch (err) {
    if (err instanceof HopsError && (err.code === 'NOT_FOUND' || err.status === 404)) return false;
    throw err;
  }
}

/** `--block-size SIZE` and `--replication N` of `dataset put`, checked here so a mistake names the flag. */
function putLayout(values: Values): { blockSize?: number; replication?: number } {
  const layout: { blockSize?: number; replication?: number } = {};
  if (values['block-size'] !== undefined) {
    const blockSize = typeof values['block-size'] === 'string' ? parseSize(values['block-size']) : undefined;
    if (blockSize === undefined) throw new HopsError('VALIDATION', `--block-size takes a size such as 8MiB or 64M, not "${String(values['block-size'])}".`, { field: '--block-size' });
    layout.blockSize = blockSize;
  }
  if (values.replication !== undefined) {
    const replication = typeof values.replication === 'string' && /^\d+$/.test(values.replication) ? Number(values.replication) : undefined;
    if (replication === undefined) throw new HopsError('VALIDATION', `--replication takes a whole number of replicas, not "${String(values.replication)}".`, { field: '--replication' });
    layout.replication = replication;
  }
  return layout;
}
